"""Placeholder: replaced by the pages of this module (work in progress)."""

from django.http import Http404


def progress_overview(request, **kwargs):
    raise Http404("not built yet")

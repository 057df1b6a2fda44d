"""Placeholder: replaced by the pages of this module (work in progress)."""

from django.http import Http404


def ward_police_overview(request, **kwargs):
    raise Http404("not built yet")


def ward_police_grouping(request, **kwargs):
    raise Http404("not built yet")


def ward_police_detail(request, **kwargs):
    raise Http404("not built yet")

"""Placeholder: replaced by the pages of this module (work in progress)."""

from django.http import Http404


def criteria_set_list(request, **kwargs):
    raise Http404("not built yet")


def criteria_set_detail(request, **kwargs):
    raise Http404("not built yet")


def criteria_set_publish(request, **kwargs):
    raise Http404("not built yet")

"""Placeholder: replaced by the pages of this module (work in progress)."""

from django.http import Http404


def recognition_list(request, **kwargs):
    raise Http404("not built yet")


def commendation_list(request, **kwargs):
    raise Http404("not built yet")


def commendation_create(request, **kwargs):
    raise Http404("not built yet")


def pledge_list(request, **kwargs):
    raise Http404("not built yet")


def pledge_create(request, **kwargs):
    raise Http404("not built yet")


def pledge_detail(request, **kwargs):
    raise Http404("not built yet")


def pledge_result(request, **kwargs):
    raise Http404("not built yet")


def review_list(request, **kwargs):
    raise Http404("not built yet")


def review_create(request, **kwargs):
    raise Http404("not built yet")


def review_detail(request, **kwargs):
    raise Http404("not built yet")


def unit_history(request, **kwargs):
    raise Http404("not built yet")

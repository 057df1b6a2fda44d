"""Placeholder: replaced by the pages of this module (work in progress)."""

from django.http import Http404


def assessment_list(request, **kwargs):
    raise Http404("not built yet")


def assessment_export(request, **kwargs):
    raise Http404("not built yet")


def assessment_waiting(request, **kwargs):
    raise Http404("not built yet")


def assessment_create(request, **kwargs):
    raise Http404("not built yet")


def assessment_detail(request, **kwargs):
    raise Http404("not built yet")


def assessment_answers(request, **kwargs):
    raise Http404("not built yet")


def evidence_upload(request, **kwargs):
    raise Http404("not built yet")


def answer_verify(request, **kwargs):
    raise Http404("not built yet")


def answer_unverify(request, **kwargs):
    raise Http404("not built yet")


def assessment_submit(request, **kwargs):
    raise Http404("not built yet")


def assessment_return(request, **kwargs):
    raise Http404("not built yet")


def assessment_accept(request, **kwargs):
    raise Http404("not built yet")


def recognition_create(request, **kwargs):
    raise Http404("not built yet")


def evidence_download(request, **kwargs):
    raise Http404("not built yet")


def evidence_remove(request, **kwargs):
    raise Http404("not built yet")

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from campaign.committees import access
from campaign.committees.access import Capability
from campaign.downloads import private_file_response
from reporting import selectors, services
from reporting.choices import ReportStatus
from reporting.forms import ReportRequestForm

JOBS_PER_PAGE = 20


def _list_page(
    request: HttpRequest, form: ReportRequestForm, status: int = 200
) -> HttpResponse:
    jobs = selectors.report_job_list_for_user(user=request.user)
    page = Paginator(jobs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/report_list.html",
        {
            "form": form,
            "page_obj": page,
            "can_request": access.can(request.user, Capability.REQUEST_REPORTS),
        },
        status=status,
    )


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request, ReportRequestForm())


@require_POST
def report_request(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.REQUEST_REPORTS)
    form = ReportRequestForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    try:
        job = services.report_request(
            kind=form.cleaned_data["kind"],
            params={"as_of": form.cleaned_data["as_of"]},
            by=request.user,
            language=get_language(),
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _list_page(request, form, status=400)
    messages.success(
        request, _("Your report has been requested. It is being prepared.")
    )
    return redirect(job)


@require_GET
def report_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    job = selectors.report_job_get_for_user(user=request.user, public_id=public_id)
    return render(request, "reporting/report_detail.html", {"job": job})


@require_GET
def report_status(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The progress fragment that the detail page polls with htmx."""
    job = selectors.report_job_get_for_user(user=request.user, public_id=public_id)
    # The fragment carries its own polling trigger only while the job is
    # unfinished, so polling stops by itself once the report is ready or failed.
    return render(request, "reporting/includes/report_status.html", {"job": job})


@require_GET
def report_download(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    job = selectors.report_job_get_for_user(user=request.user, public_id=public_id)
    if job.status != ReportStatus.DONE or not job.file:
        raise Http404("The report is not ready.")
    return private_file_response(
        job.file, filename=job.download_name, content_type="application/pdf"
    )

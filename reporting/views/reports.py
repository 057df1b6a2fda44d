"""The report centre: request a report of any kind the user may ask for, follow
its progress, download it, delete it; the history of one's own reports and,
for the province's staff and leaders, of every report of the province."""

from __future__ import annotations

import datetime
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.committees import access
from campaign.committees.access import Capability
from campaign.downloads import private_file_response
from campaign.forms import add_service_error
from reporting import selectors, services
from reporting.choices import ReportLanguage, ReportStatus
from reporting.kinds import all_kinds, get_kind
from reporting.models import ReportJob
from reporting.services.jobs import UNFINISHED_NOT_DELETABLE

JOBS_PER_PAGE = 20


# --- Helpers of the pages ---------------------------------------------------------


def _may_delete(job: ReportJob, user, *, can_manage: bool) -> bool:
    """Whether to offer deleting ``job`` (the service decides in the end): its
    owner may delete it once finished, the standing office any finished one."""
    return job.is_finished and (can_manage or job.requested_by_id == user.pk)


def _describe(job: ReportJob, user, *, can_manage: bool) -> ReportJob:
    """The job's parameters in words, for the templates."""
    params = job.params or {}
    job.phase_label = (params.get("phase") or "").replace("-", "–")
    job.title = f"{job.get_kind_display()} {job.phase_label}".strip()
    language = params.get("language") or ""
    job.language_label = (
        ReportLanguage(language).label if language in ReportLanguage.values else ""
    )
    job.archival = bool(params.get("archival"))
    try:
        job.issued_on = datetime.date.fromisoformat(params.get("issued_on") or "")
    except ValueError:
        job.issued_on = None
    job.may_delete = _may_delete(job, user, can_manage=can_manage)
    return job


def _job_context(request: HttpRequest, job: ReportJob) -> dict:
    can_manage = access.can(request.user, Capability.MANAGE_REPORTS)
    return {
        "job": _describe(job, request.user, can_manage=can_manage),
        # Checksums and technical failure details are for the standing office.
        "can_manage": can_manage,
    }


def _prefixed(data: QueryDict, prefix: str, *, strip: bool) -> QueryDict:
    """The fields of one kind's form out of a POST of the whole page (its
    names start with ``<prefix>-``), with or without the prefix."""
    start = f"{prefix}-"
    subset = QueryDict(mutable=True)
    for name in data:
        if name.startswith(start):
            subset.setlist(name[len(start) :] if strip else name, data.getlist(name))
    return subset


def _centre(
    request: HttpRequest,
    *,
    bound: dict | None = None,
    request_error: str = "",
    status: int = 200,
) -> HttpResponse:
    """The report centre: a form for each kind the user may request (``bound``
    replaces one sent back with errors) and the history."""
    user = request.user
    bound = bound or {}
    kind_forms = [
        (
            spec,
            bound.get(spec.key)
            or spec.form(user=user, prefix=spec.key, initial=request.GET.dict()),
        )
        for spec in all_kinds()
        if access.can(user, spec.capability)
    ]
    province = selectors.can_see_province_reports(user)
    show_all = province and request.GET.get("who") == "all"
    jobs = selectors.report_job_list_for_user(user=user, mine_only=not show_all)
    page = Paginator(jobs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    can_manage = access.can(user, Capability.MANAGE_REPORTS)
    for job in page:
        _describe(job, user, can_manage=can_manage)
    return render(
        request,
        "reporting/report_list.html",
        {
            "kind_forms": kind_forms,
            "request_error": request_error,
            "page_obj": page,
            "can_see_province": province,
            "show_all": show_all,
            "can_manage": can_manage,
        },
        status=status,
    )


# --- The pages ----------------------------------------------------------------------


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    return _centre(request)


@require_POST
def report_request(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.REQUEST_REPORTS)
    try:
        spec = get_kind(request.POST.get("kind", ""))
    except ValidationError as error:
        return _centre(request, request_error=" ".join(error.messages), status=400)
    access.require(request.user, spec.capability)
    try:
        job = services.report_request(
            kind=spec.key,
            data=_prefixed(request.POST, spec.key, strip=True),
            by=request.user,
        )
    except ValidationError as error:
        form = spec.form(
            user=request.user,
            data=_prefixed(request.POST, spec.key, strip=False),
            prefix=spec.key,
        )
        if form.is_valid():  # refused for a reason the form does not check
            add_service_error(form, error)
        return _centre(request, bound={spec.key: form}, status=400)
    if getattr(job, "reused", False):
        messages.info(request, _("This report is already being prepared: here it is."))
    else:
        messages.success(
            request, _("Your report has been requested. It is being prepared.")
        )
    return redirect(job)


@require_GET
def report_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    job = selectors.report_job_get_for_user(user=request.user, public_id=public_id)
    return render(request, "reporting/report_detail.html", _job_context(request, job))


@require_GET
def report_status(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The progress fragment that the detail page polls with htmx."""
    job = selectors.report_job_get_for_user(user=request.user, public_id=public_id)
    # The fragment carries its own polling trigger only while the job is
    # unfinished, so polling stops by itself once the report is ready or failed.
    return render(
        request, "reporting/includes/report_status.html", _job_context(request, job)
    )


@require_GET
def report_download(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    job = selectors.report_job_get_for_user(user=request.user, public_id=public_id)
    if job.status != ReportStatus.DONE or not job.file:
        raise Http404("The report is not ready.")
    return private_file_response(
        job.file, filename=job.download_name, content_type="application/pdf"
    )


@require_http_methods(["GET", "POST"])
def report_delete(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """GET asks for confirmation, POST deletes (the service checks who may)."""
    job = selectors.report_job_get_for_user(user=request.user, public_id=public_id)
    context = _job_context(request, job)
    if request.method == "POST":
        try:
            services.report_delete(public_id=job.public_id, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(job)
        messages.success(request, _("The report has been deleted."))
        url = reverse("reporting:report_list")
        if job.requested_by_id != request.user.pk:
            url += "?who=all"  # back to the province's reports it was listed in
        return redirect(url)
    if not (context["can_manage"] or job.requested_by_id == request.user.pk):
        # A report of the province the user may read but not delete, as the
        # service answers (anyone else's was a 404 above).
        raise PermissionDenied
    if not job.is_finished:
        messages.error(request, UNFINISHED_NOT_DELETABLE)
        return redirect(job)
    return render(request, "reporting/report_confirm_delete.html", context)

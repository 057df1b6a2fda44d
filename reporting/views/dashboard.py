"""The dashboard for leaders and staff (and every user, inside their scope):
the phase at a glance — the quotas per unit kind, the ward police of each
city and town against the 30 % line, the 2026–2030 way to 100 %, what waits
for the user, the latest changes — and the same tables as an XLSX workbook.

The figures are the phase report's (``reporting.phase_data``), counted on
today (a phase that has ended: on its last day), read as the user; the charts
are the PDF's geometry drawn by the web's chart include. A constant number of
queries whatever the number of units, registrations or assessments."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from campaign.assessments.selectors.assessments import waiting_assessments_for_user
from campaign.committees import access
from campaign.committees.access import Capability
from campaign.committees.selectors.audit import audit_list_for_user, shown_entries
from campaign.exports import xlsx_response
from campaign.registrations.selectors import registrations as registration_selectors
from reporting.choices import UNFINISHED_STATUSES
from reporting.dashboard_export import dashboard_filename, dashboard_workbook
from reporting.forms_dashboard import DashboardChoice, DashboardFilterForm
from reporting.phase_data import PhaseReportData, phase_report_data
from reporting.selectors import report_job_list_for_user

RECENT_CHANGES = 10


@dataclass(frozen=True)
class Pending:
    """What waits for the user, by the lists their role has (``None``: the
    role has no such list)."""

    registrations: int | None
    assessments: int | None
    reports: int | None
    reviews: bool  # the user reviews (the province) rather than corrects

    @property
    def any_list(self) -> bool:
        return any(
            n is not None for n in (self.registrations, self.assessments, self.reports)
        )


def _pending(user) -> Pending:
    grants = access.access_for(user)
    local = not grants.whole_province
    registrations = assessments = reports = None
    if Capability.REVIEW_REGISTRATIONS in grants.capabilities or (
        local and Capability.REGISTER_UNITS in grants.capabilities
    ):
        registrations = registration_selectors.waiting_for_user(user=user).count()
    if Capability.VERIFY_ASSESSMENTS in grants.capabilities or (
        local and Capability.ASSESS_UNITS in grants.capabilities
    ):
        assessments = waiting_assessments_for_user(user=user).count()
    if Capability.REQUEST_REPORTS in grants.capabilities:
        reports = (
            report_job_list_for_user(user=user, mine_only=True)
            .filter(status__in=UNFINISHED_STATUSES)
            .count()
        )
    return Pending(
        registrations=registrations,
        assessments=assessments,
        reports=reports,
        reviews=Capability.REVIEW_REGISTRATIONS in grants.capabilities,
    )


def _recent_changes(user) -> list | None:
    """The latest entries of the audit trail, for those who may read it."""
    if not access.can(user, Capability.VIEW_AUDIT):
        return None
    return shown_entries(audit_list_for_user(user=user)[:RECENT_CHANGES])


def _form(request: HttpRequest) -> DashboardFilterForm:
    access.require(request.user, Capability.VIEW)
    return DashboardFilterForm(
        request.GET, user=request.user, today=timezone.localdate()
    )


def _data(request: HttpRequest, choice: DashboardChoice) -> PhaseReportData:
    return phase_report_data(
        user=request.user,
        phase_key=choice.phase.key,
        as_of=choice.as_of,
        committee_id=choice.committee_id,
    )


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """GET ``?phase=…&scope=…`` (both optional). A phase that is not in the
    plan, or a locality outside the user's scope, is the page with the
    form's message and no figures (400)."""
    form = _form(request)
    context: dict = {"form": form}
    if not form.is_valid():
        return render(request, "reporting/dashboard.html", context, status=400)
    choice = form.chosen()
    if choice is not None:
        data = _data(request, choice)
        query = urlencode(choice.query)
        context.update(
            choice=choice,
            data=data,
            quota_chart=data.quota_chart(),
            share_chart=data.share_chart(),
            trajectory_chart=data.trajectory_chart(),
            export_url=f"{reverse('reporting:dashboard_export')}?{query}",
            report_url=f"{reverse('reporting:report_list')}?{query}",
        )
    context.update(
        pending=_pending(request.user),
        recent=_recent_changes(request.user),
    )
    return render(request, "reporting/dashboard.html", context)


@require_GET
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The dashboard's tables as one XLSX workbook, same choice and scope."""
    form = _form(request)
    if not form.is_valid():
        return render(
            request, "reporting/dashboard.html", {"form": form}, status=400
        )
    choice = form.chosen()
    if choice is None:
        raise Http404("The plan has no phase, or the user no committee.")
    data = _data(request, choice)
    return xlsx_response(dashboard_workbook(data), filename=dashboard_filename(data))

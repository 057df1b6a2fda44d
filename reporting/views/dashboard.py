"""The dashboard for leaders and staff (and every user, inside their scope):
the phase at a glance — the quotas per unit kind, the ward police of each
city and town against the 30 % line, the 2026–2030 way to 100 %, what waits
for the user, the latest changes — and the same tables as an XLSX workbook.

The figures are the phase report's (``reporting.phase_data``), counted on
today (a phase that has ended: on its last day), read as the user; the charts
are the PDF's geometry drawn by the web's chart include. A constant number of
queries whatever the number of units, registrations or assessments; the
rendered figures and the list of localities are kept between requests until
the data change (``reporting.dashboard_cache``). What waits for the user and
the latest changes are read at every request."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from campaign.assessments.selectors.assessments import waiting_assessments_for_user
from campaign.assessments.selectors.progress import ProgressRow
from campaign.committees import access
from campaign.committees.access import Capability
from campaign.committees.selectors.audit import audit_list_for_user, shown_entries
from campaign.exports import xlsx_response
from campaign.registrations.selectors import registrations as registration_selectors
from reporting.choices import UNFINISHED_STATUSES, ReportKind
from reporting.dashboard_cache import (
    cache_seconds,
    cached,
    data_stamp,
    scope_signature,
)
from reporting.dashboard_export import dashboard_filename, dashboard_workbook
from reporting.forms_dashboard import (
    DashboardChoice,
    DashboardFilterForm,
    localities_for,
)
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


@dataclass(frozen=True)
class ShareYear:
    """The cities and towns of one year against the minimum share."""

    year: int
    counted_on: datetime.date | None
    rows: tuple[ProgressRow, ...]

    @property
    def met(self) -> int:
        """How many reach the minimum share."""
        return sum(1 for r in self.rows if r.achieved >= r.required)


def _share_years(data: PhaseReportData) -> list[ShareYear]:
    """The years counted, newest first."""
    years: dict[int, list[ProgressRow]] = {}
    for row in data.ward_share:
        years.setdefault(row.year, []).append(row)
    return [
        ShareYear(
            year=year,
            counted_on=next((r.counted_on for r in rows if r.counted_on), None),
            rows=tuple(rows),
        )
        for year, rows in sorted(years.items(), reverse=True)
    ]


def _pending(user, stamp: str) -> Pending:
    """The counts of the lists the user's role has. The registrations and
    assessments waiting change only with a workflow step (in the stamp):
    they are kept with the figures; the reports being prepared are counted
    at each request (the worker moves them on)."""
    grants = access.access_for(user)
    local = not grants.whole_province
    has_registrations = Capability.REVIEW_REGISTRATIONS in grants.capabilities or (
        local and Capability.REGISTER_UNITS in grants.capabilities
    )
    has_assessments = Capability.VERIFY_ASSESSMENTS in grants.capabilities or (
        local and Capability.ASSESS_UNITS in grants.capabilities
    )

    def waiting() -> tuple[int | None, int | None]:
        return (
            registration_selectors.waiting_for_user(user=user).count()
            if has_registrations
            else None,
            waiting_assessments_for_user(user=user).count()
            if has_assessments
            else None,
        )

    registrations, assessments = cached(
        ("waiting", user.pk, scope_signature(user), sorted(grants.capabilities), stamp),
        waiting,
    )
    reports = None
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


def _recent_changes(user, stamp: str) -> str | None:
    """The latest entries of the audit trail, rendered, for those who may
    read it (the stamp holds the newest entry: kept until the next one)."""
    if not access.can(user, Capability.VIEW_AUDIT):
        return None

    def render_recent() -> str:
        rows = shown_entries(audit_list_for_user(user=user)[:RECENT_CHANGES])
        return render_to_string(
            "reporting/includes/dashboard_recent.html", {"recent": rows}
        )

    return mark_safe(cached(("recent", stamp), render_recent))  # noqa: S308


def _form(request: HttpRequest, stamp: str) -> DashboardFilterForm:
    user = request.user
    localities = cached(
        ("localities", scope_signature(user), stamp),
        lambda: localities_for(user=user),
    )
    return DashboardFilterForm(
        request.GET, user=user, today=timezone.localdate(), localities=localities
    )


def _stamp() -> str:
    return data_stamp() if cache_seconds() > 0 else ""


def _data(
    request: HttpRequest, choice: DashboardChoice, *, page: bool
) -> PhaseReportData:
    """The figures; the page shows the tables by kind and city and no awards
    (the workbook has every unit and award)."""
    return phase_report_data(
        user=request.user,
        phase_key=choice.phase.key,
        as_of=choice.as_of,
        committee_id=choice.committee_id,
        list_limit=0 if page else None,
        awards=not page,
    )


def _figures(
    request: HttpRequest, choice: DashboardChoice, stamp: str
) -> tuple[str, str]:
    """The line under the title and the figures of the choice, rendered, as
    the user's scope sees them."""

    def render_figures() -> tuple[str, str]:
        data = _data(request, choice, page=True)
        subtitle = render_to_string(
            "reporting/includes/dashboard_subtitle.html", {"data": data}
        )
        figures = render_to_string(
            "reporting/includes/dashboard_figures.html",
            {
                "data": data,
                "share_years": _share_years(data),
                "quota_chart": data.quota_chart(),
                "share_chart": data.share_chart(),
                "trajectory_chart": data.trajectory_chart(),
            },
        )
        return subtitle, figures

    parts = (
        "figures",
        choice.phase.key,
        choice.as_of,
        choice.committee_id,
        scope_signature(request.user),
        stamp,
    )
    subtitle, figures = cached(parts, render_figures)
    # Rendered templates (autoescaped when they were rendered).
    return mark_safe(subtitle), mark_safe(figures)  # noqa: S308


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """GET ``?phase=…&scope=…`` (both optional). A phase that is not in the
    plan, or a locality outside the user's scope, is the page with the
    form's message and no figures (400)."""
    access.require(request.user, Capability.VIEW)
    stamp = _stamp()
    form = _form(request, stamp)
    context: dict = {"form": form}
    if not form.is_valid():
        return render(request, "reporting/dashboard.html", context, status=400)
    choice = form.chosen()
    if choice is not None:
        query = urlencode(choice.query)
        subtitle, figures = _figures(request, choice, stamp)
        context.update(
            choice=choice,
            subtitle=subtitle,
            figures=figures,
            started=choice.as_of.year >= choice.phase.start_year,
            export_url=f"{reverse('reporting:dashboard_export')}?{query}",
            # The report centre, at the phase report's form (which may take
            # the phase and scope from the address).
            report_url=(
                f"{reverse('reporting:report_list')}?{query}"
                f"#kind-{ReportKind.PHASE_PROGRESS}-heading"
            ),
        )
    context.update(
        pending=_pending(request.user, stamp),
        recent=_recent_changes(request.user, stamp),
    )
    return render(request, "reporting/dashboard.html", context)


@require_GET
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The dashboard's tables as one XLSX workbook, same choice and scope
    (always counted afresh)."""
    access.require(request.user, Capability.VIEW)
    form = _form(request, _stamp())
    if not form.is_valid():
        return render(request, "reporting/dashboard.html", {"form": form}, status=400)
    choice = form.chosen()
    if choice is None:
        raise Http404("The plan has no phase, or the user no committee.")
    data = _data(request, choice, page=False)
    return xlsx_response(dashboard_workbook(data), filename=dashboard_filename(data))

"""What the dashboard shows, built for one user and one choice: the filter,
the figures of the phase (rendered), what waits for the user and the latest
changes — each part kept between requests (``reporting.dashboard_cache``).

The view and the worker's refresh (``reporting.tasks.dashboard_refresh``)
both build the page here: the view reads what is kept, the refresh counts
every part again (``force``) so that the next request finds it current."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from campaign.assessments.selectors.assessments import waiting_assessments_for_user
from campaign.assessments.selectors.progress import ProgressRow
from campaign.committees import access
from campaign.committees.access import Actor, Capability
from campaign.committees.selectors.audit import audit_list_for_user, shown_entries
from campaign.registrations.selectors import registrations as registration_selectors
from reporting.choices import UNFINISHED_STATUSES
from reporting.dashboard_cache import (
    Keeper,
    cache_seconds,
    data_stamp,
    refresh_claim,
    refresh_release,
    scope_signature,
)
from reporting.forms_dashboard import (
    DashboardChoice,
    DashboardFilterForm,
    localities_for,
)
from reporting.phase_data import PhaseReportData, phase_report_data
from reporting.selectors import phase_choices, report_job_list_for_user

logger = logging.getLogger(__name__)

RECENT_CHANGES = 10
# The GET parameters of the dashboard (anything else is ignored).
PARAMETERS = ("phase", "scope")


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


@dataclass(frozen=True)
class DashboardPage:
    """The parts of the page. ``choice`` is ``None`` when the filter is not
    valid or there is nothing to show; ``stale`` when a part shown was
    counted before the latest change (``counted_at``: the oldest part's)."""

    form: DashboardFilterForm
    choice: DashboardChoice | None
    subtitle: SafeString | None
    figures: SafeString | None
    pending: Pending
    recent: SafeString | None
    stale: bool
    counted_at: datetime.datetime | None


def share_years(data: PhaseReportData) -> list[ShareYear]:
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


def dashboard_data(
    *, user: Actor, choice: DashboardChoice, page: bool
) -> PhaseReportData:
    """The figures; the page shows the tables by kind and city and no awards
    (the workbook has every unit and award)."""
    return phase_report_data(
        user=user,
        phase_key=choice.phase.key,
        as_of=choice.as_of,
        committee_id=choice.committee_id,
        list_limit=0 if page else None,
        awards=not page,
    )


def _filter_parts(user: Actor) -> tuple:
    return ("filter", scope_signature(user))


def dashboard_form(
    *, user: Actor, params: Mapping[str, str], keeper: Keeper
) -> DashboardFilterForm:
    """The filter, its lists (the plan's phases, the user's localities) kept."""
    localities, phases = keeper.get(
        _filter_parts(user), lambda: (localities_for(user=user), phase_choices())
    )
    return DashboardFilterForm(
        params,
        user=user,
        today=timezone.localdate(),
        localities=localities,
        phases=phases,
    )


def current_stamp() -> str:
    """The stamp of the data (one query), or none when nothing is kept."""
    return data_stamp() if cache_seconds() > 0 else ""


def _figures(
    user: Actor, choice: DashboardChoice, keeper: Keeper
) -> tuple[SafeString, SafeString]:
    """The line under the title and the figures of the choice, rendered, as
    the user's scope sees them."""

    def render_figures() -> tuple[str, str]:
        data = dashboard_data(user=user, choice=choice, page=True)
        subtitle = render_to_string(
            "reporting/includes/dashboard_subtitle.html", {"data": data}
        )
        figures = render_to_string(
            "reporting/includes/dashboard_figures.html",
            {
                "data": data,
                "share_years": share_years(data),
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
        scope_signature(user),
    )
    subtitle, figures = keeper.get(parts, render_figures)
    # Rendered templates (autoescaped when they were rendered).
    return mark_safe(subtitle), mark_safe(figures)  # noqa: S308 - autoescaped templates  # nosec B308 B703


def _waiting_parts(user: Actor) -> tuple:
    grants = access.access_for(user)
    return ("waiting", user.pk, scope_signature(user), sorted(grants.capabilities))


def _recent_parts(user: Actor) -> tuple:
    return ("recent", scope_signature(user))


def _pending(user: Actor, keeper: Keeper) -> Pending:
    """The counts of the lists the user's role has. The registrations and
    assessments waiting change only with a workflow step: they are kept with
    the figures; the reports being prepared are counted at each request (the
    worker moves them on)."""
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
            waiting_assessments_for_user(user=user, counts=False).count()
            if has_assessments
            else None,
        )

    registrations, assessments = keeper.get(_waiting_parts(user), waiting)
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


def _recent_changes(user: Actor, keeper: Keeper) -> SafeString | None:
    """The latest entries of the audit trail, rendered, for those who may
    read it (the province's people: one list for all of them)."""
    if not access.can(user, Capability.VIEW_AUDIT):
        return None

    def render_recent() -> str:
        rows = shown_entries(audit_list_for_user(user=user)[:RECENT_CHANGES])
        return render_to_string(
            "reporting/includes/dashboard_recent.html", {"recent": rows}
        )

    return mark_safe(keeper.get(_recent_parts(user), render_recent))  # noqa: S308 - an autoescaped template  # nosec B308 B703


def dashboard_page(
    *, user: Actor, params: Mapping[str, str], force: bool = False
) -> DashboardPage:
    """The page for ``user`` and the GET ``params``, from what is kept (or,
    with ``force``, everything counted again and kept)."""
    keeper = Keeper(current_stamp(), force=force)
    # The parts that do not depend on the choice, in one round trip.
    keeper.prefetch(_filter_parts(user), _waiting_parts(user), _recent_parts(user))
    form = dashboard_form(user=user, params=params, keeper=keeper)
    choice = subtitle = figures = None
    if form.is_valid():
        choice = form.chosen()
        if choice is not None:
            subtitle, figures = _figures(user, choice, keeper)
    return DashboardPage(
        form=form,
        choice=choice,
        subtitle=subtitle,
        figures=figures,
        pending=_pending(user, keeper),
        recent=_recent_changes(user, keeper),
        stale=keeper.stale,
        counted_at=keeper.counted_at,
    )


def refresh_key_parts(user: Actor, params: Mapping[str, str]) -> tuple:
    """What names one refresh: the user (what waits is theirs), their scope
    and the page asked for."""
    return (
        user.pk,
        scope_signature(user),
        tuple(params.get(name, "") for name in PARAMETERS),
    )


def dashboard_page_current(*, user: Actor, params: Mapping[str, str]) -> DashboardPage:
    """The page as the view shows it: from what is kept; when a part is
    stale, the worker is asked to count it again (once at a time per user
    and page). With Celery in eager mode the counting has run by the time
    ``delay`` returns, and the page is read again."""
    from reporting import tasks  # the tasks import the services, not views

    page = dashboard_page(user=user, params=params)
    if not page.stale:
        return page
    parts = refresh_key_parts(user, params)
    if not refresh_claim(parts):
        return page  # already being counted
    wanted = {name: params[name] for name in PARAMETERS if name in params}
    try:
        tasks.dashboard_refresh.delay(
            user.pk, translation.get_language() or settings.LANGUAGE_CODE, wanted
        )
    except Exception:  # noqa: BLE001 - the broker is down: show what is kept
        logger.exception("could not ask the worker to count the dashboard again")
        refresh_release(parts)
        return page
    if tasks.dashboard_refresh.app.conf.task_always_eager:
        return dashboard_page(user=user, params=params)
    return page


def dashboard_refresh(*, user: Actor, params: Mapping[str, str]) -> None:
    """Count every part of the page again and keep it (the worker's task)."""
    try:
        dashboard_page(user=user, params=params, force=True)
    finally:
        refresh_release(refresh_key_parts(user, params))

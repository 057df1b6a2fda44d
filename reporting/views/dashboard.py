"""The dashboard for leaders and staff (and every user, inside their scope):
the phase at a glance — the quotas per unit kind, the ward police of each
city and town against the 30 % line, the 2026–2030 way to 100 %, what waits
for the user, the latest changes — and the same tables as an XLSX workbook.

The figures are the phase report's (``reporting.phase_data``), counted on
today (a phase that has ended: on its last day), read as the user; the charts
are the PDF's geometry drawn by the web's chart include. A constant number of
queries whatever the number of units, registrations or assessments. The page
is built by ``reporting.dashboard_page``: the rendered figures, the list of
localities, what waits and the latest changes are kept between requests and
counted again by the worker when the data change (``reporting.dashboard_cache``)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from campaign.committees import access
from campaign.committees.access import Capability
from campaign.exports import xlsx_response
from reporting.choices import ReportKind
from reporting.dashboard_cache import Keeper
from reporting.dashboard_export import dashboard_filename, dashboard_workbook
from reporting.dashboard_page import (
    current_stamp,
    dashboard_data,
    dashboard_form,
    dashboard_page_current,
)


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """GET ``?phase=…&scope=…`` (both optional). A phase that is not in the
    plan, or a locality outside the user's scope, is the page with the
    form's message and no figures (400)."""
    access.require(request.user, Capability.VIEW)
    page = dashboard_page_current(user=request.user, params=request.GET)
    context: dict = {"form": page.form, "pending": page.pending, "recent": page.recent}
    if page.form.errors:
        return render(request, "reporting/dashboard.html", context, status=400)
    if page.choice is not None:
        query = urlencode(page.choice.query)
        context.update(
            choice=page.choice,
            subtitle=page.subtitle,
            figures=page.figures,
            stale=page.stale,
            counted_at=page.counted_at,
            started=page.choice.as_of.year >= page.choice.phase.start_year,
            export_url=f"{reverse('reporting:dashboard_export')}?{query}",
            # The report centre, at the phase report's form (which may take
            # the phase and scope from the address).
            report_url=(
                f"{reverse('reporting:report_list')}?{query}"
                f"#kind-{ReportKind.PHASE_PROGRESS}-heading"
            ),
        )
    return render(request, "reporting/dashboard.html", context)


@require_GET
def dashboard_export(request: HttpRequest) -> HttpResponse:
    """The dashboard's tables as one XLSX workbook, same choice and scope
    (always counted afresh)."""
    access.require(request.user, Capability.VIEW)
    form = dashboard_form(
        user=request.user, params=request.GET, keeper=Keeper(current_stamp())
    )
    if not form.is_valid():
        return render(request, "reporting/dashboard.html", {"form": form}, status=400)
    choice = form.chosen()
    if choice is None:
        raise Http404("The plan has no phase, or the user no committee.")
    data = dashboard_data(user=request.user, choice=choice, page=False)
    return xlsx_response(dashboard_workbook(data), filename=dashboard_filename(data))

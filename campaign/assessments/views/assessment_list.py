"""The assessment list (filters, accent-insensitive search, pages), its CSV
and XLSX exports, and the list of assessments waiting for the user."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from campaign import exports
from campaign.assessments.forms.assessments import AssessmentFilterForm
from campaign.assessments.selectors import assessment_pages as pages
from campaign.assessments.selectors.assessments import (
    assessment_list_for_user,
    waiting_assessments_for_user,
)
from campaign.committees import access
from campaign.committees.access import Capability
from campaign.planning.selectors.periods import (
    campaign_years,
    exemplary_programme,
    phases_of,
)

ASSESSMENTS_PER_PAGE = 50
# Column widths in characters, in the order of the export's columns.
XLSX_COLUMN_WIDTHS = (8, 7, 40, 16, 30, 50, 22, 9, 9, 9, 9, 9, 9, 22, 17, 17)


def plan_years() -> list[int]:
    """Every year of the plan's phases, oldest first."""
    return campaign_years(phases_of(exemplary_programme()))


def _filtered(
    request: HttpRequest, *, counts: bool = True
) -> tuple[AssessmentFilterForm, QuerySet]:
    """The filter form bound to the query string, and the user's assessments
    narrowed by it (none when the filters are invalid)."""
    form = AssessmentFilterForm(request.GET, years=plan_years())
    assessments = assessment_list_for_user(user=request.user, counts=counts)
    if form.is_valid():
        assessments = pages.assessment_filter(assessments, **form.filters())
    else:
        assessments = assessments.none()
    return form, assessments


@require_GET
def assessment_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    form, assessments = _filtered(request, counts=False)
    page = pages.assessment_list_page(
        assessments, number=request.GET.get("page"), per_page=ASSESSMENTS_PER_PAGE
    )
    return render(
        request,
        "assessments/assessment_list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": pages.assessment_list_rows(page),
            "total": page.paginator.count,
            "searching": form.is_filtering,
            "can_assess": access.can(request.user, Capability.ASSESS_UNITS),
        },
    )


@require_GET
def assessment_waiting(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    assessments = list(waiting_assessments_for_user(user=request.user))
    return render(
        request,
        "assessments/assessment_waiting.html",
        {
            "assessments": assessments,
            "rows": pages.assessment_list_rows(assessments),
            "verifies": access.can(request.user, Capability.VERIFY_ASSESSMENTS),
        },
    )


# --- Exports ------------------------------------------------------------------------


def _export_header() -> list[str]:
    """Column titles in the active language (Vietnamese by default)."""
    return [
        _("Assessment ID"),
        _("Year"),
        _("Unit"),
        _("Unit type"),
        _("Assessing committee"),
        _("Criteria set"),
        _("Status"),
        _("Criteria met"),
        _("Criteria answered"),
        _("Criteria verified"),
        _("Criteria"),
        _("Required criteria met"),
        _("Required criteria"),
        _("Meets all the required criteria"),
        _("Submitted at"),
        _("Decided at"),
    ]


@require_GET
def assessment_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered list (same query string as the list page, every page) as
    CSV (UTF-8 with BOM, streamed) or XLSX."""
    access.require(request.user, Capability.VIEW)
    _form, assessments = _filtered(request)
    # Labels are read now, in the request's language: a streamed body is
    # produced after the view has returned.
    header = _export_header()
    rows = pages.assessment_export_rows(assessments)
    return exports.export_response(
        fmt,
        header=header,
        rows=rows,
        filename=f"danh-gia-tieu-chi-{timezone.localdate():%Y%m%d}",
        sheet_title=_("Assessments"),
        widths=XLSX_COLUMN_WIDTHS,
    )

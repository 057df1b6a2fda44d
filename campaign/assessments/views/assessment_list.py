"""The assessment list (filters, accent-insensitive search, pages), its CSV
and XLSX exports, and the list of assessments waiting for the user."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

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
from campaign.registrations.selectors.registration_list import neutralise_cell

ASSESSMENTS_PER_PAGE = 50
EXPORT_FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
XLSX_DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
# Column widths in characters, in the order of the export's columns.
XLSX_COLUMN_WIDTHS = (8, 7, 40, 16, 30, 50, 22, 9, 9, 9, 9, 9, 9, 22, 17, 17)


def plan_years() -> list[int]:
    """Every year of the plan's phases, oldest first."""
    return campaign_years(phases_of(exemplary_programme()))


def _filtered(request: HttpRequest) -> tuple[AssessmentFilterForm, QuerySet]:
    """The filter form bound to the query string, and the user's assessments
    narrowed by it (none when the filters are invalid)."""
    form = AssessmentFilterForm(request.GET, years=plan_years())
    assessments = assessment_list_for_user(user=request.user)
    if form.is_valid():
        assessments = pages.assessment_filter(assessments, **form.filters())
    else:
        assessments = assessments.none()
    return form, assessments


@require_GET
def assessment_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    form, assessments = _filtered(request)
    page = Paginator(assessments, ASSESSMENTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "assessments/assessment_list.html",
        {
            "form": form,
            "page_obj": page,
            "total": page.paginator.count,
            "searching": form.is_filtering,
            "can_assess": access.can(request.user, Capability.ASSESS_UNITS),
        },
    )


@require_GET
def assessment_waiting(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    return render(
        request,
        "assessments/assessment_waiting.html",
        {
            "assessments": list(waiting_assessments_for_user(user=request.user)),
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


class _Echo:
    """A file-like object whose ``write`` hands back what it was given, so that
    ``csv.writer`` formats one row at a time for a streaming response."""

    def write(self, value: str) -> str:
        return value


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime(CSV_DATETIME_FORMAT)
    return neutralise_cell(value)


def _csv_lines(header: list[str], rows: Iterable[tuple]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # A byte order mark, so that Excel reads the file as UTF-8 (Vietnamese).
    yield "\ufeff" + writer.writerow([neutralise_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([_csv_value(value) for value in row])


def _xlsx_value(sheet, value):
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATETIME_FORMAT
        return cell
    if isinstance(value, str):
        return neutralise_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _xlsx_bytes(header: list[str], rows: Iterable[tuple]) -> bytes:
    """A bold, frozen header row with a filter on every column, and columns
    wide enough for their content."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Assessments")[:31])
    for index, width in enumerate(XLSX_COLUMN_WIDTHS[: len(header)], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=_xlsx_value(sheet, title))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@require_GET
def assessment_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered list (same query string as the list page, every page) as
    CSV (UTF-8 with BOM, streamed) or XLSX."""
    access.require(request.user, Capability.VIEW)
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such export format.")
    _form, assessments = _filtered(request)
    # Labels are read now, in the request's language: a streamed body is
    # produced after the view has returned.
    header = _export_header()
    rows = pages.assessment_export_rows(assessments)
    filename = f"danh-gia-tieu-chi-{timezone.localdate():%Y%m%d}.{fmt}"
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_lines(header, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            _xlsx_bytes(header, rows), content_type=XLSX_CONTENT_TYPE
        )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    patch_cache_control(response, private=True, no_store=True)
    return response

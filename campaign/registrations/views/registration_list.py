"""The registration list: filters, search, counts by status, the year's quotas,
and the CSV and XLSX exports of the filtered list."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from campaign.committees import access
from campaign.committees.access import Capability
from campaign.planning.selectors.periods import (
    current_year_of_programme,
    exemplary_programme,
)
from campaign.registrations.choices import RegistrationStatus
from campaign.registrations.forms.registration_list import RegistrationFilterForm
from campaign.registrations.models import Registration
from campaign.registrations.selectors import registration_list as selectors
from campaign.registrations.selectors.registrations import (
    quota_table,
    registration_list_for_user,
)

REGISTRATIONS_PER_PAGE = 50
EXPORT_FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
XLSX_DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


class RegistrationPaginator(Paginator):
    """Pages of a registration queryset, each fetched with a deferred join
    (``selectors.registration_page``)."""

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        stop = start + self.per_page
        if stop + self.orphans >= self.count:
            stop = self.count
        rows = selectors.registration_page(self.object_list, start=start, stop=stop)
        return self._get_page(rows, number, self)


def _filtered(request: HttpRequest) -> tuple[RegistrationFilterForm, QuerySet]:
    """The filter form bound to the query string, and the user's registrations
    narrowed by it (none when the filters are invalid)."""
    form = RegistrationFilterForm(request.GET, user=request.user)
    registrations = registration_list_for_user(user=request.user)
    if form.is_valid():
        registrations = selectors.registration_filter(registrations, **form.filters())
    else:
        registrations = registrations.none()
    return form, registrations


@require_GET
def registration_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    form, registrations = _filtered(request)
    counts = selectors.registration_counts(registrations)
    paginator = RegistrationPaginator(registrations, REGISTRATIONS_PER_PAGE)
    # The counts query has just counted the same rows: the paginator need not
    # run its own COUNT.
    paginator.count = counts["total"]
    page = paginator.get_page(request.GET.get("page"))
    chosen_year = form.cleaned_data.get("year") if form.is_valid() else None
    programme = exemplary_programme()
    quota_year = chosen_year or current_year_of_programme(programme)
    return render(
        request,
        "registrations/registration_list.html",
        {
            "form": form,
            "page_obj": page,
            "searching": form.is_filtering,
            "total": counts["total"],
            "status_counts": [
                (status.value, status.label, counts[status.value])
                for status in RegistrationStatus
            ],
            "quotas": quota_table(year=quota_year, programme=programme),
            "can_register": access.can(request.user, Capability.REGISTER_UNITS),
        },
    )


def _field_label(name: str) -> str:
    return str(capfirst(Registration._meta.get_field(name).verbose_name))


def _export_header() -> list[str]:
    """Column titles in the active language (Vietnamese by default)."""
    return [
        _("Registration ID"),
        _field_label("year"),
        _field_label("phase"),
        _field_label("unit_kind"),
        _field_label("unit_name"),
        _field_label("committee"),
        _field_label("contact_name"),
        _field_label("contact_phone"),
        _field_label("status"),
        _field_label("submitted_at"),
        _field_label("decided_at"),
    ]


class _Echo:
    """A file-like object whose ``write`` hands back what it was given, so that
    ``csv.writer`` can format one row at a time for a streaming response."""

    def write(self, value: str) -> str:
        return value


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime(CSV_DATETIME_FORMAT)
    return selectors.neutralise_cell(value)


def _csv_lines(header: list[str], rows: Iterable[tuple]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    # A byte order mark, so that Excel reads the file as UTF-8 (Vietnamese).
    yield "\ufeff" + writer.writerow([selectors.neutralise_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([_csv_value(value) for value in row])


def _xlsx_value(sheet, value):
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATETIME_FORMAT
        return cell
    if isinstance(value, str):
        # openpyxl refuses control characters; it would also store a string
        # starting with "=" as a formula, hence the neutralising.
        return selectors.neutralise_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


# Column widths in characters, in the order of the export's columns.
XLSX_COLUMN_WIDTHS = (10, 7, 11, 16, 40, 34, 24, 15, 18, 17, 17)


def _xlsx_bytes(header: list[str], rows: Iterable[tuple]) -> bytes:
    """A workbook people can read at once: a bold header row that stays in
    view (frozen) with a filter on every column, and columns wide enough for
    their content."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Registrations")[:31])
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
def registration_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered list (same query string as the list page, every page) as
    CSV (UTF-8 with BOM, streamed) or XLSX."""
    access.require(request.user, Capability.VIEW)
    if fmt not in EXPORT_FORMATS:
        raise Http404("No such export format.")
    _form, registrations = _filtered(request)
    # Labels are read now, in the request's language: a streamed body is
    # produced after the view has returned.
    header = _export_header()
    rows = selectors.registration_export_rows(registrations)
    filename = f"dang-ky-dien-hinh-{timezone.localdate():%Y%m%d}.{fmt}"
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
    # Names and phone numbers: not for shared caches.
    patch_cache_control(response, private=True, no_store=True)
    return response

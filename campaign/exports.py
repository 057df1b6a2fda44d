"""Exporting a list to CSV or XLSX, shared by the rooms' list pages (it imports
no room).

* CSV: UTF-8 with a byte order mark (Excel then reads the Vietnamese names),
  streamed one row at a time, dates as dd/mm/yyyy hh:mm;
* XLSX: a bold, frozen header row with a filter on every column, sized
  columns, real dates; one sheet (``xlsx_bytes``) or several
  (``xlsx_workbook_bytes``, e.g. the dashboard's tables);
* in both, a text cell that a spreadsheet would run as a formula (it starts
  with ``=``, ``+``, ``-``, ``@``, a tab or a line break) gets a leading
  apostrophe;
* the response is an attachment, private and not stored by any cache (names
  and phone numbers).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_DATETIME_FORMAT = "%d/%m/%Y %H:%M"
XLSX_DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
XLSX_DATE_FORMAT = "dd/mm/yyyy"
# Characters a sheet's title may not hold, and its greatest length.
SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")
SHEET_TITLE_MAX = 31
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def neutralise_cell(value):
    """A cell value that no spreadsheet will run as a formula: a string starting
    with ``=``, ``+``, ``-``, ``@``, a tab or a line break gets a leading
    apostrophe. Other values (numbers, dates, ``None``) are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


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
    return neutralise_cell(value)


def csv_lines(header: Sequence[str], rows: Iterable[tuple]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([neutralise_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([_csv_value(value) for value in row])


def _xlsx_value(sheet, value):
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATETIME_FORMAT
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATE_FORMAT
        return cell
    if isinstance(value, str):
        # openpyxl refuses control characters; it would also store a string
        # starting with "=" as a formula, hence the neutralising.
        return neutralise_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


@dataclass(frozen=True)
class XlsxSheet:
    """One sheet of a workbook: its title (shortened to what a spreadsheet
    allows), the header row, the rows, and the columns' widths in characters."""

    title: str
    header: Sequence[str]
    rows: Iterable[tuple]
    widths: Sequence[int] = ()


def _sheet_title(title: str, taken: set[str]) -> str:
    """``title`` as a sheet may be named: no ``[]:*?/\\``, no apostrophe at
    either end, at most 31 characters, not used twice in the workbook (case
    ignored)."""
    base = " ".join(SHEET_TITLE_FORBIDDEN.sub(" ", str(title)).split())
    base = base.strip("'")[:SHEET_TITLE_MAX].rstrip(" '") or "Sheet"
    name, number = base, 1
    while name.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        name = base[: SHEET_TITLE_MAX - len(suffix)] + suffix
    taken.add(name.casefold())
    return name


def _write_sheet(workbook: Workbook, spec: XlsxSheet, taken: set[str]) -> None:
    sheet = workbook.create_sheet(title=_sheet_title(spec.title, taken))
    header = spec.header
    for index, width in enumerate(spec.widths[: len(header)], start=1):
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
    for row in spec.rows:
        sheet.append([_xlsx_value(sheet, value) for value in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"


def xlsx_workbook_bytes(sheets: Iterable[XlsxSheet]) -> bytes:
    """A workbook of several sheets, each as ``xlsx_bytes`` makes its one."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    for spec in sheets:
        _write_sheet(workbook, spec, taken)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_bytes(
    header: Sequence[str],
    rows: Iterable[tuple],
    *,
    sheet_title: str,
    widths: Sequence[int] = (),
) -> bytes:
    """A workbook people can read at once: a bold header row that stays in
    view (frozen) with a filter on every column, and columns ``widths``
    characters wide."""
    return xlsx_workbook_bytes(
        [XlsxSheet(title=sheet_title, header=header, rows=rows, widths=widths)]
    )


def _attachment(response, filename: str):
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


def xlsx_response(content: bytes, *, filename: str) -> HttpResponse:
    """A workbook (``xlsx_workbook_bytes``) as ``filename``.xlsx, private and
    not stored by any cache."""
    return _attachment(
        HttpResponse(content, content_type=XLSX_CONTENT_TYPE), f"{filename}.xlsx"
    )


def export_response(
    fmt: str,
    *,
    header: Sequence[str],
    rows: Iterable[tuple],
    filename: str,
    sheet_title: str,
    widths: Sequence[int] = (),
) -> HttpResponse | StreamingHttpResponse:
    """The list as ``filename``.csv (streamed) or .xlsx; any other format is a
    404. ``header`` is worded by the caller, in the request's language: a
    streamed body is produced after the view has returned."""
    if fmt not in FORMATS:
        raise Http404("No such export format.")
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_lines(header, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            xlsx_bytes(header, rows, sheet_title=sheet_title, widths=widths),
            content_type=XLSX_CONTENT_TYPE,
        )
    return _attachment(response, f"{filename}.{fmt}")

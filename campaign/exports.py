"""Exporting a list to CSV or XLSX, shared by the rooms' list pages (it imports
no room).

* CSV: UTF-8 with a byte order mark (Excel then reads the Vietnamese names),
  streamed one row at a time, dates as dd/mm/yyyy hh:mm;
* XLSX: a bold, frozen header row with a filter on every column, sized
  columns, real dates; streamed too (``xlsx_chunks``: the zip archive is
  written part by part, the sheet row by row, in constant memory), or whole
  for one sheet (``xlsx_bytes``) or several (``xlsx_workbook_bytes``, e.g. the
  dashboard's tables);
* in both, a text cell that a spreadsheet would run as a formula (it starts
  with ``=``, ``+``, ``-``, ``@``, a tab or a line break) gets a leading
  apostrophe;
* the response is an attachment, private and not stored by any cache (names
  and phone numbers).
"""

from __future__ import annotations

import csv
import datetime
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import absolute_coordinate, get_column_letter, quote_sheetname
from openpyxl.utils.datetime import to_excel
from openpyxl.writer.theme import theme_xml

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


# --- XLSX, streamed ---------------------------------------------------------------
#
# The workbook is written part by part into a zip archive whose "file" is a
# sink that cannot seek: zipfile then writes each part's sizes after its data
# (data descriptors), so every compressed byte can be sent as soon as it
# exists. The sheet's XML is written row by row; the parts that depend on the
# number of rows (the filter's range in workbook.xml) come after the sheets,
# as openpyxl also orders them. Memory stays constant whatever the number of
# rows, and the first bytes leave before the first row is read.

# Styles (cellXfs), by index: 0 plain, 1 bold header, 2 date and time, 3 date.
_STYLE_HEADER, _STYLE_DATETIME, _STYLE_DATE = 1, 2, 3
# XML 1.0 forbids these too (openpyxl's ILLEGAL_CHARACTERS_RE covers the
# control characters only); a lone surrogate cannot even be encoded.
_NOT_XML_RE = re.compile("[\ud800-\udfff\ufffe\uffff]")
# How much compressed output is gathered before it is sent.
_SEND_BYTES = 64 * 1024
# How many rows of XML are joined before they go to the compressor.
_ROWS_PER_WRITE = 200

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_APP_XML = (
    _XML_HEAD + '<Properties xmlns="http://schemas.openxmlformats.org/'
    'officeDocument/2006/extended-properties"><Application>Microsoft Excel'
    "</Application></Properties>"
)
_STYLES_XML = (
    _XML_HEAD + f'<styleSheet xmlns="{_MAIN_NS}">'
    '<numFmts count="2">'
    f'<numFmt numFmtId="164" formatCode="{XLSX_DATETIME_FORMAT}"/>'
    f'<numFmt numFmtId="165" formatCode="{XLSX_DATE_FORMAT}"/>'
    "</numFmts>"
    '<fonts count="2">'
    '<font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/>'
    '<scheme val="minor"/></font>'
    '<font><b val="1"/><sz val="11"/><color theme="1"/><name val="Calibri"/>'
    '<family val="2"/><scheme val="minor"/></font>'
    "</fonts>"
    '<fills count="2"><fill><patternFill/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
    "</borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    "</cellStyleXfs>"
    '<cellXfs count="4">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" '
    'applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)
_ROOT_RELS_XML = (
    _XML_HEAD + f'<Relationships xmlns="{_PKG_REL_NS}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/'
    '2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/extended-properties" '
    'Target="docProps/app.xml"/></Relationships>'
)
_SHEET_HEAD = (
    _XML_HEAD + f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
    '<sheetPr><outlinePr summaryBelow="1" summaryRight="1"/><pageSetUpPr/></sheetPr>'
    # The header row stays in view: the pane is frozen below row 1.
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
    'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" '
    'activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
    '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>'
)
_SHEET_TAIL = (
    '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" '
    'footer="0.5"/></worksheet>'
)


def _escape(value: str) -> str:
    """``value`` with XML's markup characters written as entities (also the
    double quote, so that it can stand in an attribute)."""
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def _xml_text(value: str) -> str:
    """``value`` as the text of an XML element: escaped, carriage returns kept
    (as a character reference, which XML parsers do not turn into a newline)."""
    return _escape(value).replace("\r", "&#13;")


def _xlsx_text(value: str) -> str:
    # Control characters and the rest of what XML 1.0 forbids are removed; a
    # string starting with "=" would be run as a formula, hence the neutralising.
    return neutralise_cell(_NOT_XML_RE.sub("", ILLEGAL_CHARACTERS_RE.sub("", value)))


def _string_cell(ref: str, text: str, style: str = "") -> str:
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{_xml_text(text)}</t></is></c>'


def _xlsx_cell(ref: str, value) -> str:
    """One cell of a data row (``""`` for an empty one): a real date (a serial
    number with a dd/mm/yyyy format), a number, a boolean or a string."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            # Spreadsheets have no time zones: the local time is written.
            value = timezone.localtime(value).replace(tzinfo=None)
        return f'<c r="{ref}" s="{_STYLE_DATETIME}" t="n"><v>{to_excel(value)}</v></c>'
    if isinstance(value, datetime.date):
        return f'<c r="{ref}" s="{_STYLE_DATE}" t="n"><v>{to_excel(value)}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | Decimal):
        return f'<c r="{ref}" t="n"><v>{value}</v></c>'
    if isinstance(value, float):
        # NaN and infinities have no spreadsheet form: an empty cell.
        return (
            f'<c r="{ref}" t="n"><v>{value!r}</v></c>' if math.isfinite(value) else ""
        )
    return _string_cell(ref, _xlsx_text(str(value)))


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


class _Sink:
    """Where the zip archive is written: it keeps what it is given until it is
    taken to be sent. It has no ``tell`` or ``seek``, so zipfile writes data
    descriptors instead of going back to fill in sizes."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        self.size = 0
        return data


def _sheet_chunks(part, spec: XlsxSheet, sink: _Sink) -> Iterator[bytes]:
    """Write one sheet's XML into ``part`` (an archive member open for
    writing), row by row, handing back the compressed output as it grows.
    Returns (as the generator's value) the range of its filter."""
    columns = len(spec.header)
    letters = [get_column_letter(index) for index in range(1, columns + 1)]
    cols = "".join(
        f'<col min="{index}" max="{index}" width="{width}" customWidth="1"/>'
        for index, width in enumerate(spec.widths[:columns], start=1)
    )
    header = "".join(
        _string_cell(f"{letter}1", _xlsx_text(str(title)), f' s="{_STYLE_HEADER}"')
        for letter, title in zip(letters, spec.header, strict=True)
    )
    part.write(
        (
            _SHEET_HEAD
            + (f"<cols>{cols}</cols>" if cols else "")
            + f'<sheetData><row r="1">{header}</row>'
        ).encode()
    )
    number = 1
    pending: list[str] = []
    for row in spec.rows:
        number += 1
        cells = "".join(
            _xlsx_cell(f"{letter}{number}", value)
            for letter, value in zip(letters, row, strict=False)
        )
        pending.append(f'<row r="{number}">{cells}</row>')
        if len(pending) >= _ROWS_PER_WRITE:
            part.write("".join(pending).encode())
            pending.clear()
            if sink.size >= _SEND_BYTES:
                yield sink.take()
    filter_range = f"A1:{letters[-1]}{number}"
    pending.append(f'</sheetData><autoFilter ref="{filter_range}"/>{_SHEET_TAIL}')
    part.write("".join(pending).encode())
    return filter_range


def _workbook_xml(sheets: list[tuple[str, str]]) -> str:
    names = "".join(
        f'<sheet name="{_escape(title)}" sheetId="{number}" r:id="rId{number}"/>'
        for number, (title, _range) in enumerate(sheets, start=1)
    )
    # Excel keeps each sheet's filter range in a hidden defined name.
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" '
        f'hidden="1">{_xml_text(quote_sheetname(title))}!'
        f"{absolute_coordinate(filter_range)}</definedName>"
        for index, (title, filter_range) in enumerate(sheets)
    )
    return (
        _XML_HEAD + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
        '<workbookPr/><bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{names}</sheets>"
        + (f"<definedNames>{filters}</definedNames>" if filters else "")
        + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
    )


def _workbook_rels_xml(count: int) -> str:
    sheet_type = f"{_REL_NS}/worksheet"
    sheets = "".join(
        f'<Relationship Id="rId{n}" Type="{sheet_type}" '
        f'Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, count + 1)
    )
    return (
        _XML_HEAD + f'<Relationships xmlns="{_PKG_REL_NS}">{sheets}'
        f'<Relationship Id="rId{count + 1}" Type="{_REL_NS}/styles" '
        'Target="styles.xml"/>'
        f'<Relationship Id="rId{count + 2}" Type="{_REL_NS}/theme" '
        'Target="theme/theme1.xml"/></Relationships>'
    )


def _content_types_xml(count: int) -> str:
    office = "application/vnd.openxmlformats-officedocument"
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        f'ContentType="{office}.spreadsheetml.worksheet+xml"/>'
        for n in range(1, count + 1)
    )
    return (
        _XML_HEAD
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        f'ContentType="{office}.spreadsheetml.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{office}.spreadsheetml.styles+xml"/>'
        f'<Override PartName="/xl/theme/theme1.xml" ContentType="{office}.theme+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        f'ContentType="{office}.extended-properties+xml"/>'
        f"{sheets}</Types>"
    )


def _core_xml() -> str:
    now = f"{datetime.datetime.now(datetime.UTC):%Y-%m-%dT%H:%M:%SZ}"
    return (
        _XML_HEAD + "<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def xlsx_chunks(sheets: Iterable[XlsxSheet]) -> Iterator[bytes]:
    """A workbook of ``sheets`` as the successive pieces of its file, for a
    streamed response: each sheet has a bold, frozen header row with a filter
    on every column, its columns ``widths`` characters wide, real dates. The
    first piece comes before any sheet or row is read; the rest as the rows are
    read (about every 64 KiB of compressed output)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("docProps/app.xml", _APP_XML)
        archive.writestr("docProps/core.xml", _core_xml())
        archive.writestr("xl/theme/theme1.xml", theme_xml)
        yield sink.take()
        taken: set[str] = set()
        written: list[tuple[str, str]] = []
        for number, spec in enumerate(sheets, start=1):
            title = _sheet_title(spec.title, taken)
            with archive.open(f"xl/worksheets/sheet{number}.xml", "w") as part:
                filter_range = yield from _sheet_chunks(part, spec, sink)
            written.append((title, filter_range))
        archive.writestr("xl/styles.xml", _STYLES_XML)
        archive.writestr("_rels/.rels", _ROOT_RELS_XML)
        archive.writestr("xl/workbook.xml", _workbook_xml(written))
        archive.writestr("xl/_rels/workbook.xml.rels", _workbook_rels_xml(len(written)))
        archive.writestr("[Content_Types].xml", _content_types_xml(len(written)))
    yield sink.take()


def xlsx_workbook_bytes(sheets: Iterable[XlsxSheet]) -> bytes:
    """A workbook of several sheets (``xlsx_chunks``), whole."""
    return b"".join(xlsx_chunks(sheets))


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
    """The list as ``filename``.csv or .xlsx, both streamed; any other format
    is a 404. ``header`` is worded by the caller, in the request's language: a
    streamed body is produced after the view has returned."""
    if fmt not in FORMATS:
        raise Http404("No such export format.")
    response: HttpResponse | StreamingHttpResponse
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_lines(header, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        # Streamed too: the first bytes leave at once, memory stays constant
        # whatever the number of rows (20,000 registrations: a few seconds of
        # building that used to hold everything back).
        sheet = XlsxSheet(title=sheet_title, header=header, rows=rows, widths=widths)
        response = StreamingHttpResponse(
            xlsx_chunks([sheet]), content_type=XLSX_CONTENT_TYPE
        )
    return _attachment(response, f"{filename}.{fmt}")

"""The streamed XLSX export (``campaign.exports``): the same workbook as
openpyxl builds (cell for cell: values, formats, bold header, frozen pane,
filter, widths, sheet title), sent piece by piece, the first piece before any
row is read, in pieces that do not grow with the number of rows."""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.test import SimpleTestCase
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from campaign import exports

HEADER = ["Mã hồ sơ", "Năm", "Đơn vị", "=Ghi chú", "Nộp lúc", "Ngày", "Điểm", "Đạt"]
WIDTHS = (10, 7, 40, 20, 17, 12, 8, 6)


def naive(*parts: int) -> datetime.datetime:
    # The export's rows carry naive local times: spreadsheets have no zones.
    return datetime.datetime(*parts)  # noqa: DTZ001


def sample_rows() -> list[tuple]:
    return [
        (
            1,
            2023,
            "Phường Mỹ Bình",
            '=HYPERLINK("http://x")',
            naive(2023, 3, 1, 8, 5),
            datetime.date(2023, 1, 2),
            Decimal("8.50"),
            True,
        ),
        (2, 2024, " Trường Tiểu học  ", "+1", None, None, 7.25, False),
        (
            3,
            2025,
            "Xã Vĩnh Tế\x01\x07",
            "@SUM(A1)",
            None,
            datetime.date(2025, 12, 31),
            -3,
            None,
        ),
        (
            4,
            2026,
            "Công ty <TNHH> & Cộng sự",
            "－1",
            naive(2026, 1, 1),
            None,
            0,
            True,
        ),
        (5, 2026, "Nguyễn Văn Tư\tdòng", "tab\ttrong", None, None, None, None),
    ]


def openpyxl_workbook(title, header, rows, widths) -> bytes:
    """The workbook as the export built it before streaming, with openpyxl's
    write-only mode: the oracle the streamed file is compared with."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    for index, width in enumerate(widths[: len(header)], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"

    def value(v):
        if isinstance(v, datetime.datetime):
            cell = WriteOnlyCell(sheet, value=v)
            cell.number_format = exports.XLSX_DATETIME_FORMAT
            return cell
        if isinstance(v, datetime.date):
            cell = WriteOnlyCell(sheet, value=v)
            cell.number_format = exports.XLSX_DATE_FORMAT
            return cell
        if isinstance(v, str):
            return exports.neutralise_cell(ILLEGAL_CHARACTERS_RE.sub("", v))
        return v

    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=value(text))
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)
    for row in rows:
        sheet.append([value(v) for v in row])
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def described(content: bytes) -> dict:
    """What a reader sees of a workbook's first sheet."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    return {
        "sheets": workbook.sheetnames,
        "freeze_panes": sheet.freeze_panes,
        "filter": sheet.auto_filter.ref,
        "widths": {k: d.width for k, d in sheet.column_dimensions.items()},
        "cells": [
            [(c.value, c.data_type, c.number_format, bool(c.font.b)) for c in row]
            for row in sheet.iter_rows()
        ],
    }


def streamed(header, rows, *, title="Đăng ký", widths=WIDTHS) -> list[bytes]:
    response = exports.export_response(
        "xlsx",
        header=header,
        rows=rows,
        filename="dang-ky",
        sheet_title=title,
        widths=widths,
    )
    assert isinstance(response, StreamingHttpResponse)
    return list(response.streaming_content)


class StreamedXlsxTests(SimpleTestCase):
    def test_the_streamed_workbook_is_the_one_openpyxl_builds_cell_for_cell(self):
        title = "Đăng ký: [2023]/2025's"
        body = b"".join(streamed(HEADER, iter(sample_rows()), title=title))
        expected = openpyxl_workbook(
            exports._sheet_title(title, set()), HEADER, sample_rows(), WIDTHS
        )
        self.assertEqual(described(body), described(expected))
        # What the comparison covers, spelled out.
        seen = described(body)
        self.assertEqual(seen["freeze_panes"], "A2")
        self.assertEqual(seen["filter"], "A1:H6")
        self.assertTrue(all(bold for *_, bold in seen["cells"][0]))
        self.assertEqual(seen["cells"][0][3][0], "'=Ghi chú")
        self.assertEqual(
            seen["cells"][1][4][:3],
            (naive(2023, 3, 1, 8, 5), "d", "dd/mm/yyyy hh:mm"),
        )
        self.assertEqual(seen["cells"][3][2][0], "Xã Vĩnh Tế")

    def test_it_is_streamed_and_the_first_piece_comes_before_any_row_is_read(self):
        read = []

        def rows():
            for row in sample_rows():
                read.append(row[0])
                yield row

        response = exports.export_response(
            "xlsx",
            header=HEADER,
            rows=rows(),
            filename="dang-ky",
            sheet_title="Đăng ký",
        )
        self.assertIsInstance(response, StreamingHttpResponse)
        self.assertEqual(response["Content-Type"], exports.XLSX_CONTENT_TYPE)
        self.assertIn(
            'attachment; filename="dang-ky.xlsx"', response["Content-Disposition"]
        )
        pieces = iter(response.streaming_content)
        first = next(pieces)
        self.assertTrue(first.startswith(b"PK\x03\x04"), "a zip archive's first part")
        self.assertEqual(read, [])
        rest = b"".join(pieces)
        self.assertEqual(read, [1, 2, 3, 4, 5])
        self.assertEqual(len(described(first + rest)["cells"]), 6)

    def test_pieces_do_not_grow_with_the_rows(self):
        rng = random.Random(138)
        # Hard-to-compress text, so that the archive is large.
        rows = (
            (i, rng.randbytes(24).hex(), rng.randbytes(24).hex(), i * 1.5)
            for i in range(6000)
        )
        pieces = streamed(["Số", "A", "B", "C"], rows, widths=())
        total = sum(len(p) for p in pieces)
        self.assertGreater(total, 400_000)
        self.assertGreaterEqual(len(pieces), 6)
        self.assertLess(max(len(p) for p in pieces), 200_000)
        self.assertEqual(len(described(b"".join(pieces))["cells"]), 6001)

    def test_characters_xml_cannot_hold_are_removed_and_returns_kept(self):
        rows = [(1, "a\x00b\x1fc\ud800d\uffffe"), (2, "dòng 1\r\ndòng 2")]
        body = b"".join(streamed(["Số", "Ghi chú"], iter(rows), widths=()))
        cells = described(body)["cells"]
        self.assertEqual(cells[1][1][0], "abcde")
        self.assertEqual(cells[2][1][0], "dòng 1\r\ndòng 2")

    def test_a_workbook_of_several_sheets_names_each_once(self):
        content = exports.xlsx_workbook_bytes(
            [
                exports.XlsxSheet("Tổng hợp", ["A"], [(1,), (2,)]),
                exports.XlsxSheet("tổng hợp", ["A", "B"], [(1, "x")]),
            ]
        )
        workbook = load_workbook(io.BytesIO(content))
        self.assertEqual(workbook.sheetnames, ["Tổng hợp", "tổng hợp (2)"])
        self.assertEqual(
            [s.auto_filter.ref for s in workbook.worksheets], ["A1:A3", "A1:B2"]
        )
        self.assertEqual(workbook.worksheets[1]["B2"].value, "x")

"""What the fuzz tests send: hostile text (Vietnamese, control characters,
huge strings, markup and format strings), values shaped for each kind of form
field, and uploads of random or truncated content."""

from __future__ import annotations

import datetime
import io
import os
import unicodedata
from collections.abc import Iterable

from django import forms
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Bounded so that the suite stays fast; FUZZ_SCALE=10 for a deeper run.
SCALE = max(1, int(os.environ.get("FUZZ_SCALE", "1")))
FORM_EXAMPLES = 20 * SCALE
ENDPOINT_EXAMPLES = 10 * SCALE
PAGE_EXAMPLES = 8 * SCALE


def bounded(examples: int):
    """Hypothesis settings for one fuzz test: a fixed number of examples, no
    deadline (the first request of a test warms caches), nothing stored in a
    local example database, and the failing example printed to reproduce."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
    )


VIETNAMESE_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    "AĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
    "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    "ÀÁẢÃẠẰẮẲẴẶẦẤẨẪẬÈÉẺẼẸỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌỒỐỔỖỘỜỚỞỠỢÙÚỦŨỤỪỨỬỮỰỲÝỶỸỴ"
    " .,-/()"
)
_NAMES = [
    "Phường Mỹ Thạnh",
    "Xã Mỹ Hòa Hưng",
    "Công an phường Long Xuyên",
    "Nguyễn Văn Tư",
    "Trường THPT Thoại Ngọc Hầu",
    "Ban Chỉ đạo 138 tỉnh An Giang",
    "Quyết định số 01/QĐ-BCĐ ngày 20/12/2023",
]
HOSTILE_SAMPLES = [
    "",
    " ",
    "\t\n ",
    *_NAMES,
    # The same names decomposed (NFD): combining marks after the letters.
    *(unicodedata.normalize("NFD", name) for name in _NAMES),
    "Mỹ Thạnh\r\nBcc: everyone@example.invalid",
    "line one\rline two\nline three\u2028four\u2029five\x85six",
    "<script>alert('xss')</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }} {% now 'Y' %}",
    "%(unit)s %s %d {0} {year} %%",
    "'; DROP TABLE registrations_registration; --",
    "' OR '1'='1",
    "../../etc/passwd",
    "C:\\Windows\\win.ini",
    "\u202eevil\u202c txt.exe",
    "zero\u200bwidth\u200djoin\ufeff",
    "😀🇻🇳👮‍♀️",
    "\x00",
    "nul\x00inside",
    "\x07\x08\x0b\x0c\x1b[31m\x7f",
    "NaN",
    "Infinity",
    "-0",
    "1e309",
    "-1",
    "0",
    "9" * 40,
    "0x1F",
    "2023",
    "2025-02-30",
    "2025-13-01",
    "0001-01-01",
    "9999-12-31",
    "31/12/2023",
    "29/02/2023",
    "01/07/2025",
    "area:1",
    "area:-1",
    "area:99999999999999999999",
    "org:abc",
    "wp:0",
    "reg:1",
    "on",
    "true",
    "None",
    "null",
]

control_text = st.text(
    alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp"]), max_size=8
)
huge_text = st.builds(
    lambda unit, count: unit * count,
    st.sampled_from(["a", "ệ", "Ữ", "\n", "9", "<"]),
    st.sampled_from([121, 201, 2001, 4001, 100_000]),
)
hostile_text = st.one_of(
    st.sampled_from(HOSTILE_SAMPLES),
    st.text(alphabet=VIETNAMESE_LETTERS, max_size=60),
    st.text(max_size=40),  # any Unicode but surrogates
    control_text,
    huge_text,
)


def _choice_values(choices: Iterable) -> list[str]:
    values: list[str] = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            values.extend(str(v) for v, _label in label)
        else:
            values.append(str(getattr(value, "value", value)))
    return values


def _dates() -> st.SearchStrategy[str]:
    return st.dates(
        min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)
    ).flatmap(
        lambda day: st.sampled_from(
            [day.isoformat(), day.strftime("%d/%m/%Y"), day.strftime("%d/%m/%y")]
        )
    )


def _plan_dates() -> st.SearchStrategy[str]:
    return st.dates(
        min_value=datetime.date(2022, 1, 1), max_value=datetime.date(2031, 12, 31)
    ).flatmap(lambda day: st.sampled_from([day.isoformat(), day.strftime("%d/%m/%Y")]))


def field_values(field: forms.Field) -> st.SearchStrategy:
    """Values for one field: shaped like what it expects (so that the form's
    deeper checks run) or hostile text."""
    shaped: list[st.SearchStrategy] = []
    if isinstance(field, forms.ModelChoiceField):
        pks = [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:50]]
        if pks:
            shaped.append(st.sampled_from(pks))
        shaped.append(st.integers(-(2**63), 2**63).map(str))
    elif isinstance(field, forms.ChoiceField):
        values = _choice_values(field.choices)
        if values:
            shaped.append(st.sampled_from(values))
    if isinstance(field, forms.IntegerField | forms.TypedChoiceField):
        shaped.append(st.integers(2020, 2031).map(str))
        shaped.append(st.integers(-(10**30), 10**30).map(str))
    if isinstance(field, forms.DecimalField | forms.FloatField):
        shaped.append(st.decimals(allow_nan=True, allow_infinity=True).map(str))
        shaped.append(st.decimals(min_value=-1, max_value=101, places=2).map(str))
    if isinstance(field, forms.DateField):
        shaped.append(_plan_dates())
        shaped.append(_dates())
    if isinstance(field, forms.BooleanField):
        shaped.append(st.sampled_from(["on", "", "true", "false", "1", "0"]))
    if isinstance(field, forms.EmailField):
        shaped.append(st.emails())
    value = st.one_of(*shaped, hostile_text) if shaped else hostile_text
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return st.lists(value, max_size=4)
    return value


# --- Uploads -------------------------------------------------------------------------


def _pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


_SAMPLE_CONTENTS: list[bytes] = []


def sample_contents() -> list[bytes]:
    if not _SAMPLE_CONTENTS:
        pdf, png = _pdf_bytes(), _png_bytes()
        _SAMPLE_CONTENTS.extend(
            [
                pdf,
                png,
                pdf[: len(pdf) // 2],  # truncated
                b"%PDF-1.7\n" + b"\x00" * 64,
                b"PK\x03\x04" + b"\x00" * 40,  # the start of a zip, nothing more
                b"<html><script>alert(1)</script></html>",
                b"\xff\xd8\xff\xe0" + b"\x00" * 32,  # a JPEG header only
            ]
        )
    return _SAMPLE_CONTENTS


file_names = st.one_of(
    st.sampled_from(
        [
            "Bản đăng ký.pdf",
            "scan.PNG",
            "x.html",
            "../../etc/passwd",
            "a" * 300 + ".pdf",
            "no extension",
            ".pdf",
            "báo cáo\r\n.docx",
        ]
    ),
    st.text(alphabet=VIETNAMESE_LETTERS + "._-", min_size=1, max_size=30),
)


def uploads() -> st.SearchStrategy[SimpleUploadedFile]:
    content = st.one_of(
        st.sampled_from(sample_contents()), st.binary(min_size=0, max_size=3000)
    )
    return st.builds(_upload, file_names, content)


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    try:
        return SimpleUploadedFile(name, data)
    except SuspiciousFileOperation:  # "..", "/": no file name left in it
        return SimpleUploadedFile("f", data)

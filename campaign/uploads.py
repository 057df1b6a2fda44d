"""Checking uploaded files: what they really are, not what their name says.

Used by legal documents now and by registrations' evidence later. A file is
accepted only when

* its size is between 1 byte and ``settings.UPLOAD_MAX_BYTES``;
* its magic bytes (``filetype``) name an allowed kind; and
* a real parser opens it: pypdf for PDF (not encrypted, at least one page),
  Pillow for JPEG/PNG (pixel cap, ``verify()``, then a full decode and
  re-encode), ``zipfile`` for DOCX (the Word parts present, no zip bomb).

``SizeLimitedUploadHandler`` drops an oversized file while it streams in, so
a 200 MB file is neither held in memory nor written to disk in full; the form
learns about it through ``too_large_fields(request)``.
"""

from __future__ import annotations

import datetime
import logging
import os
import unicodedata
import uuid
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

import filetype
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image
from pypdf import PdfReader

logger = logging.getLogger(__name__)

# --- Limits -------------------------------------------------------------------------

DEFAULT_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
# A 40-megapixel photo (e.g. 7746 x 5164) decodes to about 120 MB of RGB.
MAX_IMAGE_PIXELS = 40_000_000
# A real .docx of 20 MB rarely expands beyond a few times its size.
MAX_DOCX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_DOCX_MEMBERS = 5_000
MAX_DISPLAY_NAME_LENGTH = 150
MAX_EXTENSION_LENGTH = 10
DEFAULT_DISPLAY_NAME = "file"
# Bytes read from the start of a file to recognise it (filetype reads 8192).
SIGNATURE_BYTES = 8192

# --- Kinds --------------------------------------------------------------------------

PDF = "pdf"
JPG = "jpg"
PNG = "png"
DOCX = "docx"
ALL_KINDS = frozenset({PDF, JPG, PNG, DOCX})
DOCUMENT_KINDS = frozenset({PDF})
EVIDENCE_KINDS = ALL_KINDS

KIND_LABELS = {PDF: "PDF", JPG: "JPEG", PNG: "PNG", DOCX: "Word (.docx)"}
# Name extensions that agree with each kind.
KIND_EXTENSIONS = {
    PDF: frozenset({"pdf"}),
    JPG: frozenset({"jpg", "jpeg", "jpe", "jfif"}),
    PNG: frozenset({"png"}),
    DOCX: frozenset({"docx"}),
}
CONTENT_TYPES = {
    PDF: "application/pdf",
    JPG: "image/jpeg",
    PNG: "image/png",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# What ``filetype`` answers for each kind ("zip": some writers put the Word parts
# after the first four entries, where filetype does not look; zipfile decides).
_GUESS_TO_KIND = {"pdf": PDF, "jpg": JPG, "png": PNG, "docx": DOCX, "zip": DOCX}
_DOCX_REQUIRED_PARTS = ("[Content_Types].xml", "word/document.xml")
_DOCX_MAIN_CONTENT_TYPE = (
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)

# --- Messages -----------------------------------------------------------------------

UPLOAD_EMPTY = _("The file is empty.")
UPLOAD_TOO_LARGE = _("The file is too large: the limit is %(limit)s.")
UPLOAD_KIND_NOT_ALLOWED = _(
    "This kind of file is not accepted here. Accepted: %(allowed)s."
)
UPLOAD_KIND_UNKNOWN = _(
    "The content of this file is not a document of an accepted kind "
    "(accepted: %(allowed)s), whatever its name says."
)
UPLOAD_NAME_MISMATCH = _(
    "The file name ends in .%(extension)s but the file is a %(kind)s file. "
    "Rename it or choose the right file."
)
UPLOAD_PDF_UNREADABLE = _("The PDF file is damaged or cannot be read.")
UPLOAD_PDF_ENCRYPTED = _(
    "The PDF file is protected by a password. Upload a copy without a password."
)
UPLOAD_PDF_NO_PAGES = _("The PDF file has no pages.")
UPLOAD_IMAGE_UNREADABLE = _("The image is damaged or cannot be read.")
UPLOAD_IMAGE_TOO_MANY_PIXELS = _(
    "The image is too large (%(width)s × %(height)s pixels). "
    "Reduce it to at most %(megapixels)s megapixels."
)
UPLOAD_DOCX_UNREADABLE = _("The Word file is damaged or is not a .docx document.")
UPLOAD_DOCX_ENCRYPTED = _(
    "The Word file is protected by a password. Upload a copy without a password."
)
UPLOAD_DOCX_TOO_LARGE = _(
    "The Word file expands to too much data once opened; it cannot be accepted."
)


def upload_max_bytes() -> int:
    return getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES)


def too_large_error() -> ValidationError:
    return ValidationError(
        UPLOAD_TOO_LARGE,
        code="too_large",
        params={"limit": filesizeformat(upload_max_bytes())},
    )


def _allowed_labels(allowed: frozenset[str]) -> str:
    return ", ".join(KIND_LABELS[kind] for kind in sorted(allowed))


# --- The check ----------------------------------------------------------------------


def check_upload(uploaded_file: UploadedFile, *, allowed: frozenset[str]) -> str:
    """The canonical extension of ``uploaded_file`` ("pdf", "jpg", "png",
    "docx") if it really is one of the ``allowed`` kinds; ``ValidationError``
    otherwise. The file is left positioned at its start."""
    unknown = allowed - ALL_KINDS
    if unknown:
        raise ValueError(f"Unknown upload kinds: {sorted(unknown)}")
    size = uploaded_file.size
    if not size:
        raise ValidationError(UPLOAD_EMPTY, code="empty")
    if size > upload_max_bytes():
        raise too_large_error()

    uploaded_file.seek(0)
    head = uploaded_file.read(SIGNATURE_BYTES)
    uploaded_file.seek(0)
    guess = filetype.guess(head)
    labels = {"allowed": _allowed_labels(allowed)}
    kind = _GUESS_TO_KIND.get(guess.extension) if guess else None
    if kind is None:
        # An executable, HTML page, script… or something unrecognised.
        raise ValidationError(UPLOAD_KIND_UNKNOWN, code="unknown_kind", params=labels)
    if kind not in allowed:
        raise ValidationError(
            UPLOAD_KIND_NOT_ALLOWED, code="kind_not_allowed", params=labels
        )

    _, dot_extension = os.path.splitext(uploaded_file.name or "")
    extension = dot_extension[1:].lower()
    if extension and extension not in KIND_EXTENSIONS[kind]:
        raise ValidationError(
            UPLOAD_NAME_MISMATCH,
            code="name_mismatch",
            params={"extension": extension, "kind": KIND_LABELS[kind]},
        )

    try:
        if kind == PDF:
            _check_pdf(uploaded_file)
        elif kind == DOCX:
            _check_docx(uploaded_file)
        else:
            _check_image(uploaded_file, kind=kind)
    finally:
        uploaded_file.seek(0)
    return kind


def _check_pdf(stream: IO[bytes]) -> None:
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted:
            raise ValidationError(UPLOAD_PDF_ENCRYPTED, code="pdf_encrypted")
        pages = len(reader.pages)
    except ValidationError:
        raise
    except Exception:
        # A parser fed untrusted bytes fails in many ways (PyPdfError, but also
        # KeyError, struct.error, zlib.error, RecursionError on a page tree
        # that refers to itself…): every one of them means "cannot be read".
        raise ValidationError(UPLOAD_PDF_UNREADABLE, code="pdf_unreadable") from None
    if pages == 0:
        raise ValidationError(UPLOAD_PDF_NO_PAGES, code="pdf_no_pages")


class _CountingSink:
    """A write-only file that keeps nothing: the re-encode test needs no output."""

    def __init__(self) -> None:
        self.written = 0

    def write(self, data: bytes) -> int:
        self.written += len(data)
        return len(data)

    def flush(self) -> None:
        pass


_PIL_FORMATS = {JPG: "JPEG", PNG: "PNG"}
# Pillow names phones' multi-picture JPEGs "MPO"; they are JPEG files all the same.
_PIL_OPENED_AS = {JPG: frozenset({"JPEG", "MPO"}), PNG: frozenset({"PNG"})}


def _check_image(stream: IO[bytes], *, kind: str) -> None:
    unreadable = ValidationError(UPLOAD_IMAGE_UNREADABLE, code="image_unreadable")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as image:
                if image.format not in _PIL_OPENED_AS[kind]:
                    raise unreadable
                _check_pixels(image)
                image.verify()
            # verify() leaves the image unusable: open again and decode it fully.
            stream.seek(0)
            with Image.open(stream) as image:
                _check_pixels(image)
                image.load()
                sink = _CountingSink()
                image.save(sink, format=_PIL_FORMATS[kind])
    except ValidationError:
        raise
    except Exception:
        # UnidentifiedImageError, DecompressionBombError/Warning, OSError
        # ("image file is truncated"), SyntaxError, struct.error… — as for PDF.
        raise unreadable from None
    if sink.written == 0:
        raise unreadable


def _check_pixels(image: Image.Image) -> None:
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise ValidationError(
            UPLOAD_IMAGE_TOO_MANY_PIXELS,
            code="image_too_many_pixels",
            params={
                "width": width,
                "height": height,
                "megapixels": MAX_IMAGE_PIXELS // 1_000_000,
            },
        )


def _check_docx(stream: IO[bytes]) -> None:
    unreadable = ValidationError(UPLOAD_DOCX_UNREADABLE, code="docx_unreadable")
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
            if len(members) > MAX_DOCX_MEMBERS:
                raise ValidationError(UPLOAD_DOCX_TOO_LARGE, code="docx_too_large")
            # zipfile never yields more than a member's declared size, so the
            # declared sizes bound what opening the document can cost.
            if sum(m.file_size for m in members) > MAX_DOCX_UNCOMPRESSED_BYTES:
                raise ValidationError(UPLOAD_DOCX_TOO_LARGE, code="docx_too_large")
            if any(m.flag_bits & 0x1 for m in members):
                raise ValidationError(UPLOAD_DOCX_ENCRYPTED, code="docx_encrypted")
            names = {m.filename for m in members}
            if not all(part in names for part in _DOCX_REQUIRED_PARTS):
                raise unreadable
            content_types = archive.read("[Content_Types].xml")
            if _DOCX_MAIN_CONTENT_TYPE not in content_types:
                # Not a plain Word document (e.g. a macro-enabled .docm).
                raise unreadable
            # Decompress the main part: checks its data and CRC.
            with archive.open("word/document.xml") as document:
                while document.read(1024 * 1024):
                    pass
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise unreadable from None
    except NotImplementedError:
        # An unsupported compression method.
        raise unreadable from None


# --- Display names ------------------------------------------------------------------

# Characters that Windows refuses in file names; replaced so a download saves.
_RESERVED = str.maketrans({ch: "_" for ch in '<>:"|?*'})


def safe_display_name(name: str) -> str:
    """The uploader's file name made safe to show and to offer as a download
    name: no directories, no control or invisible formatting characters (NUL,
    right-to-left overrides…), Vietnamese letters kept (NFC), at most 150
    characters with the extension kept."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        ch for ch in name if unicodedata.category(ch) not in {"Cc", "Cf", "Cs"}
    )
    name = " ".join(name.translate(_RESERVED).split())
    # Leading dots would hide the file or read as "..".
    name = name.strip(" .")
    if not name:
        return DEFAULT_DISPLAY_NAME
    stem, extension = os.path.splitext(name)
    if len(extension) > MAX_EXTENSION_LENGTH + 1:
        stem, extension = name, ""
    if len(name) > MAX_DISPLAY_NAME_LENGTH:
        stem = stem[: MAX_DISPLAY_NAME_LENGTH - len(extension)].rstrip(" .")
        name = (stem or DEFAULT_DISPLAY_NAME) + extension
    return name


# --- Streaming size limit -----------------------------------------------------------

_TOO_LARGE_ATTRIBUTE = "_upload_too_large_fields"


class SizeLimitedUploadHandler(FileUploadHandler):
    """Stops taking a file as soon as it passes ``UPLOAD_MAX_BYTES``.

    Listed first in ``FILE_UPLOAD_HANDLERS``, it sees each chunk before
    Django's memory and temporary-file handlers, so no more than the limit
    (plus one 64 KB chunk) of a file is ever kept. The oversized file is then
    dropped: it is missing from ``request.FILES`` and
    ``too_large_fields(request)`` names its field, so the form can say why.

    It raises ``SkipFile`` rather than ``StopUpload(connection_reset=False)``:
    after ``StopUpload`` Django reads the rest of the body *line by line*
    (``exhaust(request)`` iterates ``request.readline``), and a WSGI server's
    ``readline`` buffers everything up to the next newline — for a large body
    with few newlines, most of the upload ends up in memory. After
    ``SkipFile`` the parser discards the rest of the file in fixed 64 KB
    chunks and goes on parsing, so the fields sent after the file are kept
    and the browser still gets the page back (no connection reset).
    """

    def new_file(self, field_name, *args, **kwargs) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.limit = upload_max_bytes()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            if self.request is not None:
                fields = getattr(self.request, _TOO_LARGE_ATTRIBUTE, frozenset())
                setattr(self.request, _TOO_LARGE_ATTRIBUTE, fields | {self.field_name})
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        # The next handler (memory or temporary file) builds the file.
        return None


def too_large_fields(request: HttpRequest) -> frozenset[str]:
    """Names of the file fields whose upload was stopped for being too large."""
    return getattr(request, _TOO_LARGE_ATTRIBUTE, frozenset())


# --- Keeping an upload across a failed validation -----------------------------------
#
# A form sent back for another field's error would make the officer attach the
# file again (browsers never refill a file input). A file that passed its checks
# is kept instead, under a generated name in ``pending/``, and the form carries a
# signed token naming it; the token is bound to the user and expires. Stale
# pending files are swept by a periodic task (``pending_uploads_sweep``).

PENDING_DIR = "pending"
PENDING_MAX_AGE_SECONDS = 24 * 60 * 60
_PENDING_SALT = "campaign.uploads.pending"


@dataclass(frozen=True)
class KeptUpload:
    """A checked upload kept in storage while its form is corrected."""

    token: str
    storage_name: str
    display_name: str
    size: int

    def open(self) -> File:
        """The kept file, named as the user named it (for the services)."""
        handle = default_storage.open(self.storage_name, "rb")
        return File(handle, name=self.display_name)


def keep_upload(upload: UploadedFile, *, user) -> KeptUpload:
    """Store ``upload`` (already checked) under ``pending/`` and sign a token
    for ``user``."""
    extension = os.path.splitext(upload.name or "")[1].lower()[
        : MAX_EXTENSION_LENGTH + 1
    ]
    upload.seek(0)
    stored = default_storage.save(
        f"{PENDING_DIR}/{uuid.uuid4().hex}{extension}", upload
    )
    display = safe_display_name(upload.name or "")
    token = signing.dumps(
        {"u": user.pk, "f": stored, "n": display, "s": upload.size},
        salt=_PENDING_SALT,
        compress=True,
    )
    return KeptUpload(
        token=token, storage_name=stored, display_name=display, size=upload.size
    )


def kept_upload(token: str, *, user) -> KeptUpload | None:
    """The upload a token names, if the token is genuine, recent, the user's,
    and its file is still there; ``None`` otherwise."""
    if not token:
        return None
    try:
        data = signing.loads(token, salt=_PENDING_SALT, max_age=PENDING_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    name = data.get("f", "")
    if (
        data.get("u") != user.pk
        or not name.startswith(f"{PENDING_DIR}/")
        or ".." in name
        or not default_storage.exists(name)
    ):
        return None
    return KeptUpload(
        token=token,
        storage_name=name,
        display_name=data.get("n", ""),
        size=data.get("s", 0),
    )


def discard_kept_upload(kept: KeptUpload) -> None:
    default_storage.delete(kept.storage_name)


def pending_uploads_sweep(*, older_than_seconds: int = PENDING_MAX_AGE_SECONDS) -> int:
    """Delete kept uploads nobody came back for; returns how many."""
    try:
        _dirs, files = default_storage.listdir(PENDING_DIR)
    except FileNotFoundError:
        return 0
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    removed = 0
    for name in files:
        path = f"{PENDING_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
        except FileNotFoundError:
            continue
    return removed


# --- Files written inside a transaction ---------------------------------------------


@contextmanager
def stored_files_removed_on_error(storage) -> Iterator[list[str]]:
    """Track the files a service writes; if the service fails (an error, a
    dropped database connection) the files are deleted, so a rolled-back
    record never leaves its file behind. The service appends each stored name
    to the yielded list as soon as the file is written."""
    stored: list[str] = []
    try:
        yield stored
    except BaseException:
        for name in stored:
            try:
                storage.delete(name)
            except OSError:
                logger.exception("Could not delete %s after a failed change", name)
        raise

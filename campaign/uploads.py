"""Checking uploaded files: what they really are, not what their name says.

Used by legal documents, registrations' documents and assessments' evidence.
A file is accepted only when

* its size is between 1 byte and ``settings.UPLOAD_MAX_BYTES``;
* its magic bytes (``filetype``) name an allowed kind, and its name does not
  claim another accepted kind (a PNG named ``.pdf``); and
* a real parser reads it whole, within hard limits, and finds no active
  content (``campaign.upload_formats``, run in a child process with a time,
  CPU and memory budget by ``campaign.upload_sandbox``): a PDF with no
  JavaScript, launch action, embedded file or automatic action, not hiding a
  web page or an archive, with a sound page tree; a DOCX whose every member
  decompresses within caps on the bytes actually produced, without macros,
  ActiveX, OLE objects or external references; a JPEG or PNG within the pixel
  cap, which is **re-encoded** without its metadata (EXIF, GPS, XMP, ICC,
  comments).

``clean_upload`` gives what to store: the kind, the file (the upload itself,
or the re-encoded image), a display name that keeps the uploader's name made
safe and ends in the kind's extension, and the size. The stored name is
generated from the kind, never from the uploader's name.

``SizeLimitedUploadHandler`` drops an oversized file while it streams in, so
a 200 MB file is neither held in memory nor written to disk in full; the form
learns about it through ``too_large_fields(request)``.
"""

from __future__ import annotations

import datetime
import errno
import logging
import os
import tempfile
import time
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any

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

from campaign import upload_formats as formats
from campaign.upload_sandbox import private_reader, run_isolated

logger = logging.getLogger(__name__)

# --- Limits -------------------------------------------------------------------------
#
# Each may be set in the settings (the first five from the environment, see
# config/settings.py); these are the defaults.

DEFAULT_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
# Wall-clock (and CPU) seconds the check of one file may take before it is
# stopped; a real 20 MB file needs well under two.
DEFAULT_CHECK_SECONDS = 10
# How much the checking process may grow: decoding a 40-megapixel photo takes
# about 160 MB (Pillow keeps RGB in 4 bytes a pixel), turning it upright as
# much again.
DEFAULT_CHECK_MEMORY_BYTES = 512 * 1024 * 1024
# A 40-megapixel photo (e.g. 7746 x 5164).
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000
DEFAULT_PDF_MAX_PAGES = 2_000
# What all the members of a .docx may expand to (the bytes actually
# decompressed). A real 20 MB document rarely exceeds a few times its size.
DEFAULT_DOCX_MAX_EXPANDED_BYTES = 100 * 1024 * 1024
# Objects of a PDF looked at. Word's 100-page report has a few thousand; pypdf
# reads some 5,000 to 20,000 a second here, so more would not fit the time anyway.
DEFAULT_PDF_MAX_OBJECTS = 50_000
# Objects in one object stream (writers put 100 to 200), and the decoded size
# of any stream pypdf decodes (object and cross-reference streams only).
DEFAULT_PDF_MAX_OBJECTS_PER_STREAM = 10_000
DEFAULT_PDF_MAX_STREAM_BYTES = 4 * 1024 * 1024
# Members of a .docx (a long document with pictures has a few hundred).
DEFAULT_DOCX_MAX_MEMBERS = 2_000
DEFAULT_DOCX_MAX_MEMBER_BYTES = 64 * 1024 * 1024
# Output bytes per compressed byte of one member, judged beyond 1 MB of output:
# Word's XML compresses 5 to 30 times; a zip bomb, hundreds to millions of times.
DEFAULT_DOCX_MAX_RATIO = 100

MAX_DISPLAY_NAME_LENGTH = 150
MAX_EXTENSION_LENGTH = 10
DEFAULT_DISPLAY_NAME = "file"
# Bytes read from the start of a file to recognise it (filetype reads 8192).
SIGNATURE_BYTES = 8192


def _setting(name: str, default: int) -> int:
    return getattr(settings, name, default)


def upload_max_bytes() -> int:
    return _setting("UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES)


def check_seconds() -> int:
    return _setting("UPLOAD_CHECK_SECONDS", DEFAULT_CHECK_SECONDS)


def check_memory_bytes() -> int:
    return _setting("UPLOAD_CHECK_MEMORY_BYTES", DEFAULT_CHECK_MEMORY_BYTES)


def upload_limits() -> formats.Limits:
    """The limits of the parsers, from the settings."""
    return formats.Limits(
        max_image_pixels=_setting("UPLOAD_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS),
        pdf_max_pages=_setting("UPLOAD_PDF_MAX_PAGES", DEFAULT_PDF_MAX_PAGES),
        pdf_max_objects=_setting("UPLOAD_PDF_MAX_OBJECTS", DEFAULT_PDF_MAX_OBJECTS),
        pdf_max_objects_per_stream=_setting(
            "UPLOAD_PDF_MAX_OBJECTS_PER_STREAM", DEFAULT_PDF_MAX_OBJECTS_PER_STREAM
        ),
        pdf_max_stream_bytes=_setting(
            "UPLOAD_PDF_MAX_STREAM_BYTES", DEFAULT_PDF_MAX_STREAM_BYTES
        ),
        docx_max_members=_setting("UPLOAD_DOCX_MAX_MEMBERS", DEFAULT_DOCX_MAX_MEMBERS),
        docx_max_member_bytes=_setting(
            "UPLOAD_DOCX_MAX_MEMBER_BYTES", DEFAULT_DOCX_MAX_MEMBER_BYTES
        ),
        docx_max_total_bytes=_setting(
            "UPLOAD_DOCX_MAX_EXPANDED_BYTES", DEFAULT_DOCX_MAX_EXPANDED_BYTES
        ),
        docx_max_ratio=_setting("UPLOAD_DOCX_MAX_RATIO", DEFAULT_DOCX_MAX_RATIO),
    )


# --- Kinds --------------------------------------------------------------------------

PDF = "pdf"
JPG = "jpg"
PNG = "png"
DOCX = "docx"
ALL_KINDS = frozenset({PDF, JPG, PNG, DOCX})
DOCUMENT_KINDS = frozenset({PDF})
EVIDENCE_KINDS = ALL_KINDS
IMAGE_KINDS = frozenset({JPG, PNG})

KIND_LABELS = {PDF: "PDF", JPG: "JPEG", PNG: "PNG", DOCX: "Word (.docx)"}
# Name extensions that agree with each kind.
KIND_EXTENSIONS = {
    PDF: frozenset({"pdf"}),
    JPG: frozenset({"jpg", "jpeg", "jpe", "jfif"}),
    PNG: frozenset({"png"}),
    DOCX: frozenset({"docx"}),
}
_ACCEPTED_EXTENSIONS = frozenset().union(*KIND_EXTENSIONS.values())
CONTENT_TYPES = {
    PDF: "application/pdf",
    JPG: "image/jpeg",
    PNG: "image/png",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# What ``filetype`` answers for each kind ("zip": some writers put the Word parts
# after the first four entries, where filetype does not look; the parser decides).
_GUESS_TO_KIND = {"pdf": PDF, "jpg": JPG, "png": PNG, "docx": DOCX, "zip": DOCX}

# --- Messages -----------------------------------------------------------------------

UPLOAD_STORAGE_FULL = _(
    "The server has no space left to store files: nothing was saved. Try again "
    "later, and tell the provincial standing office."
)
# Write errors that mean "no space" (a full disk, a full quota).
STORAGE_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
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
UPLOAD_TOO_COMPLEX = _(
    "The file could not be checked within the limits (%(seconds)s seconds, "
    "%(megabytes)s MB of memory): it is built in an unusual way. Save or print "
    "it again as a new file and upload that copy."
)
UPLOAD_POLYGLOT = _(
    "The file is also another kind of file at the same time (it hides a web "
    "page or an archive, or carries data after its end), which is not accepted. "
    "Save or print it again as a new file and upload that copy."
)
UPLOAD_PDF_UNREADABLE = _("The PDF file is damaged or cannot be read.")
UPLOAD_PDF_ENCRYPTED = _(
    "The PDF file is protected by a password. Upload a copy without a password."
)
UPLOAD_PDF_NO_PAGES = _("The PDF file has no pages.")
UPLOAD_PDF_TOO_MANY_PAGES = _("The PDF file has more than %(limit)s pages.")
UPLOAD_PDF_PAGE_TREE = _(
    "The PDF file's list of pages is malformed (pages that repeat or refer back "
    "to themselves), which is not accepted. Print it to a new PDF and upload "
    "that copy."
)
UPLOAD_PDF_JAVASCRIPT = _(
    "The PDF file contains JavaScript, which is not accepted. Print it to a new "
    "PDF (or scan the paper copy) and upload that copy."
)
UPLOAD_PDF_LAUNCH = _(
    "The PDF file contains an action that starts a program or opens another "
    "file, which is not accepted. Print it to a new PDF and upload that copy."
)
UPLOAD_PDF_EMBEDDED_FILE = _(
    "The PDF file contains attached or embedded files, which are not accepted. "
    "Upload each document as a file of its own."
)
UPLOAD_PDF_AUTO_ACTION = _(
    "The PDF file runs actions by itself when it is opened or read, which is not "
    "accepted. Print it to a new PDF and upload that copy."
)
UPLOAD_PDF_ACTIVE_CONTENT = _(
    "The PDF file contains active content (multimedia, 3D, a form that sends "
    "data or an XFA form), which is not accepted. Print it to a new PDF and "
    "upload that copy."
)
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
UPLOAD_DOCX_TOO_MANY_PARTS = _(
    "The Word file has too many parts (%(count)s; at most %(limit)s)."
)
UPLOAD_DOCX_STRUCTURE = _(
    "The Word file is built in a way Word never writes (parts that overlap, "
    "repeat or hide data between them), which is not accepted. Save it again "
    "as a new .docx file and upload that copy."
)
UPLOAD_DOCX_NESTED_ARCHIVE = _(
    "The Word file contains another archive, which is not accepted. Save it "
    "again without the embedded file and upload that copy."
)
UPLOAD_DOCX_MACROS = _(
    "The Word file contains macros, which are not accepted. Save it as a Word "
    "document without macros (.docx) and upload that copy."
)
UPLOAD_DOCX_EXTERNAL = _(
    "The Word file refers to content outside it (a linked template, picture or "
    "object, or a field that fetches a file), which is not accepted. Remove the "
    "links, or save it as PDF, and upload that copy."
)
UPLOAD_DOCX_ACTIVE_CONTENT = _(
    "The Word file contains ActiveX controls, embedded objects or DDE fields, "
    "which are not accepted. Remove them, or save it as PDF, and upload that copy."
)

# The message for each refusal of the parsers.
_REFUSAL_MESSAGES = {
    formats.TOO_COMPLEX: UPLOAD_TOO_COMPLEX,
    formats.POLYGLOT: UPLOAD_POLYGLOT,
    formats.PDF_UNREADABLE: UPLOAD_PDF_UNREADABLE,
    formats.PDF_ENCRYPTED: UPLOAD_PDF_ENCRYPTED,
    formats.PDF_NO_PAGES: UPLOAD_PDF_NO_PAGES,
    formats.PDF_TOO_MANY_PAGES: UPLOAD_PDF_TOO_MANY_PAGES,
    formats.PDF_PAGE_TREE: UPLOAD_PDF_PAGE_TREE,
    formats.PDF_JAVASCRIPT: UPLOAD_PDF_JAVASCRIPT,
    formats.PDF_LAUNCH: UPLOAD_PDF_LAUNCH,
    formats.PDF_EMBEDDED_FILE: UPLOAD_PDF_EMBEDDED_FILE,
    formats.PDF_AUTO_ACTION: UPLOAD_PDF_AUTO_ACTION,
    formats.PDF_ACTIVE_CONTENT: UPLOAD_PDF_ACTIVE_CONTENT,
    formats.IMAGE_UNREADABLE: UPLOAD_IMAGE_UNREADABLE,
    formats.IMAGE_TOO_MANY_PIXELS: UPLOAD_IMAGE_TOO_MANY_PIXELS,
    formats.DOCX_UNREADABLE: UPLOAD_DOCX_UNREADABLE,
    formats.DOCX_ENCRYPTED: UPLOAD_DOCX_ENCRYPTED,
    formats.DOCX_TOO_LARGE: UPLOAD_DOCX_TOO_LARGE,
    formats.DOCX_TOO_MANY_PARTS: UPLOAD_DOCX_TOO_MANY_PARTS,
    formats.DOCX_STRUCTURE: UPLOAD_DOCX_STRUCTURE,
    formats.DOCX_NESTED_ARCHIVE: UPLOAD_DOCX_NESTED_ARCHIVE,
    formats.DOCX_MACROS: UPLOAD_DOCX_MACROS,
    formats.DOCX_EXTERNAL: UPLOAD_DOCX_EXTERNAL,
    formats.DOCX_ACTIVE_CONTENT: UPLOAD_DOCX_ACTIVE_CONTENT,
}
# Refusals that say someone may be attacking (logged as warnings; the others —
# a damaged or oversized file — are everyday mistakes).
_HOSTILE_REFUSALS = frozenset(
    {
        formats.TOO_COMPLEX,
        formats.POLYGLOT,
        formats.PDF_PAGE_TREE,
        formats.PDF_JAVASCRIPT,
        formats.PDF_LAUNCH,
        formats.PDF_EMBEDDED_FILE,
        formats.PDF_AUTO_ACTION,
        formats.PDF_ACTIVE_CONTENT,
        formats.DOCX_TOO_LARGE,
        formats.DOCX_STRUCTURE,
        formats.DOCX_NESTED_ARCHIVE,
        formats.DOCX_MACROS,
        formats.DOCX_EXTERNAL,
        formats.DOCX_ACTIVE_CONTENT,
    }
)


def too_large_error() -> ValidationError:
    return ValidationError(
        UPLOAD_TOO_LARGE,
        code="too_large",
        params={"limit": filesizeformat(upload_max_bytes())},
    )


def _allowed_labels(allowed: frozenset[str]) -> str:
    return ", ".join(KIND_LABELS[kind] for kind in sorted(allowed))


def _refusal_error(refusal: formats.Refusal) -> ValidationError:
    params: dict[str, Any] = dict(refusal.params)
    if refusal.code == formats.TOO_COMPLEX:
        params = {
            "seconds": check_seconds(),
            "megabytes": check_memory_bytes() // (1024 * 1024),
        }
    return ValidationError(
        _REFUSAL_MESSAGES[refusal.code], code=refusal.code, params=params or None
    )


# --- The check ----------------------------------------------------------------------

# Where a checked upload keeps its result, so the form's check and the
# service's (and keeping it for a form sent back) parse the file once.
_CLEANED_ATTRIBUTE = "_campaign_clean_upload"


@dataclass(frozen=True)
class CleanUpload:
    """An upload that passed its checks, and what to store for it."""

    kind: str
    # The upload itself (PDF, DOCX), or the re-encoded image.
    file: File
    # The uploader's name made safe, ending in the kind's extension.
    display_name: str
    size: int

    @property
    def file_name(self) -> str:
        """A name for ``FieldFile.save``: the models' ``upload_to`` keep only
        its extension, which is the detected kind's."""
        return f"upload.{self.kind}"


def check_upload(uploaded_file: UploadedFile, *, allowed: frozenset[str]) -> str:
    """The canonical extension of ``uploaded_file`` ("pdf", "jpg", "png",
    "docx") if it really is one of the ``allowed`` kinds; ``ValidationError``
    otherwise. The file is left positioned at its start."""
    return clean_upload(uploaded_file, allowed=allowed).kind


def clean_upload(uploaded_file: File, *, allowed: frozenset[str]) -> CleanUpload:
    """Check ``uploaded_file`` (see the module's docstring) and say what to
    store; ``ValidationError`` naming the reason otherwise. Nothing is written
    to storage here; the upload is left positioned at its start."""
    unknown = allowed - ALL_KINDS
    if unknown:
        raise ValueError(f"Unknown upload kinds: {sorted(unknown)}")
    labels = {"allowed": _allowed_labels(allowed)}
    cleaned = getattr(uploaded_file, _CLEANED_ATTRIBUTE, None)
    if isinstance(cleaned, CleanUpload):
        if cleaned.kind not in allowed:
            raise ValidationError(
                UPLOAD_KIND_NOT_ALLOWED, code="kind_not_allowed", params=labels
            )
        return cleaned
    size = uploaded_file.size
    if not size:
        raise _refused_early(ValidationError(UPLOAD_EMPTY, code="empty"), size)
    if size > upload_max_bytes():
        raise _refused_early(too_large_error(), size)

    uploaded_file.seek(0)
    head = uploaded_file.read(SIGNATURE_BYTES)
    uploaded_file.seek(0)
    guess = filetype.guess(head)
    kind = _GUESS_TO_KIND.get(guess.extension) if guess else None
    if kind is None:
        # An executable, HTML page, script… or something unrecognised.
        raise _refused_early(
            ValidationError(UPLOAD_KIND_UNKNOWN, code="unknown_kind", params=labels),
            size,
        )
    if kind not in allowed:
        raise _refused_early(
            ValidationError(
                UPLOAD_KIND_NOT_ALLOWED, code="kind_not_allowed", params=labels
            ),
            size,
        )
    _, dot_extension = os.path.splitext(uploaded_file.name or "")
    extension = dot_extension[1:].lower()
    if extension in _ACCEPTED_EXTENSIONS and extension not in KIND_EXTENSIONS[kind]:
        # A name claiming another accepted kind (a PNG named .pdf) is most
        # likely the wrong file. Any other name decides nothing: what is
        # stored, and how, comes from the content.
        raise _refused_early(
            ValidationError(
                UPLOAD_NAME_MISMATCH,
                code="name_mismatch",
                params={"extension": extension, "kind": KIND_LABELS[kind]},
            ),
            size,
        )

    cleaned = _inspect(uploaded_file, kind=kind, size=size)
    setattr(uploaded_file, _CLEANED_ATTRIBUTE, cleaned)
    return cleaned


def _refused_early(error: ValidationError, size: int | None) -> ValidationError:
    """``error``, logged: a file refused by its size, first bytes or name,
    before any parser has read it."""
    logger.info(
        "Upload refused: %s (%s bytes) before parsing", error.error_list[0].code, size
    )
    return error


def _inspect(uploaded_file: File, *, kind: str, size: int) -> CleanUpload:
    """Run the kind's parser in a child process with the limits; the image's
    re-encoded copy comes back in a temporary file (deleted when closed)."""
    limits = upload_limits()
    seconds = check_seconds()
    source: IO[bytes] = getattr(uploaded_file, "file", None) or uploaded_file
    output = (
        tempfile.TemporaryFile(dir=settings.FILE_UPLOAD_TEMP_DIR)
        if kind in IMAGE_KINDS
        else None
    )

    def check() -> dict:
        deadline = formats.Deadline(seconds)
        stream = private_reader(source)
        if kind == PDF:
            return formats.inspect_pdf(stream, limits=limits, deadline=deadline)
        if kind == DOCX:
            return formats.inspect_docx(stream, limits=limits, deadline=deadline)
        return formats.inspect_image(stream, output, kind=kind, limits=limits)

    started = time.monotonic()
    try:
        _details, report = run_isolated(
            check,
            seconds=seconds,
            memory_bytes=check_memory_bytes(),
            # The re-encoded image; Pillow's deflate stays close to the original's.
            output_bytes=2 * upload_max_bytes() + 1024 * 1024,
        )
    except formats.Refusal as refusal:
        if output is not None:
            output.close()
        log = logger.warning if refusal.code in _HOSTILE_REFUSALS else logger.info
        log(
            "Upload refused: %s (%s, %s bytes) after %.0f ms; check process peak "
            "%s KiB, web process %s KiB",
            refusal.code,
            kind,
            size,
            (time.monotonic() - started) * 1000,
            refusal.report.peak_kib if refusal.report else "?",
            refusal.report.parent_kib if refusal.report else "?",
        )
        raise _refusal_error(refusal) from None
    except BaseException:
        # Not a verdict on the file (the system could not fork, say): an error.
        if output is not None:
            output.close()
        raise
    finally:
        uploaded_file.seek(0)
    stored: File = uploaded_file
    stored_size = size
    if output is not None:
        stored_size = output.seek(0, os.SEEK_END)
        output.seek(0)
        stored = File(output, name=f"upload.{kind}")
    logger.info(
        "Upload accepted: %s, %s bytes (stored %s) in %.0f ms; check process "
        "peak %s KiB, web process %s KiB",
        kind,
        size,
        stored_size,
        report.seconds * 1000,
        report.peak_kib,
        report.parent_kib,
    )
    return CleanUpload(
        kind=kind,
        file=stored,
        display_name=upload_display_name(uploaded_file.name or "", kind=kind),
        size=stored_size,
    )


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


def upload_display_name(name: str, *, kind: str) -> str:
    """The uploader's name made safe (``safe_display_name``), ending in an
    extension of the file's real ``kind``: "x.html" holding a PDF is shown and
    downloaded as "x.html.pdf", "scan" as "scan.pdf" — never as a web page."""
    name = safe_display_name(name)
    extension = os.path.splitext(name)[1][1:].lower()
    if extension in KIND_EXTENSIONS[kind]:
        return name
    suffix = f".{kind}"
    if len(name) + len(suffix) > MAX_DISPLAY_NAME_LENGTH:
        name = name[: MAX_DISPLAY_NAME_LENGTH - len(suffix)].rstrip(" .")
    return (name or DEFAULT_DISPLAY_NAME) + suffix


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
    """Store ``upload`` (already checked: what is kept is what would be
    stored, the re-encoded copy of an image) under ``pending/``, named by its
    kind, and sign a token for ``user``."""
    cleaned = clean_upload(upload, allowed=ALL_KINDS)
    cleaned.file.seek(0)
    stored = default_storage.save(
        f"{PENDING_DIR}/{uuid.uuid4().hex}.{cleaned.kind}", cleaned.file
    )
    token = signing.dumps(
        {"u": user.pk, "f": stored, "n": cleaned.display_name, "s": cleaned.size},
        salt=_PENDING_SALT,
        compress=True,
    )
    return KeptUpload(
        token=token,
        storage_name=stored,
        display_name=cleaned.display_name,
        size=cleaned.size,
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
    except BaseException as error:
        for name in stored:
            try:
                storage.delete(name)
            except OSError:
                logger.exception("Could not delete %s after a failed change", name)
        if isinstance(error, OSError) and error.errno in STORAGE_FULL_ERRNOS:
            # A full disk or quota is the server's fault, not the file's: say
            # so on the form (nothing was saved) instead of a bare 500 page.
            logger.error("Private file storage is full: %s", error)
            raise ValidationError(UPLOAD_STORAGE_FULL, code="storage_full") from error
        raise

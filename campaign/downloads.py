"""Private downloads: every stored file (registration documents, legal
documents, reports) leaves the server only through a view that has checked the
user's right to it, and through this one helper."""

from __future__ import annotations

import logging

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

logger = logging.getLogger(__name__)


def private_file_response(
    file: FieldFile, *, filename: str, content_type: str | None = None
) -> FileResponse:
    """The stored ``file`` as an attachment named ``filename``, never cached by
    a shared cache. A record without a file, or whose file is missing from
    storage (a restored backup, a deleted volume), is a 404 — not a 500."""
    if not file:
        raise Http404("No file.")
    try:
        handle = file.open("rb")
    except (FileNotFoundError, OSError):
        logger.warning("Stored file %s is missing", file.name)
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response

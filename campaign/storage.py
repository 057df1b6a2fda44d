"""The private file store (``STORAGES["default"]``): uploads, evidence and
generated reports under ``PRIVATE_MEDIA_ROOT``.

Django's ``FileSystemStorage`` writes a file under its final name, chunk by
chunk; when a write fails — the disk or a quota is full (``ENOSPC``,
``EDQUOT``), an I/O error — the exception reaches the service, whose
transaction rolls back, but the truncated file stays under its real name
(the full-disk drill in ``bench/fault_drills.py`` left one empty PDF per
report attempt and per upload). Here a file is written under a hidden
temporary name in its final folder, flushed to disk, then renamed: it
appears whole or not at all, and a failed write removes what it wrote. The
rename stays within one folder, so it is atomic and needs no free space.

Only a process killed in the middle of a write (SIGKILL, a power cut) can
leave a ``.partial-*.tmp`` file behind; nothing points at it, and its name
says what it is.
"""

from __future__ import annotations

import contextlib
import os
import tempfile

from django.core.files.storage import FileSystemStorage
from django.utils._os import safe_makedirs

PARTIAL_PREFIX = ".partial-"
PARTIAL_SUFFIX = ".tmp"


class _WrittenFile:
    """A file already complete on disk: ``FileSystemStorage._save`` moves it
    to its final name instead of writing it again."""

    def __init__(self, path: str):
        self.path = path

    def temporary_file_path(self) -> str:
        return self.path


class PrivateFileSystemStorage(FileSystemStorage):
    """``FileSystemStorage`` whose files appear whole or not at all."""

    def _save(self, name, content):
        directory = os.path.dirname(self.path(name))
        if self.directory_permissions_mode is not None:
            safe_makedirs(directory, self.directory_permissions_mode, exist_ok=True)
        else:
            os.makedirs(directory, exist_ok=True)
        fd, partial = tempfile.mkstemp(
            prefix=PARTIAL_PREFIX, suffix=PARTIAL_SUFFIX, dir=directory
        )
        try:
            with os.fdopen(fd, "wb") as handle:
                for chunk in content.chunks():
                    handle.write(chunk.encode() if isinstance(chunk, str) else chunk)
                handle.flush()
                os.fsync(handle.fileno())
            # Renamed to a free name (a new one if another process took it
            # meanwhile), given FILE_UPLOAD_PERMISSIONS, as Django does.
            return super()._save(name, _WrittenFile(partial))
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
            raise

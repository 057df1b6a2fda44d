"""The private file store: a file appears whole or not at all — a write that
fails (a full disk) leaves nothing behind, under its name or any other."""

from __future__ import annotations

import errno
import stat

import pytest
from django.core.files.base import ContentFile, File

from campaign.storage import PrivateFileSystemStorage


class FailingContent(File):
    """Gives one chunk, then fails as a full disk does."""

    def __init__(self):
        super().__init__(None, name="big.pdf")
        self.size = 3 * 65536

    def chunks(self, chunk_size=None):
        yield b"%PDF-1.7 " + b"x" * 65536
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def storage(tmp_path):
    return PrivateFileSystemStorage(location=tmp_path / "private", base_url=None)


def files(storage) -> list[str]:
    root = storage.base_location
    return sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()
    )


def test_it_stores_a_file_whole_with_the_usual_permissions(storage, settings):
    name = storage.save("reports/2026/12/a.pdf", ContentFile(b"%PDF-1.7 whole"))
    assert name == "reports/2026/12/a.pdf"
    assert storage.open(name).read() == b"%PDF-1.7 whole"
    mode = stat.S_IMODE((storage.base_location / name).stat().st_mode)
    assert mode == settings.FILE_UPLOAD_PERMISSIONS == 0o644
    assert files(storage) == ["reports/2026/12/a.pdf"]


def test_a_taken_name_gets_another_and_keeps_the_first_file(storage):
    first = storage.save("evidence/a.pdf", ContentFile(b"first"))
    second = storage.save("evidence/a.pdf", ContentFile(b"second"))
    assert first != second
    assert storage.open(first).read() == b"first"
    assert storage.open(second).read() == b"second"


def test_a_write_that_fails_leaves_no_file_at_all(storage):
    with pytest.raises(OSError) as raised:
        storage.save("registrations/b.pdf", FailingContent())
    assert raised.value.errno == errno.ENOSPC
    assert files(storage) == []
    # The name is free for the next try.
    assert storage.save("registrations/b.pdf", ContentFile(b"ok")) == (
        "registrations/b.pdf"
    )


def test_it_is_the_configured_private_store(settings):
    from django.core.files.storage import default_storage

    assert settings.STORAGES["default"]["BACKEND"] == (
        "campaign.storage.PrivateFileSystemStorage"
    )
    assert isinstance(default_storage, PrivateFileSystemStorage)

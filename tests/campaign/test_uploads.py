"""Upload checks: a file is what its content says, not what its name says; an
oversized upload is stopped while it streams in."""

from __future__ import annotations

import tracemalloc
import unicodedata

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse

from campaign import uploads
from campaign.planning.models import LegalDocument
from tests.campaign.hostile_uploads import docx_bytes, image_bytes, pdf_bytes
from tests.planning.test_documents import Cast

MB = 1024 * 1024


# --- Generated sample files (tests/campaign/hostile_uploads.py) ------------------------

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


# --- check_upload ---------------------------------------------------------------------


class CheckUploadAcceptsRealFilesTests(SimpleTestCase):
    def test_tiny_pdf_is_accepted(self):
        self.assertEqual(
            uploads.check_upload(
                upload("kh.pdf", pdf_bytes()), allowed=uploads.ALL_KINDS
            ),
            "pdf",
        )

    def test_tiny_png_is_accepted(self):
        self.assertEqual(
            uploads.check_upload(
                upload("anh.png", image_bytes("PNG")), allowed=uploads.ALL_KINDS
            ),
            "png",
        )

    def test_tiny_jpeg_is_accepted_under_its_usual_names(self):
        for name in ("anh.jpg", "anh.JPEG", "anh"):
            with self.subTest(name=name):
                self.assertEqual(
                    uploads.check_upload(
                        upload(name, image_bytes("JPEG")), allowed=uploads.ALL_KINDS
                    ),
                    "jpg",
                )

    def test_tiny_docx_is_accepted(self):
        self.assertEqual(
            uploads.check_upload(
                upload("bc.docx", docx_bytes()), allowed=uploads.ALL_KINDS
            ),
            "docx",
        )

    def test_the_file_is_left_at_its_start(self):
        file = upload("kh.pdf", pdf_bytes())
        uploads.check_upload(file, allowed=uploads.DOCUMENT_KINDS)
        self.assertEqual(file.read(5), b"%PDF-")


class CheckUploadRejectsTests(SimpleTestCase):
    def assertRejected(self, file, allowed=uploads.ALL_KINDS, code=None):
        with self.assertRaises(ValidationError) as caught:
            uploads.check_upload(file, allowed=allowed)
        if code:
            self.assertEqual(caught.exception.error_list[0].code, code)
        return caught.exception

    def test_exe_renamed_pdf_is_rejected(self):
        error = self.assertRejected(upload("ke-hoach.pdf", EXE), code="unknown_kind")
        self.assertIn("PDF", error.messages[0])

    def test_html_renamed_pdf_is_rejected(self):
        self.assertRejected(upload("ke-hoach.pdf", HTML), code="unknown_kind")

    def test_empty_file_is_rejected(self):
        error = self.assertRejected(upload("rong.pdf", b""), code="empty")
        self.assertEqual(error.messages, [str(uploads.UPLOAD_EMPTY)])

    @override_settings(UPLOAD_MAX_BYTES=1024)
    def test_file_over_the_cap_is_rejected(self):
        self.assertRejected(
            upload("lon.pdf", pdf_bytes() + b"\n" * 2048), code="too_large"
        )

    def test_the_cap_defaults_to_20_mb(self):
        with override_settings():
            from django.conf import settings

            if hasattr(settings, "UPLOAD_MAX_BYTES"):
                del settings.UPLOAD_MAX_BYTES
            self.assertEqual(uploads.upload_max_bytes(), 20 * MB)

    def test_kind_not_allowed_here_is_rejected(self):
        self.assertRejected(
            upload("anh.png", image_bytes("PNG")),
            allowed=uploads.DOCUMENT_KINDS,
            code="kind_not_allowed",
        )

    def test_png_named_pdf_is_rejected_even_where_png_is_allowed(self):
        self.assertRejected(upload("anh.pdf", image_bytes("PNG")), code="name_mismatch")

    def test_encrypted_pdf_is_rejected(self):
        self.assertRejected(
            upload("mat.pdf", pdf_bytes(password="x")), code="pdf_encrypted"
        )

    def test_pdf_without_pages_is_rejected(self):
        self.assertRejected(upload("rong.pdf", pdf_bytes(pages=0)), code="pdf_no_pages")

    def test_pdf_header_on_garbage_is_rejected(self):
        self.assertRejected(
            upload("hong.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 100),
            code="pdf_unreadable",
        )

    def test_truncated_png_is_rejected(self):
        data = image_bytes("PNG", size=(64, 64))
        self.assertRejected(
            upload("hong.png", data[: len(data) // 2]), code="image_unreadable"
        )

    def test_truncated_jpeg_is_rejected(self):
        data = image_bytes("JPEG", size=(64, 64))
        self.assertRejected(
            upload("hong.jpg", data[: len(data) // 2]), code="image_unreadable"
        )

    @override_settings(UPLOAD_MAX_IMAGE_PIXELS=100)
    def test_image_over_the_pixel_cap_is_rejected(self):
        self.assertRejected(
            upload("to.png", image_bytes("PNG", size=(20, 20))),
            code="image_too_many_pixels",
        )

    def test_zip_that_is_not_a_word_document_is_rejected(self):
        self.assertRejected(
            upload("bc.docx", docx_bytes(with_document=False)), code="docx_unreadable"
        )

    def test_unknown_allowed_kind_is_a_programming_error(self):
        with self.assertRaises(ValueError):
            uploads.check_upload(
                upload("a.pdf", pdf_bytes()), allowed=frozenset({"exe"})
            )


# --- safe_display_name ----------------------------------------------------------------


class SafeDisplayNameTests(SimpleTestCase):
    def test_directories_are_stripped(self):
        self.assertEqual(uploads.safe_display_name("../../etc/passwd"), "passwd")
        self.assertEqual(
            uploads.safe_display_name("..\\..\\Windows\\ke-hoach.pdf"), "ke-hoach.pdf"
        )

    def test_control_characters_and_nul_are_removed(self):
        self.assertEqual(
            uploads.safe_display_name("ke\x00hoach\r\n.pdf"), "kehoach.pdf"
        )

    def test_right_to_left_override_is_removed(self):
        self.assertEqual(uploads.safe_display_name("anh\u202efdp.exe"), "anhfdp.exe")

    def test_vietnamese_letters_are_kept_and_composed(self):
        name = "Kế hoạch 10-KH-BCĐ-CAT.pdf"
        decomposed = unicodedata.normalize("NFD", name)
        self.assertEqual(uploads.safe_display_name(decomposed), name)

    def test_300_character_name_is_cut_to_150_keeping_the_extension(self):
        name = uploads.safe_display_name("Quyết định " + "rất dài " * 40 + ".pdf")
        self.assertLessEqual(len(name), 150)
        self.assertTrue(name.endswith(".pdf"))
        self.assertTrue(name.startswith("Quyết định rất dài"))

    def test_empty_and_dot_names_get_a_default(self):
        for name in ("", "..", ".", "/", "\x00"):
            with self.subTest(name=name):
                self.assertEqual(uploads.safe_display_name(name), "file")

    def test_windows_reserved_characters_are_replaced(self):
        self.assertEqual(uploads.safe_display_name('a<b>:"c|?*.pdf'), "a_b___c___.pdf")


# --- The streaming size limit ---------------------------------------------------------

COUNTED = {"largest": 0}


class CountingTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Django's temporary-file handler, counting what reaches the disk."""

    def receive_data_chunk(self, raw_data, start):
        COUNTED["largest"] = max(COUNTED["largest"], start + len(raw_data))
        return super().receive_data_chunk(raw_data, start)


HANDLERS = [
    "campaign.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "tests.campaign.test_uploads.CountingTemporaryFileUploadHandler",
]


class GeneratedMultipartBody:
    """A multipart/form-data body whose file part is generated while it is
    read: a 200 MB upload without 200 MB in memory."""

    boundary = "----BCD138GeneratedBoundary"
    # No newline anywhere: the worst case for anything reading line by line.
    chunk = b"%PDF-1.7 " + b"0" * (64 * 1024 - 9)

    def __init__(
        self,
        *,
        fields: dict[str, str],
        file_field: str,
        file_name: str,
        size: int,
        after: dict[str, str],
    ):
        head = self._fields(fields)
        head += (
            f"--{self.boundary}\r\nContent-Disposition: form-data; "
            f'name="{file_field}"; filename="{file_name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        tail = b"\r\n" + self._fields(after) + f"--{self.boundary}--\r\n".encode()
        self.length = len(head) + size + len(tail)
        self._parts = self._generate(head, size, tail)
        self._buffer = bytearray()
        self.bytes_read = 0
        self.largest_read = 0

    def _fields(self, fields: dict[str, str]) -> bytes:
        return b"".join(
            (
                f"--{self.boundary}\r\nContent-Disposition: form-data; "
                f'name="{name}"\r\n\r\n{value}\r\n'
            ).encode()
            for name, value in fields.items()
        )

    def _generate(self, head, size, tail):
        yield head
        left = size
        while left > 0:
            piece = self.chunk if left >= len(self.chunk) else self.chunk[:left]
            left -= len(piece)
            yield piece
        yield tail

    def _fill(self, enough) -> None:
        while not enough():
            try:
                self._buffer += next(self._parts)
            except StopIteration:
                return

    def _take(self, n: int) -> bytes:
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        self.bytes_read += len(data)
        self.largest_read = max(self.largest_read, len(data))
        return data

    def read(self, size=-1):
        if size is None or size < 0:
            size = self.length
        self._fill(lambda: len(self._buffer) >= size)
        return self._take(size)

    def readline(self, size=-1):
        # Like a WSGI server's: everything up to the next newline, at most size.
        if size is None or size < 0:
            size = self.length
        self._fill(lambda: b"\n" in self._buffer or len(self._buffer) >= size)
        end = self._buffer.find(b"\n")
        return self._take(min(size, end + 1 if end >= 0 else len(self._buffer)))

    def environ(self) -> dict:
        return {
            "CONTENT_TYPE": f"multipart/form-data; boundary={self.boundary}",
            "CONTENT_LENGTH": str(self.length),
            "wsgi.input": self,
        }


@override_settings(FILE_UPLOAD_HANDLERS=HANDLERS, UPLOAD_MAX_BYTES=2 * MB)
class SizeLimitedUploadHandlerTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast = Cast()

    def setUp(self):
        COUNTED["largest"] = 0
        self.client.force_login(self.cast.staff)
        self.url = reverse("planning:document_create")

    def post_generated(self, size: int, after: dict[str, str] | None = None):
        body = GeneratedMultipartBody(
            fields={
                "number_symbol": "99/KH-BCĐ",
                "doc_type": "KH",
                "issuer": "Ban Chỉ đạo 138 tỉnh An Giang",
                "title": "Kế hoạch rất lớn",
            },
            file_field="file",
            file_name="ke-hoach-lon.pdf",
            size=size,
            after=after or {},
        )
        return body, self.client.generic("POST", self.url, **body.environ())

    def test_a_200_mb_upload_is_stopped_with_a_clear_message(self):
        tracemalloc.start()
        try:
            body, response = self.post_generated(200 * MB)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.context["form"].errors["file"],
            uploads.too_large_error().messages,
        )
        self.assertContains(response, "2,0\xa0MB", status_code=400)
        self.assertFalse(LegalDocument.objects.filter(reference_key="").exists())
        # Never held in memory…
        self.assertLess(peak, 30 * MB)
        # …nor written in full: no more than the cap and one chunk reached the disk.
        self.assertLessEqual(COUNTED["largest"], 2 * MB + 64 * 1024)
        # The rest was read and thrown away in small pieces, so the browser gets
        # the page back and no read ever took a large part of the body at once.
        self.assertEqual(body.bytes_read, body.length)
        self.assertLessEqual(body.largest_read, 64 * 1024)

    def test_fields_sent_before_and_after_the_file_are_kept(self):
        _, response = self.post_generated(3 * MB, after={"issued_on": "2024-05-06"})
        form = response.context["form"]
        self.assertEqual(form["title"].value(), "Kế hoạch rất lớn")
        self.assertEqual(form["issued_on"].value(), "2024-05-06")
        self.assertEqual(set(form.errors), {"file"})

    def test_a_file_under_the_cap_goes_through(self):
        response = self.client.post(
            self.url,
            {
                "number_symbol": "98/KH-BCĐ",
                "doc_type": "KH",
                "issuer": "Ban Chỉ đạo 138 tỉnh An Giang",
                "title": "Kế hoạch nhỏ",
                "file": upload("nho.pdf", pdf_bytes()),
            },
        )
        document = LegalDocument.objects.get(number_symbol="98/KH-BCĐ")
        self.assertRedirects(response, document.get_absolute_url())
        self.assertEqual(document.file_name, "nho.pdf")

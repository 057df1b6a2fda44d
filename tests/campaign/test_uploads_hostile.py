"""Uploads whose limits hold: hostile files (built in tests/campaign/
hostile_uploads.py) are refused with the reason, cheaply and outside the web
process; images are stored re-encoded without their metadata; the stored name
comes from what the file is; a refused file leaves nothing behind."""

from __future__ import annotations

import io
import os
import signal
import tempfile
import time
import tracemalloc
import zipfile
from unittest import mock

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import SimpleTestCase, TestCase, override_settings
from django.utils.html import escape
from PIL import Image

from campaign import upload_formats, uploads
from campaign.assessments.models import Evidence
from campaign.registrations.models import Registration
from campaign.registrations.services import registrations as registration_services
from campaign.upload_sandbox import private_reader, run_isolated
from tests.assessments.test_assessment_pages import AssessmentPageTestCase, en
from tests.campaign import hostile_uploads as hostile

MB = 1024 * 1024


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


class RefusalAssertions:
    def assertRefused(self, name, content, code, message=None, **settings):
        """``content`` uploaded as ``name`` is refused with ``code`` and the
        message of that code; returns the error."""
        with self.settings(**settings):
            with self.assertRaises(ValidationError) as caught:
                uploads.clean_upload(upload(name, content), allowed=uploads.ALL_KINDS)
        error = caught.exception
        self.assertEqual([e.code for e in error.error_list], [code])
        if message is not None:
            self.assertEqual(error.messages, [str(message)])
        return error

    def assertAccepted(self, name, content, kind) -> uploads.CleanUpload:
        cleaned = uploads.clean_upload(upload(name, content), allowed=uploads.ALL_KINDS)
        self.assertEqual(cleaned.kind, kind)
        return cleaned


# --- PDF ----------------------------------------------------------------------------


class PdfActiveContentTests(RefusalAssertions, SimpleTestCase):
    def test_open_action_javascript_is_refused(self):
        self.assertRefused(
            "to-trinh.pdf",
            hostile.pdf_with_open_action_javascript(),
            "pdf_javascript",
            uploads.UPLOAD_PDF_JAVASCRIPT,
        )

    def test_javascript_hidden_in_a_compressed_object_stream_is_refused(self):
        # Not visible to a search of the file's bytes: only parsing finds it.
        data = hostile.pdf_with_javascript_in_object_stream()
        self.assertNotIn(b"JavaScript (", data)
        self.assertRefused("bao-cao.pdf", data, "pdf_javascript")

    def test_a_launch_action_is_refused(self):
        self.assertRefused(
            "ke-hoach.pdf",
            hostile.pdf_with_launch_action(),
            "pdf_launch",
            uploads.UPLOAD_PDF_LAUNCH,
        )

    def test_an_embedded_file_is_refused(self):
        self.assertRefused(
            "hoa-don.pdf",
            hostile.pdf_with_embedded_file(),
            "pdf_embedded_file",
            uploads.UPLOAD_PDF_EMBEDDED_FILE,
        )

    def test_a_file_attachment_annotation_is_refused(self):
        self.assertRefused(
            "bien-ban.pdf",
            hostile.pdf_with_file_attachment_annotation(),
            "pdf_embedded_file",
        )

    def test_additional_actions_are_refused(self):
        self.assertRefused(
            "quyet-dinh.pdf",
            hostile.pdf_with_additional_actions(),
            "pdf_auto_action",
            uploads.UPLOAD_PDF_AUTO_ACTION,
        )

    def test_an_xfa_form_is_refused(self):
        self.assertRefused(
            "mau.pdf",
            hostile.pdf_with_xfa_form(),
            "pdf_active_content",
            uploads.UPLOAD_PDF_ACTIVE_CONTENT,
        )

    def test_a_pdf_that_is_also_a_web_page_is_refused(self):
        self.assertRefused(
            "trang.pdf",
            hostile.pdf_html_polyglot(),
            "polyglot",
            uploads.UPLOAD_POLYGLOT,
        )

    def test_a_pdf_that_is_also_a_zip_archive_is_refused(self):
        data = hostile.pdf_zip_polyglot()
        self.assertTrue(zipfile.is_zipfile(io.BytesIO(data)))
        self.assertRefused("nen.pdf", data, "polyglot")

    def test_the_plain_versions_of_the_same_files_are_accepted(self):
        for name, data in (
            ("tay.pdf", hostile.simple_raw_pdf()),
            ("trang-dau.pdf", hostile.pdf_opening_on_a_page()),
            ("lien-ket.pdf", hostile.pdf_with_a_web_link()),
            ("pypdf.pdf", hostile.pdf_bytes(pages=3)),
        ):
            with self.subTest(name):
                cleaned = self.assertAccepted(name, data, "pdf")
                # Stored as it came: a PDF is checked, never rewritten.
                self.assertEqual(cleaned.file.read(), data)


class PdfBoundsTests(RefusalAssertions, SimpleTestCase):
    # A one-second budget: a refusal for its structure, not for running out of
    # time, shows the file was refused well within it.
    @override_settings(UPLOAD_CHECK_SECONDS=1)
    def test_a_repeated_page_tree_is_refused_at_once(self):
        data = hostile.pdf_with_repeated_page_tree()
        self.assertLess(len(data), 2048)
        self.assertRefused(
            "lap.pdf", data, "pdf_page_tree", uploads.UPLOAD_PDF_PAGE_TREE
        )

    @override_settings(UPLOAD_CHECK_SECONDS=1)
    def test_a_cyclic_page_tree_is_refused_at_once(self):
        self.assertRefused(
            "vong.pdf", hostile.pdf_with_cyclic_page_tree(), "pdf_page_tree"
        )

    @override_settings(UPLOAD_PDF_MAX_PAGES=5)
    def test_more_pages_than_the_cap_are_refused_with_the_cap(self):
        error = self.assertRefused(
            "dai.pdf", hostile.pdf_bytes(pages=6), "pdf_too_many_pages"
        )
        self.assertIn("5", error.messages[0])
        self.assertAccepted("du.pdf", hostile.pdf_bytes(pages=5), "pdf")

    def test_an_object_stream_flood_is_refused_before_it_is_parsed(self):
        data = hostile.pdf_with_object_stream_flood(count=20_000)
        started = time.monotonic()
        error = self.assertRefused("nhieu.pdf", data, "too_complex")
        # Well inside the 10-second budget: refused from the stream's header.
        self.assertLess(time.monotonic() - started, 5)
        self.assertIn("10", error.messages[0])

    def test_parsing_happens_outside_the_web_process(self):
        # 3,000 objects in one stream: a valid file.
        data = hostile.pdf_with_object_stream_flood(count=3_000)
        limits = uploads.upload_limits()

        def peak_of(work) -> int:
            tracemalloc.start()
            try:
                work()
                return tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()

        # What parsing it costs the process that does it…
        in_process = peak_of(
            lambda: upload_formats.inspect_pdf(
                io.BytesIO(data), limits=limits, deadline=upload_formats.Deadline(60)
            )
        )
        self.assertGreater(in_process, 5 * MB)
        # …and what the web process pays when the upload is checked.
        web_process = peak_of(
            lambda: uploads.clean_upload(
                upload("nhieu.pdf", data), allowed=uploads.ALL_KINDS
            )
        )
        self.assertLess(web_process, 1.5 * MB)


# --- DOCX ---------------------------------------------------------------------------


class DocxBombTests(RefusalAssertions, SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.declaring_192_mb = hostile.docx_declaring_192_mb()

    def test_the_reported_192_mb_content_types_is_refused_unread(self):
        data = self.declaring_192_mb
        self.assertLess(len(data), 256 * 1024)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            declared = archive.getinfo("[Content_Types].xml").file_size
        self.assertGreater(declared, 192 * MB)
        started = time.monotonic()
        self.assertRefused(
            "bao-cao.docx", data, "docx_too_large", uploads.UPLOAD_DOCX_TOO_LARGE
        )
        # Decompressing 192 MB would take seconds; refused from its directory.
        self.assertLess(time.monotonic() - started, 2)

    def test_the_same_file_is_refused_while_decompressing_below_a_higher_cap(self):
        # Caps raised over its declared size: the first megabyte it produces
        # shows a ratio of about 1,000 to 1, and reading stops there.
        self.assertRefused(
            "bao-cao.docx",
            self.declaring_192_mb,
            "docx_too_large",
            UPLOAD_DOCX_MAX_MEMBER_BYTES=256 * MB,
            UPLOAD_DOCX_MAX_EXPANDED_BYTES=256 * MB,
        )

    def test_a_zip_bomb_past_the_total_cap_is_refused(self):
        data = hostile.docx_zip_bomb(members=3, member_bytes=2 * MB)
        self.assertLess(len(data), 64 * 1024)
        # The ratio raised out of the way: the total cap alone refuses it.
        caps = {
            "UPLOAD_DOCX_MAX_EXPANDED_BYTES": 4 * MB,
            "UPLOAD_DOCX_MAX_RATIO": 10**4,
        }
        self.assertRefused("bom.docx", data, "docx_too_large", **caps)
        with self.settings(**caps):
            self.assertAccepted("bom.docx", hostile.docx_zip_bomb(members=1), "docx")

    def test_a_member_over_the_ratio_is_refused_from_the_bytes_it_produces(self):
        data = hostile.docx_with_high_ratio_member(8 * MB)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo("word/media/image1.png")
        # Under every declared-size cap: only the count of the output refuses it.
        self.assertLess(info.file_size, uploads.DEFAULT_DOCX_MAX_MEMBER_BYTES)
        self.assertGreater(info.file_size / info.compress_size, 500)
        self.assertRefused("anh.docx", data, "docx_too_large")
        with self.settings(UPLOAD_DOCX_MAX_RATIO=10_000):
            self.assertAccepted("anh.docx", data, "docx")

    def test_a_member_lying_about_its_size_yields_no_more_than_it_declares(self):
        self.assertRefused(
            "gia.docx", hostile.docx_member_lying_about_its_size(), "docx_unreadable"
        )

    def test_overlapping_members_are_refused(self):
        self.assertRefused(
            "chong.docx",
            hostile.docx_with_overlapping_members(),
            "docx_structure",
            uploads.UPLOAD_DOCX_STRUCTURE,
        )

    def test_data_after_the_end_of_the_archive_is_refused(self):
        self.assertRefused(
            "duoi.docx", hostile.docx_with_trailing_data(), "docx_structure"
        )

    def test_too_many_members_are_refused_with_the_count(self):
        error = self.assertRefused(
            "nhieu.docx",
            hostile.docx_with_many_parts(20),
            "docx_too_many_parts",
            UPLOAD_DOCX_MAX_MEMBERS=10,
        )
        # 20 pictures and the three parts every document has.
        self.assertIn("23", error.messages[0])
        self.assertIn("10", error.messages[0])

    def test_an_archive_inside_is_refused(self):
        self.assertRefused(
            "long.docx",
            hostile.docx_with_nested_archive(),
            "docx_nested_archive",
            uploads.UPLOAD_DOCX_NESTED_ARCHIVE,
        )

    def test_entity_expansion_is_refused_without_expanding(self):
        self.assertRefused("cuoi.docx", hostile.docx_with_doctype(), "docx_unreadable")


class DocxActiveContentTests(RefusalAssertions, SimpleTestCase):
    def test_vba_macros_are_refused(self):
        self.assertRefused(
            "macro.docx",
            hostile.docx_with_vba_project(),
            "docx_macros",
            uploads.UPLOAD_DOCX_MACROS,
        )

    def test_a_macro_enabled_document_renamed_docx_is_refused(self):
        self.assertRefused("docm.docx", hostile.docm_bytes(), "docx_macros")

    def test_an_external_template_is_refused(self):
        self.assertRefused(
            "mau.docx",
            hostile.docx_with_external_template(),
            "docx_external",
            uploads.UPLOAD_DOCX_EXTERNAL,
        )

    def test_a_remote_picture_is_refused(self):
        self.assertRefused(
            "anh-xa.docx", hostile.docx_with_remote_image(), "docx_external"
        )

    def test_a_field_fetching_a_picture_is_refused(self):
        self.assertRefused(
            "truong.docx", hostile.docx_with_includepicture_field(), "docx_external"
        )

    def test_activex_is_refused(self):
        self.assertRefused(
            "activex.docx",
            hostile.docx_with_activex(),
            "docx_active_content",
            uploads.UPLOAD_DOCX_ACTIVE_CONTENT,
        )

    def test_a_dde_field_split_over_runs_is_refused(self):
        self.assertRefused(
            "dde.docx", hostile.docx_with_dde_field(), "docx_active_content"
        )

    def test_a_document_with_a_web_link_is_accepted_and_stored_as_it_came(self):
        data = hostile.docx_with_web_link()
        cleaned = self.assertAccepted("lien-ket.docx", data, "docx")
        self.assertEqual(cleaned.file.read(), data)


# --- Images -------------------------------------------------------------------------


class ImageReencodingTests(RefusalAssertions, SimpleTestCase):
    def test_a_photo_is_stored_upright_without_gps_or_any_metadata(self):
        data = hostile.jpeg_with_gps_exif()
        with Image.open(io.BytesIO(data)) as original:
            self.assertEqual(
                original.getexif().get_ifd(0x8825)[2], hostile.GPS_LATITUDE
            )
            quantization = original.quantization
        cleaned = self.assertAccepted("anh.jpg", data, "jpg")
        stored = cleaned.file.read()
        self.assertEqual(cleaned.size, len(stored))
        with Image.open(io.BytesIO(stored)) as image:
            self.assertEqual(image.format, "JPEG")
            self.assertEqual(dict(image.getexif()), {})
            for key in ("exif", "icc_profile", "xmp", "comment"):
                self.assertNotIn(key, image.info)
            # Turned as the orientation tag said (64 × 48 → 48 × 64)…
            self.assertEqual(image.size, (48, 64))
            # …and re-encoded with the original's quantisation tables.
            self.assertEqual(image.quantization, quantization)
        for trace in (b"Exif", b"ICC_PROFILE", b"xmpmeta", b"Long Xuyen", b"Camera"):
            self.assertNotIn(trace, stored)

    def test_a_png_loses_its_text_and_what_follows_its_end(self):
        data = hostile.png_with_text_and_trailing_html()
        cleaned = self.assertAccepted("anh.png", data, "png")
        stored = cleaned.file.read()
        self.assertTrue(stored.endswith(b"IEND\xaeB`\x82"))
        self.assertNotIn(b"<script", stored)
        self.assertNotIn(b"tEXt", stored)
        with Image.open(io.BytesIO(stored)) as image:
            self.assertEqual(image.size, (8, 8))
            self.assertEqual(image.getpixel((0, 0)), (0, 128, 0))

    def test_a_pixel_bomb_is_refused_from_its_header(self):
        data = hostile.png_pixel_bomb()
        self.assertLess(len(data), 200 * 1024)
        error = self.assertRefused("bom.png", data, "image_too_many_pixels")
        self.assertIn("20000", error.messages[0].replace(".", "").replace(",", ""))

    @override_settings(UPLOAD_MAX_IMAGE_PIXELS=100)
    def test_the_pixel_cap_comes_from_the_settings(self):
        self.assertRefused(
            "to.png", hostile.image_bytes("PNG", (11, 10)), "image_too_many_pixels"
        )
        self.assertAccepted("vua.png", hostile.image_bytes("PNG", (10, 10)), "png")


# --- Names --------------------------------------------------------------------------


class StoredNameTests(RefusalAssertions, SimpleTestCase):
    def test_a_pdf_named_html_is_a_pdf_with_a_pdf_name(self):
        cleaned = self.assertAccepted("x.html", hostile.pdf_bytes(), "pdf")
        self.assertEqual(cleaned.file_name, "upload.pdf")
        self.assertEqual(cleaned.display_name, "x.html.pdf")

    def test_a_name_without_extension_gets_the_kind_s(self):
        self.assertEqual(
            self.assertAccepted("Bản quét", hostile.pdf_bytes(), "pdf").display_name,
            "Bản quét.pdf",
        )

    def test_a_name_that_agrees_with_the_content_is_kept(self):
        cleaned = self.assertAccepted("Ảnh.JPEG", hostile.image_bytes("JPEG"), "jpg")
        self.assertEqual(
            (cleaned.display_name, cleaned.file_name), ("Ảnh.JPEG", "upload.jpg")
        )

    def test_a_name_claiming_another_accepted_kind_is_refused(self):
        self.assertRefused("anh.pdf", hostile.image_bytes("PNG"), "name_mismatch")

    def test_a_long_name_keeps_the_real_extension_within_150_characters(self):
        name = uploads.upload_display_name("Quyết định " * 20 + ".htm", kind="pdf")
        self.assertLessEqual(len(name), 150)
        self.assertTrue(name.endswith(".pdf"))


# --- The child process --------------------------------------------------------------


class SandboxTests(SimpleTestCase):
    def test_the_answer_comes_back(self):
        answer, report = run_isolated(
            lambda: {"pid": os.getpid()},
            seconds=5,
            memory_bytes=64 * MB,
            output_bytes=0,
        )
        self.assertNotEqual(answer["pid"], os.getpid())
        self.assertTrue(report.isolated)
        self.assertGreater(report.peak_kib, 0)

    def test_a_refusal_in_the_child_is_raised_here(self):
        def refuse():
            raise upload_formats.Refusal("pdf_too_many_pages", limit=7)

        with self.assertRaises(upload_formats.Refusal) as caught:
            run_isolated(refuse, seconds=5, memory_bytes=64 * MB, output_bytes=0)
        self.assertEqual(
            (caught.exception.code, caught.exception.params),
            ("pdf_too_many_pages", {"limit": 7}),
        )

    def test_a_child_that_never_ends_is_stopped_at_the_deadline(self):
        started = time.monotonic()
        with self.assertRaises(upload_formats.Refusal) as caught:
            run_isolated(
                lambda: time.sleep(60) or {},
                seconds=0.5,
                memory_bytes=64 * MB,
                output_bytes=0,
            )
        self.assertEqual(caught.exception.code, "too_complex")
        self.assertLess(time.monotonic() - started, 5)

    def test_a_child_past_its_memory_is_stopped(self):
        def swell():
            hoard = [bytearray(MB) for _ in range(1024)]  # 1 GB, touched
            return {"kept": len(hoard)}

        with self.assertRaises(upload_formats.Refusal) as caught:
            run_isolated(swell, seconds=20, memory_bytes=128 * MB, output_bytes=0)
        self.assertEqual(caught.exception.code, "too_complex")

    def test_a_child_that_crashes_is_a_refusal_not_an_error(self):
        with self.assertRaises(upload_formats.Refusal) as caught:
            run_isolated(
                lambda: os.kill(os.getpid(), signal.SIGSEGV) or {},
                seconds=5,
                memory_bytes=64 * MB,
                output_bytes=0,
            )
        self.assertEqual(caught.exception.code, "too_complex")

    @override_settings(UPLOAD_CHECK_SECONDS=1)
    def test_running_out_of_time_is_refused_with_the_budget(self):
        # A parser that never finishes (patched here, inherited by the child).
        with mock.patch.object(
            upload_formats, "inspect_pdf", side_effect=lambda *a, **k: time.sleep(30)
        ):
            with self.assertRaises(ValidationError) as caught:
                uploads.clean_upload(
                    upload("cham.pdf", hostile.pdf_bytes()), allowed=uploads.ALL_KINDS
                )
        self.assertEqual(caught.exception.error_list[0].code, "too_complex")
        self.assertEqual(
            caught.exception.messages,
            [str(uploads.UPLOAD_TOO_COMPLEX) % {"seconds": 1, "megabytes": 512}],
        )

    def test_the_child_reads_the_upload_without_moving_the_parents_offset(self):
        # The parent has read a little: its buffer holds the file's start, and
        # the offset it shares with the child is past it.
        data = bytes(range(256)) * 400
        with tempfile.TemporaryFile() as file:
            file.write(data)
            file.seek(0)
            file.read(100)
            file.seek(0)

            def parse(reader) -> dict:
                reader.seek(0, os.SEEK_END)
                reader.seek(5000)
                return {"read": len(reader.read(3000))}

            answer, _ = run_isolated(
                lambda: parse(private_reader(file)),
                seconds=5,
                memory_bytes=64 * MB,
                output_bytes=0,
            )
            self.assertEqual(answer, {"read": 3000})
            self.assertEqual(file.read(), data)
            # The same reads on the inherited file object move the shared offset
            # under the parent's buffer: what the parent reads next is wrong.
            file.seek(0)
            file.read(100)
            file.seek(0)
            run_isolated(
                lambda: parse(file), seconds=5, memory_bytes=64 * MB, output_bytes=0
            )
            self.assertNotEqual(file.read(), data)

    def test_checking_twice_parses_once(self):
        file = upload("anh.jpg", hostile.jpeg_with_gps_exif())
        first = uploads.clean_upload(file, allowed=uploads.EVIDENCE_KINDS)
        self.assertIs(uploads.clean_upload(file, allowed=uploads.ALL_KINDS), first)
        with self.assertRaises(ValidationError):
            uploads.clean_upload(file, allowed=uploads.DOCUMENT_KINDS)


class SandboxDatabaseTests(TestCase):
    def test_the_database_connection_survives_a_check(self):
        # The child shares the connection's socket and must never close it.
        uploads.clean_upload(
            upload("a.pdf", hostile.pdf_bytes()), allowed=uploads.ALL_KINDS
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            self.assertEqual(cursor.fetchone(), (1,))


# --- Through the pages and services -------------------------------------------------


def stored_files() -> list[str]:
    """Every file in the private storage (evidence, registrations, pending)."""
    found = []
    for folder in ("evidence", "registrations", "pending"):
        try:
            found += [f"{folder}/{name}" for name in default_storage.listdir(folder)[1]]
        except FileNotFoundError:
            continue
    return found


HOSTILE_FILES = {
    "to-trinh.pdf": (
        hostile.pdf_with_open_action_javascript,
        uploads.UPLOAD_PDF_JAVASCRIPT,
    ),
    "ke-hoach.pdf": (hostile.pdf_with_launch_action, uploads.UPLOAD_PDF_LAUNCH),
    "hoa-don.pdf": (hostile.pdf_with_embedded_file, uploads.UPLOAD_PDF_EMBEDDED_FILE),
    "lap.pdf": (hostile.pdf_with_repeated_page_tree, uploads.UPLOAD_PDF_PAGE_TREE),
    "trang.pdf": (hostile.pdf_html_polyglot, uploads.UPLOAD_POLYGLOT),
    "bom.docx": (hostile.docx_with_high_ratio_member, uploads.UPLOAD_DOCX_TOO_LARGE),
    "chong.docx": (
        hostile.docx_with_overlapping_members,
        uploads.UPLOAD_DOCX_STRUCTURE,
    ),
    "macro.docx": (hostile.docx_with_vba_project, uploads.UPLOAD_DOCX_MACROS),
    "mau.docx": (hostile.docx_with_external_template, uploads.UPLOAD_DOCX_EXTERNAL),
}


class EvidenceUploadTests(AssessmentPageTestCase):
    def post(self, client, answer, name, data):
        return client.post(
            en("assessments:evidence_upload", self.assessment.pk, answer.pk),
            {f"ev{answer.pk}-file": SimpleUploadedFile(name, data)},
        )

    def test_each_hostile_file_is_refused_with_its_reason_and_nothing_is_stored(self):
        client = self.login(self.p.officer_ward)
        answer = self.answers()[0]
        for name, (build, message) in HOSTILE_FILES.items():
            with self.subTest(name):
                response = self.post(client, answer, name, build())
                self.assertContains(response, escape(message), status_code=400)
        self.assertFalse(Evidence.objects.exists())
        self.assertEqual(stored_files(), [])

    def test_a_photo_is_stored_as_re_encoded_and_a_pdf_by_its_content(self):
        client = self.login(self.p.officer_ward)
        answer = self.answers()[0]
        self.post(client, answer, "Ảnh hiện trường.jpg", hostile.jpeg_with_gps_exif())
        self.post(client, answer, "x.html", hostile.pdf_bytes())
        photo, pdf = Evidence.objects.order_by("pk")
        self.assertRegex(photo.file.name, r"^evidence/[0-9a-f]{32}\.jpg$")
        with photo.file.open("rb") as stored:
            data = stored.read()
        self.assertEqual(photo.file_size, len(data))
        self.assertNotIn(b"Exif", data)
        with Image.open(io.BytesIO(data)) as image:
            self.assertEqual(dict(image.getexif()), {})
        self.assertRegex(pdf.file.name, r"^evidence/[0-9a-f]{32}\.pdf$")
        self.assertEqual(pdf.file_name, "x.html.pdf")
        download = client.get(en("assessments:evidence_download", pdf.pk))
        self.assertEqual(download["Content-Type"], "application/pdf")
        self.assertIn("x.html.pdf", download["Content-Disposition"])


class RegistrationDocumentTests(AssessmentPageTestCase):
    def register(self, name, data):
        programme = self.p.plan.programmes.get(kind="exemplary_units")
        ward = self.ward_police.area
        return registration_services.registration_create(
            area=ward,
            programme=programme,
            year=2026,
            contact_name="Nguyễn Văn Tư",
            contact_phone="0296 3852 123",
            plan_summary="Kế hoạch",
            document=SimpleUploadedFile(name, data),
            by=self.p.officer_ward,
        )

    def test_a_scanned_photo_is_stored_re_encoded_under_its_kind(self):
        registration = self.register("bien-ban.htm", hostile.jpeg_with_gps_exif())
        self.assertRegex(
            registration.document.name, r"^registrations/[0-9a-f]{32}\.jpg$"
        )
        self.assertEqual(registration.document_name, "bien-ban.htm.jpg")
        with registration.document.open("rb") as stored:
            self.assertNotIn(b"Exif", stored.read())

    def test_a_refused_document_leaves_no_registration_and_no_file(self):
        with self.assertRaises(ValidationError) as caught:
            self.register("dang-ky.docx", hostile.docx_with_vba_project())
        self.assertEqual(
            caught.exception.message_dict["document"], [str(uploads.UPLOAD_DOCX_MACROS)]
        )
        self.assertFalse(Registration.objects.exists())
        self.assertEqual(stored_files(), [])

    def test_a_kept_upload_is_the_re_encoded_copy(self):
        kept = uploads.keep_upload(
            SimpleUploadedFile("anh", hostile.jpeg_with_gps_exif()),
            user=self.p.officer_ward,
        )
        self.assertRegex(kept.storage_name, r"^pending/[0-9a-f]{32}\.jpg$")
        self.assertEqual(kept.display_name, "anh.jpg")
        with kept.open() as stored:
            data = stored.read()
        self.assertEqual(kept.size, len(data))
        self.assertNotIn(b"Exif", data)

"""The legal documents register: who sees and edits it, search, files, bad input."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from pypdf import PdfWriter

from campaign.committees.access import SYSTEM
from campaign.committees.choices import CommitteeLevel, MembershipRole
from campaign.committees.models import Membership, SteeringCommittee
from campaign.planning.choices import DocumentType
from campaign.planning.models import LegalDocument
from campaign.planning.services.documents import document_create
from tests.factories import UserFactory, load_reference_data, reference_plan

D = datetime.date


class Cast:
    """The committees of the reference data — the provincial committee of
    today, the one of 2023 that issued the plan, the Long Xuyên city committee
    of 2023 — and one user per role, plus an outsider without any membership."""

    def __init__(self):
        load_reference_data()
        committees = SteeringCommittee.objects.all()
        self.province = committees.get(
            level=CommitteeLevel.PROVINCE, valid_to__isnull=True
        )
        self.province_2023 = committees.get(area__key="ag89")
        self.district = committees.get(area__key="ag89-883")
        self.staff = self.member(
            "t.canbo", self.province, MembershipRole.PROVINCIAL_STAFF
        )
        self.leader = self.member("t.lanhdao", self.province, MembershipRole.LEADER)
        self.viewer = self.member("t.xem", self.province, MembershipRole.VIEWER)
        self.officer = self.member(
            "t.longxuyen", self.district, MembershipRole.LOCAL_OFFICER
        )
        self.outsider = UserFactory(username="t.ngoai")

    @staticmethod
    def member(username, committee, role):
        user = UserFactory(username=username)
        Membership.objects.create(user=user, committee=committee, role=role)
        return user


def pdf_file(name="ke-hoach.pdf") -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/pdf")


def stored_files() -> list[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return [p for p in root.rglob("*") if p.is_file()]


VALID = {
    "number_symbol": "15/KH-BCĐ-CAT",
    "doc_type": DocumentType.PLAN,
    "issued_on": "2024-03-01",
    "issuer": "Ban Chỉ đạo 138 tỉnh An Giang",
    "title": "Sơ kết phong trào năm 2024",
}


class DocumentListTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast = Cast()
        reference_plan()

    def get(self, user, **params):
        self.client.force_login(user)
        return self.client.get(reverse("planning:document_list"), params)

    def numbers(self, response):
        return [d.number_symbol for d in response.context["page_obj"]]

    def test_every_member_sees_the_six_reference_documents(self):
        for user in (self.cast.viewer, self.cast.officer, self.cast.leader):
            with self.subTest(user=user.username):
                response = self.get(user)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(len(self.numbers(response)), 6)

    def test_newest_first_with_the_undated_scheme_last(self):
        numbers = self.numbers(self.get(self.cast.viewer))
        self.assertEqual(
            numbers,
            [
                "612/KH-BCA",
                "727-CV/TU",
                "10/KH-BCĐ-CAT",
                "9745/QĐ-BCA-V05",
                "06-NQ/TW",
                "",
            ],
        )

    def test_search_ignores_accents_and_case(self):
        self.assertEqual(
            self.numbers(self.get(self.cast.viewer, q="bcd cat")), ["10/KH-BCĐ-CAT"]
        )
        self.assertEqual(
            self.numbers(self.get(self.cast.viewer, q="BỘ CHÍNH TRỊ")), ["06-NQ/TW"]
        )

    def test_search_covers_titles_and_issuers(self):
        numbers = self.numbers(self.get(self.cast.viewer, q="cong an phuong"))
        self.assertIn("", numbers)  # the Đề án, by its title
        self.assertNotIn("06-NQ/TW", numbers)
        self.assertEqual(
            self.numbers(self.get(self.cast.viewer, q="uy ban nhan dan")), [""]
        )

    def test_filter_by_type(self):
        self.assertEqual(
            self.numbers(self.get(self.cast.viewer, doc_type=DocumentType.DECISION)),
            ["9745/QĐ-BCA-V05"],
        )

    def test_no_match_says_so(self):
        response = self.get(self.cast.viewer, q="khong co van ban nao")
        self.assertContains(response, "Không có văn bản nào phù hợp.")

    def test_unknown_type_filter_finds_nothing_rather_than_failing(self):
        response = self.get(self.cast.viewer, doc_type="XX")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.numbers(response), [])

    def test_user_without_membership_is_refused(self):
        self.assertEqual(self.get(self.cast.outsider).status_code, 403)

    def test_register_button_only_for_those_who_may(self):
        create_url = reverse("planning:document_create")
        self.assertContains(self.get(self.cast.staff), create_url)
        self.assertNotContains(self.get(self.cast.leader), create_url)


class DocumentDetailTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast = Cast()
        cls.plan = reference_plan()
        cls.resolution = LegalDocument.objects.get(number_symbol="06-NQ/TW")

    def test_detail_shows_the_document_and_where_it_is_used(self):
        self.client.force_login(self.cast.officer)
        response = self.client.get(self.resolution.get_absolute_url())
        self.assertContains(response, "Bộ Chính trị")
        self.assertContains(response, "24/01/2022")
        self.assertContains(response, self.plan.get_absolute_url())

    def test_unknown_document_is_404(self):
        self.client.force_login(self.cast.staff)
        for name in ("document_detail", "document_edit", "document_download"):
            with self.subTest(name=name):
                response = self.client.get(reverse(f"planning:{name}", args=[999999]))
                self.assertEqual(response.status_code, 404)

    def test_user_without_membership_is_refused(self):
        self.client.force_login(self.cast.outsider)
        response = self.client.get(self.resolution.get_absolute_url())
        self.assertEqual(response.status_code, 403)


class DocumentCreateTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast = Cast()

    def setUp(self):
        self.before = LegalDocument.objects.count()
        self.url = reverse("planning:document_create")
        self.client.force_login(self.cast.staff)

    def post(self, **changes):
        return self.client.post(self.url, {**VALID, **changes})

    def test_staff_registers_a_document_with_its_pdf(self):
        response = self.post(file=pdf_file("Kế hoạch sơ kết.pdf"))
        document = self.new_document()
        self.assertRedirects(response, document.get_absolute_url())
        self.assertEqual(document.number_symbol, "15/KH-BCĐ-CAT")
        self.assertEqual(document.issued_on, D(2024, 3, 1))
        # Stored under a generated name; the uploader's name only for display.
        self.assertRegex(document.file.name, r"^documents/[0-9a-f]{32}\.pdf$")
        self.assertEqual(document.file_name, "Kế hoạch sơ kết.pdf")

    def test_a_document_without_file_number_or_date_is_accepted(self):
        response = self.post(
            number_symbol="", issued_on="", doc_type=DocumentType.SCHEME
        )
        self.assertEqual(response.status_code, 302)
        document = self.new_document()
        self.assertEqual((document.number_symbol, document.issued_on), ("", None))
        self.assertFalse(document.file)

    def test_dd_mm_yyyy_dates_are_accepted(self):
        self.post(issued_on="01/03/2024")
        self.assertEqual(self.new_document().issued_on, D(2024, 3, 1))

    def test_form_is_shown(self):
        response = self.client.get(self.url)
        self.assertContains(response, 'enctype="multipart/form-data"')
        self.assertContains(response, 'name="file"')

    def test_exe_renamed_pdf_is_refused_and_nothing_is_saved(self):
        exe = SimpleUploadedFile("ke-hoach.pdf", b"MZ\x90\x00" + b"\x00" * 300)
        response = self.post(file=exe)
        self.assertEqual(response.status_code, 400)
        self.assertIn("file", response.context["form"].errors)
        self.assertContains(response, "Chưa lưu gì", status_code=400)
        self.assertEqual(LegalDocument.objects.count(), self.before)
        self.assertEqual(stored_files(), [])

    def test_html_renamed_pdf_is_refused(self):
        html = SimpleUploadedFile("ke-hoach.pdf", b"<html><script>x</script></html>")
        response = self.post(file=html)
        self.assertEqual(response.status_code, 400)
        self.assertIn("file", response.context["form"].errors)
        self.assertEqual(LegalDocument.objects.count(), self.before)

    def test_empty_file_is_refused(self):
        response = self.post(file=SimpleUploadedFile("rong.pdf", b""))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(LegalDocument.objects.count(), self.before)

    def test_unsafe_and_long_names_are_cleaned_for_display(self):
        self.post(file=pdf_file("../../" + "Quyết định " * 30 + ".pdf"))
        name = self.new_document().file_name
        self.assertNotIn("/", name)
        self.assertNotIn("..", name)
        self.assertLessEqual(len(name), 150)
        self.assertTrue(name.endswith(".pdf"))

    def test_duplicate_number_is_refused_with_a_clear_message(self):
        self.post()
        response = self.post(title="Một văn bản khác")
        self.assertEqual(response.status_code, 400)
        self.assertIn(
            "Văn bản có số, ký hiệu này đã được đăng ký.",
            response.context["form"].errors["number_symbol"],
        )
        self.assertEqual(LegalDocument.objects.count(), self.before + 1)

    def test_fields_not_on_the_form_are_refused(self):
        response = self.post(plan="1", updated_at="2020-01-01")
        self.assertEqual(response.status_code, 400)
        errors = response.context["form"].non_field_errors()
        self.assertEqual(len(errors), 1)
        self.assertIn("plan", errors[0])
        self.assertEqual(LegalDocument.objects.count(), self.before)

    def test_missing_and_bad_values_are_explained(self):
        response = self.client.post(
            self.url, {"doc_type": "ZZ", "issued_on": "31/02/2024", "title": ""}
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            set(response.context["form"].errors),
            {"doc_type", "issued_on", "issuer", "title"},
        )
        self.assertEqual(LegalDocument.objects.count(), self.before)

    def test_leader_local_officer_and_viewer_may_not_register(self):
        for user in (self.cast.leader, self.cast.officer, self.cast.viewer):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)
                self.assertEqual(self.post().status_code, 403)
        self.assertEqual(LegalDocument.objects.count(), self.before)

    def new_document(self) -> LegalDocument:
        """The one document registered by the test (the reference data's
        documents are there before it)."""
        return LegalDocument.objects.get(reference_key="")


class DocumentEditTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast = Cast()

    def setUp(self):
        self.client.force_login(self.cast.staff)
        self.document = document_create(
            by=SYSTEM,
            number_symbol="",
            doc_type=DocumentType.SCHEME,
            issued_on=None,
            issuer="Ủy ban nhân dân tỉnh An Giang",
            title="Xây dựng Công an phường điển hình",
            upload=pdf_file("de-an.pdf"),
        )
        self.url = reverse("planning:document_edit", args=[self.document.pk])

    def data(self, **changes):
        return {
            "number_symbol": "",
            "doc_type": DocumentType.SCHEME,
            "issued_on": "",
            "issuer": "Ủy ban nhân dân tỉnh An Giang",
            "title": "Xây dựng Công an phường điển hình",
            **changes,
        }

    def test_form_is_filled_with_the_document(self):
        response = self.client.get(self.url)
        self.assertEqual(
            response.context["form"]["issuer"].value(), "Ủy ban nhân dân tỉnh An Giang"
        )
        self.assertContains(response, 'name="remove_file"')

    def test_the_unknown_number_can_be_filled_in_later(self):
        response = self.client.post(self.url, self.data(number_symbol="1234/ĐA-UBND"))
        self.assertRedirects(response, self.document.get_absolute_url())
        self.document.refresh_from_db()
        self.assertEqual(self.document.number_symbol, "1234/ĐA-UBND")
        self.assertEqual(self.document.file_name, "de-an.pdf")

    def test_a_new_file_replaces_the_old_one_which_is_deleted(self):
        old = self.document.file.name
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.url, self.data(file=pdf_file("de-an-moi.pdf")))
        self.document.refresh_from_db()
        self.assertNotEqual(self.document.file.name, old)
        self.assertEqual(self.document.file_name, "de-an-moi.pdf")
        self.assertEqual(
            [p.name for p in stored_files()], [Path(self.document.file.name).name]
        )

    def test_the_file_can_be_removed(self):
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.url, self.data(remove_file="on"))
        self.document.refresh_from_db()
        self.assertFalse(self.document.file)
        self.assertEqual(self.document.file_name, "")
        self.assertEqual(stored_files(), [])

    def test_a_bad_file_changes_nothing(self):
        response = self.client.post(
            self.url,
            self.data(
                title="Đổi tên", file=SimpleUploadedFile("x.pdf", b"<html></html>")
            ),
        )
        self.assertEqual(response.status_code, 400)
        self.document.refresh_from_db()
        self.assertEqual(self.document.title, "Xây dựng Công an phường điển hình")
        self.assertEqual(self.document.file_name, "de-an.pdf")
        self.assertEqual(len(stored_files()), 1)

    def test_number_of_another_document_is_refused(self):
        response = self.client.post(self.url, self.data(number_symbol="06-NQ/TW"))
        self.assertEqual(response.status_code, 400)
        self.assertIn("number_symbol", response.context["form"].errors)
        self.document.refresh_from_db()
        self.assertEqual(self.document.number_symbol, "")

    def test_fields_not_on_the_form_are_refused(self):
        response = self.client.post(
            self.url, self.data(title="Đổi", id="5", file_name="x")
        )
        self.assertEqual(response.status_code, 400)
        self.document.refresh_from_db()
        self.assertEqual(self.document.title, "Xây dựng Công an phường điển hình")

    def test_leader_and_local_officer_may_not_edit(self):
        for user in (self.cast.leader, self.cast.officer):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)
                response = self.client.post(self.url, self.data(title="Đổi"))
                self.assertEqual(response.status_code, 403)
        self.document.refresh_from_db()
        self.assertEqual(self.document.title, "Xây dựng Công an phường điển hình")


class DocumentDownloadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast = Cast()

    def setUp(self):
        self.upload = pdf_file("Đề án Công an phường.pdf")
        self.content = self.upload.read()
        self.upload.seek(0)
        self.document = document_create(
            by=SYSTEM,
            number_symbol="1/ĐA-UBND",
            doc_type=DocumentType.SCHEME,
            issued_on=None,
            issuer="Ủy ban nhân dân tỉnh An Giang",
            title="Đề án",
            upload=self.upload,
        )
        self.url = reverse("planning:document_download", args=[self.document.pk])

    def test_any_member_downloads_it_as_an_attachment(self):
        self.client.force_login(self.cast.officer)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), self.content)
        self.assertEqual(response["Content-Type"], "application/pdf")
        disposition = response["Content-Disposition"]
        self.assertTrue(disposition.startswith("attachment;"))
        self.assertIn("filename*=utf-8''%C4%90%E1%BB%81", disposition)
        self.assertEqual(response["Cache-Control"], "private, no-store")

    def test_user_without_membership_is_refused(self):
        self.client.force_login(self.cast.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 403)

    def test_document_without_file_is_404(self):
        bare = document_create(
            by=SYSTEM,
            number_symbol="",
            doc_type=DocumentType.REPORT,
            issued_on=None,
            issuer="Công an tỉnh",
            title="Báo cáo",
        )
        self.client.force_login(self.cast.viewer)
        response = self.client.get(
            reverse("planning:document_download", args=[bare.pk])
        )
        self.assertEqual(response.status_code, 404)

    def test_file_missing_from_storage_is_404_not_an_error(self):
        self.document.file.storage.delete(self.document.file.name)
        self.client.force_login(self.cast.viewer)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_post_is_not_allowed(self):
        self.client.force_login(self.cast.staff)
        self.assertEqual(self.client.post(self.url).status_code, 405)

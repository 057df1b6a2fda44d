"""Registrations: local committees submit, the province reviews, nothing is lost."""

from __future__ import annotations

import io

from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from pypdf import PdfWriter

from campaign.registrations.choices import RegistrationStatus as S
from campaign.registrations.models import (
    Notification,
    Registration,
    RegistrationTransition,
)
from campaign.registrations.selectors.registrations import registration_timeline
from campaign.registrations.services import registrations as services
from tests.factories import Personas
from tests.services import eager_tasks
from units.models import Area


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_file(name="Bản đăng ký.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


class RegistrationTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.plan = cls.p.plan
        cls.programme = cls.plan.programmes.get(kind="exemplary_units")
        cls.phase = cls.plan.phases.get(start_year=2023)
        cls.ward_a = Area.objects.get(key="ag89-883-30280")  # Mỹ Bình, Long Xuyên
        cls.ward_b = Area.objects.get(name="Châu Phú A", kind="ward")

    def form_data(self, area=None, **extra):
        data = {
            "unit": f"area:{(area or self.ward_a).pk}",
            "year": 2023,
            "contact_name": "Nguyễn Văn Tư",
            "contact_phone": "0296 3852 123",
            "plan_summary": "Xây dựng mô hình tự quản về an ninh, trật tự.",
            "document": pdf_file(),
        }
        data.update(extra)
        return data

    def create(self, area=None, by=None, status=S.DRAFT) -> Registration:
        registration = services.registration_create(
            area=area or self.ward_a,
            programme=self.programme,
            year=2023,
            contact_name="Nguyễn Văn Tư",
            contact_phone="0296 3852 123",
            plan_summary="Kế hoạch",
            document=pdf_file(),
            by=by or self.p.officer_a,
        )
        if status in (S.SUBMITTED, S.APPROVED, S.RETURNED):
            registration = services.registration_submit(
                registration=registration, by=by or self.p.officer_a
            )
        if status == S.APPROVED:
            registration = services.registration_approve(
                registration=registration, by=self.p.staff, confirm_quota=True
            )
        if status == S.RETURNED:
            registration = services.registration_return(
                registration=registration, reason="Thiếu chữ ký", by=self.p.staff
            )
        return registration

    def login(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client


class CreateTests(RegistrationTestCase):
    def test_local_officer_registers_a_ward_with_its_document(self):
        client = self.login(self.p.officer_a)
        response = client.post(
            reverse("registrations:registration_create"), self.form_data()
        )
        registration = Registration.objects.get()
        self.assertRedirects(response, registration.get_absolute_url())
        self.assertEqual(registration.status, S.DRAFT)
        self.assertEqual(registration.phase, self.phase)  # from the year
        self.assertEqual(registration.unit_kind, "ward")
        self.assertEqual(registration.committee, self.p.committee_a)
        self.assertEqual(registration.document_name, "Bản đăng ký.pdf")
        self.assertRegex(
            registration.document.name, r"^registrations/[0-9a-f]{32}\.pdf$"
        )
        self.assertEqual(registration.history.count(), 1)
        self.assertEqual(registration.history.first().history_user, self.p.officer_a)

    def test_another_localitys_ward_is_not_offered_and_refused(self):
        client = self.login(self.p.officer_a)
        response = client.post(
            reverse("registrations:registration_create"),
            self.form_data(area=self.ward_b),
        )
        self.assertEqual(response.status_code, 400)
        # Explained in words, never with an internal id.
        self.assertContains(
            response,
            "Phường Châu Phú A không thuộc địa bàn của Ban Chỉ đạo của bạn trong năm 2023",
            status_code=400,
        )
        self.assertNotContains(response, f"area:{self.ward_b.pk}", status_code=400)
        self.assertFalse(Registration.objects.exists())

    def test_posted_status_committee_and_version_are_ignored(self):
        client = self.login(self.p.officer_a)
        client.post(
            reverse("registrations:registration_create"),
            self.form_data(
                status=S.APPROVED,
                committee=self.p.province.pk,
                version=99,
                created_by=1,
            ),
        )
        registration = Registration.objects.get()
        self.assertEqual(
            (registration.status, registration.committee, registration.version),
            (S.DRAFT, self.p.committee_a, 1),
        )

    def test_the_same_form_submitted_twice_gives_one_registration(self):
        client = self.login(self.p.officer_a)
        first = client.post(
            reverse("registrations:registration_create"), self.form_data()
        )
        second = client.post(
            reverse("registrations:registration_create"), self.form_data()
        )
        registration = Registration.objects.get()
        self.assertRedirects(first, registration.get_absolute_url())
        self.assertRedirects(second, registration.get_absolute_url())
        self.assertEqual(RegistrationTransition.objects.count(), 1)

    def test_bad_uploads_are_explained_in_vietnamese_and_nothing_is_saved(self):
        client = self.login(self.p.officer_a)
        cases = {
            "exe renamed pdf": SimpleUploadedFile(
                "dangky.pdf", b"MZ\x90\x00" + b"\x00" * 200
            ),
            "html renamed pdf": SimpleUploadedFile(
                "dangky.pdf", b"<!doctype html><html><script>alert(1)</script></html>"
            ),
            "empty": SimpleUploadedFile("dangky.pdf", b""),
        }
        for label, upload in cases.items():
            with self.subTest(label):
                response = client.post(
                    reverse("registrations:registration_create"),
                    self.form_data(document=upload),
                )
                self.assertEqual(response.status_code, 400)
                errors = " ".join(response.context["form"].errors["document"])
                self.assertTrue(
                    any(
                        word in errors for word in ("Tệp", "tệp", "Tập tin", "Nội dung")
                    ),
                    errors,
                )
        self.assertFalse(Registration.objects.exists())

    @override_settings(UPLOAD_MAX_BYTES=64 * 1024)
    def test_a_file_over_the_limit_is_refused_with_the_limit(self):
        client = self.login(self.p.officer_a)
        big = SimpleUploadedFile("big.pdf", pdf_bytes() + b"%" * (200 * 1024))
        response = client.post(
            reverse("registrations:registration_create"), self.form_data(document=big)
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Tệp quá lớn", status_code=400)
        self.assertFalse(Registration.objects.exists())

    def test_hostile_file_names_are_cleaned_and_never_used_for_storage(self):
        client = self.login(self.p.officer_a)
        for name in ("../../etc/passwd.pdf", "..\\..\\x.pdf", "a" * 300 + ".pdf"):
            Registration.objects.all().delete()
            with self.subTest(name=name[:30]):
                client.post(
                    reverse("registrations:registration_create"),
                    self.form_data(document=pdf_file(name)),
                )
                registration = Registration.objects.get()
                self.assertNotIn("/", registration.document_name)
                self.assertNotIn("\\", registration.document_name)
                self.assertLessEqual(len(registration.document_name), 150)
                self.assertRegex(
                    registration.document.name, r"^registrations/[0-9a-f]{32}\.pdf$"
                )

    def test_a_bad_phone_and_missing_unit_are_explained(self):
        client = self.login(self.p.officer_a)
        response = client.post(
            reverse("registrations:registration_create"),
            self.form_data(unit="", contact_phone="abc"),
        )
        errors = response.context["form"].errors
        self.assertIn("unit", errors)
        self.assertIn("contact_phone", errors)


class WorkflowTests(RegistrationTestCase):
    def test_submit_notifies_provincial_staff_only(self):
        registration = self.create()
        self.p.staff.email = "canbo@example.invalid"
        self.p.staff.save()
        client = self.login(self.p.officer_a)
        with eager_tasks(), self.captureOnCommitCallbacks(execute=True):
            client.post(
                reverse("registrations:registration_submit", args=[registration.pk])
            )
        registration.refresh_from_db()
        self.assertEqual(registration.status, S.SUBMITTED)
        recipients = set(
            Notification.objects.values_list("recipient__username", flat=True)
        )
        self.assertEqual(recipients, {"canbo.tinh"})
        self.assertEqual(mail.outbox[0].to, ["canbo@example.invalid"])

    def test_return_needs_a_reason_and_notifies_the_local_committee(self):
        registration = self.create(status=S.SUBMITTED)
        client = self.login(self.p.staff)
        url = reverse("registrations:registration_return", args=[registration.pk])
        response = client.post(url, {"reason": "  "})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Hãy nêu lý do trả lại", status_code=400)
        registration.refresh_from_db()
        self.assertEqual(registration.status, S.SUBMITTED)
        client.post(url, {"reason": "Thiếu chữ ký của Chủ tịch UBND"})
        registration.refresh_from_db()
        self.assertEqual(registration.status, S.RETURNED)
        self.assertEqual(registration.return_reason, "Thiếu chữ ký của Chủ tịch UBND")
        returned_to = set(
            Notification.objects.filter(kind="returned").values_list(
                "recipient__username", flat=True
            )
        )
        self.assertEqual(returned_to, {"longxuyen"})

    def test_approving_a_draft_is_explained_and_changes_nothing(self):
        registration = self.create()
        client = self.login(self.p.staff)
        response = client.post(
            reverse("registrations:registration_approve", args=[registration.pk]),
            follow=True,
        )
        self.assertContains(response, "Chỉ phê duyệt được hồ sơ đã gửi")
        registration.refresh_from_db()
        self.assertEqual((registration.status, registration.version), (S.DRAFT, 1))

    def test_a_local_officer_cannot_approve(self):
        registration = self.create(status=S.SUBMITTED)
        client = self.login(self.p.officer_a)
        response = client.post(
            reverse("registrations:registration_approve", args=[registration.pk])
        )
        self.assertEqual(response.status_code, 403)
        registration.refresh_from_db()
        self.assertEqual(registration.status, S.SUBMITTED)

    def test_withdraw_from_draft_or_returned_only(self):
        draft = self.create()
        services.registration_withdraw(registration=draft, by=self.p.officer_a)
        draft.refresh_from_db()
        self.assertEqual(draft.status, S.WITHDRAWN)
        approved = self.create(
            area=Area.objects.get(key="ag89-883-30283"), status=S.APPROVED
        )
        with self.assertRaises(ValidationError):
            services.registration_withdraw(registration=approved, by=self.p.officer_a)

    def test_approving_beyond_the_quota_needs_a_recorded_confirmation(self):
        wards = [
            self.ward_a,
            *Area.objects.filter(parent=self.ward_a.parent, kind="ward")
            .exclude(pk=self.ward_a.pk)
            .order_by("code")[:2],
        ]
        for ward in wards[:2]:
            self.create(area=ward, status=S.APPROVED)  # the 2023 quota: 2 wards
        third = self.create(area=wards[2], status=S.SUBMITTED)
        client = self.login(self.p.staff)
        url = reverse("registrations:registration_approve", args=[third.pk])
        # The confirmation page shows the year's quota for wards.
        page = client.get(url)
        self.assertEqual(page.context["check"].row.target, 2)
        self.assertEqual(page.context["check"].row.approved, 2)
        self.assertContains(page, "Chỉ tiêu năm 2023 (2) đã đạt")
        response = client.post(url)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "vượt chỉ tiêu", status_code=400)
        third.refresh_from_db()
        self.assertEqual(third.status, S.SUBMITTED)
        client.post(url, {"confirm_quota": "on"})
        third.refresh_from_db()
        self.assertEqual(third.status, S.APPROVED)
        self.assertTrue(third.over_quota_confirmed)
        step = third.transitions.get(to_status=S.APPROVED)
        self.assertIn("Vượt chỉ tiêu", step.reason)

    def test_waiting_lists(self):
        submitted = self.create(status=S.SUBMITTED)
        returned = self.create(
            area=Area.objects.get(key="ag89-883-30283"), status=S.RETURNED
        )
        staff = self.login(self.p.staff).get(
            reverse("registrations:registration_waiting")
        )
        officer = self.login(self.p.officer_a).get(
            reverse("registrations:registration_waiting")
        )
        other = self.login(self.p.officer_b).get(
            reverse("registrations:registration_waiting")
        )
        self.assertEqual(list(staff.context["registrations"]), [submitted])
        self.assertEqual(list(officer.context["registrations"]), [returned])
        self.assertEqual(list(other.context["registrations"]), [])


class ScopeTests(RegistrationTestCase):
    def test_another_localitys_registration_and_document_are_404_and_unchanged(self):
        registration = self.create(status=S.SUBMITTED)
        client = self.login(self.p.officer_b)
        for name in (
            "registration_detail",
            "registration_edit",
            "registration_document",
        ):
            with self.subTest(name=name):
                response = client.get(
                    reverse(f"registrations:{name}", args=[registration.pk])
                )
                self.assertEqual(response.status_code, 404)
        for name in ("registration_submit", "registration_withdraw"):
            response = client.post(
                reverse(f"registrations:{name}", args=[registration.pk])
            )
            self.assertEqual(response.status_code, 404)
        registration.refresh_from_db()
        self.assertEqual((registration.status, registration.version), (S.SUBMITTED, 2))

    def test_document_downloads_as_an_attachment_with_its_original_name(self):
        registration = self.create()
        response = self.login(self.p.officer_a).get(
            reverse("registrations:registration_document", args=[registration.pk])
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment;", response["Content-Disposition"])
        self.assertIn("filename*=utf-8''B%E1%BA%A3n", response["Content-Disposition"])
        self.assertTrue(b"".join(response.streaming_content).startswith(b"%PDF"))


class ConcurrencyTests(RegistrationTestCase):
    def edit(self, client, registration, version, phone):
        return client.post(
            reverse("registrations:registration_edit", args=[registration.pk]),
            {
                "year": 2023,
                "contact_name": "Nguyễn Văn Tư",
                "contact_phone": phone,
                "plan_summary": "Kế hoạch",
                "based_on_version": version,
            },
        )

    def test_two_clients_editing_the_same_registration_exactly_one_wins(self):
        registration = self.create()
        first, second = self.login(self.p.officer_a), self.login(self.p.staff)
        # Both opened the form on version 1.
        won = self.edit(first, registration, 1, "0296 3852 111")
        lost = self.edit(second, registration, 1, "0296 3852 222")
        self.assertRedirects(won, registration.get_absolute_url())
        self.assertEqual(lost.status_code, 409)
        self.assertContains(lost, "longxuyen", status_code=409)  # who changed it
        self.assertContains(lost, "0296 3852 111", status_code=409)  # current values
        registration.refresh_from_db()
        self.assertEqual(
            (registration.contact_phone, registration.version), ("0296 3852 111", 2)
        )

    def test_a_stale_service_call_raises_a_conflict(self):
        registration = self.create()
        services.registration_update(
            registration=registration,
            expected_version=1,
            by=self.p.officer_a,
            contact_phone="0296 3852 333",
        )
        with self.assertRaises(services.RegistrationConflict) as caught:
            services.registration_update(
                registration=registration,
                expected_version=1,
                by=self.p.staff,
                contact_phone="0296 3852 444",
            )
        self.assertEqual(caught.exception.current.contact_phone, "0296 3852 333")


class AuditTests(RegistrationTestCase):
    def test_the_timeline_lists_every_transition_and_field_change_with_its_actor(self):
        registration = self.create(status=S.RETURNED)
        registration = services.registration_update(
            registration=registration,
            expected_version=registration.version,
            by=self.p.officer_a,
            contact_phone="0296 3852 999",
        )
        registration = services.registration_submit(
            registration=registration, by=self.p.officer_a
        )
        services.registration_approve(
            registration=registration, by=self.p.staff, confirm_quota=True
        )
        timeline = registration_timeline(registration=registration)
        summary = [(e.kind, e.status, e.actor) for e in timeline]
        self.assertEqual(
            summary,
            [
                ("created", S.DRAFT, "Nguyễn Văn Hùng"),
                ("status", S.SUBMITTED, "Nguyễn Văn Hùng"),
                ("status", S.RETURNED, "Trần Thị Minh"),
                ("changed", "", "Nguyễn Văn Hùng"),
                ("status", S.SUBMITTED, "Nguyễn Văn Hùng"),
                ("status", S.APPROVED, "Trần Thị Minh"),
            ],
        )
        change = timeline[3].changes[0]
        self.assertEqual((change.old, change.new), ("0296 3852 123", "0296 3852 999"))
        self.assertEqual(timeline[2].reason, "Thiếu chữ ký")
        page = self.login(self.p.staff).get(registration.get_absolute_url())
        self.assertContains(page, "Thiếu chữ ký")
        self.assertContains(page, "0296 3852 999")

    def test_the_bulk_year_close_is_in_the_audit_trail_too(self):
        drafts = [
            self.create(area=a)
            for a in Area.objects.filter(
                parent=self.ward_a.parent, kind="ward"
            ).order_by("code")[:3]
        ]
        before = Registration.history.count()
        closed = services.registrations_close_year(year=2023, by=self.p.staff)
        self.assertEqual(closed, 3)
        self.assertEqual(Registration.history.count(), before + 3)
        for registration in drafts:
            latest = registration.history.latest()
            self.assertEqual(
                (latest.status, latest.history_user), (S.WITHDRAWN, self.p.staff)
            )


class HugeUploadTests(RegistrationTestCase):
    @override_settings(UPLOAD_MAX_BYTES=20 * 1024 * 1024)
    def test_a_200_mb_registration_document_is_refused_without_holding_it(self):
        import tracemalloc

        from tests.campaign.test_uploads import GeneratedMultipartBody

        client = self.login(self.p.officer_a)
        body = GeneratedMultipartBody(
            fields={
                "unit": f"area:{self.ward_a.pk}",
                "year": "2023",
                "contact_name": "Nguyễn Văn Tư",
                "contact_phone": "0296 3852 123",
                "plan_summary": "Kế hoạch",
            },
            file_field="document",
            file_name="ban-dang-ky.pdf",
            size=200 * 1024 * 1024,
            after={},
        )
        tracemalloc.start()
        try:
            response = client.generic(
                "POST", reverse("registrations:registration_create"), **body.environ()
            )
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response, "Tệp quá lớn: giới hạn là 20,0\xa0MB", status_code=400
        )
        self.assertFalse(Registration.objects.exists())
        self.assertLess(peak, 40 * 1024 * 1024)

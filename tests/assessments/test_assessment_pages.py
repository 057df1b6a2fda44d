"""Assessment pages: a local officer starts the yearly assessment of a unit,
answers its criteria with evidence and submits it; provincial staff verify
each criterion and accept it; another locality never learns it exists."""

from __future__ import annotations

import csv
import datetime
import errno
import io

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfWriter

from campaign.assessments.choices import AssessmentStatus as S
from campaign.assessments.choices import CriteriaSubject
from campaign.assessments.models import (
    Answer,
    Assessment,
    AssessmentTransition,
    CriteriaSet,
    Evidence,
    Recognition,
)
from campaign.assessments.services import assessments as services
from campaign.registrations.services import registrations as registration_services
from tests.factories import Personas
from units.models import Area, WardPolice

YEAR = 2026


def en(name: str, *args) -> str:
    """The English page's address: the tests read the English wording, which
    the Vietnamese translations will not change."""
    with translation.override("en"):
        return reverse(name, args=args)


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 16, 46)).save(out, format="PNG")
    return out.getvalue()


def pdf_file(name="Biên bản họp.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def stored_evidence_files() -> list[str]:
    try:
        return default_storage.listdir("evidence")[1]
    except FileNotFoundError:
        return []


class FullDiskStorage(FileSystemStorage):
    """The private store on a disk with no space left (the disk is outside
    the system): every write fails as the operating system says."""

    def _save(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device")


class AssessmentPageTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        # Today's phường Long Xuyên: its committee (officer_ward) assesses it.
        cls.ward_police = WardPolice.objects.get(area__key="ag91-30307")
        # A ward of Long Xuyên city in 2023 (officer_a's committee then).
        cls.ward_police_2023 = (
            WardPolice.objects.filter(area__parent__key="ag89-883")
            .order_by("name")
            .first()
        )

    def setUp(self):
        self.assessment = services.assessment_create(
            year=YEAR, ward_police=self.ward_police, by=self.p.officer_ward
        )

    def login(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def answers(self, assessment=None) -> list[Answer]:
        return list(
            (assessment or self.assessment)
            .answers.select_related("criterion")
            .order_by("criterion__group__position", "criterion__position")
        )

    def answer_data(self, assessment=None, met="1", **overrides) -> dict:
        assessment = assessment or self.assessment
        assessment.refresh_from_db()
        data = {"based_on_version": assessment.version}
        for answer in self.answers(assessment):
            if answer.verified:
                continue
            data[f"met_{answer.pk}"] = met
            data[f"note_{answer.pk}"] = ""
        data.update(overrides)
        return data

    def answer_all(self, assessment=None, met=True, by=None):
        assessment = assessment or self.assessment
        assessment.refresh_from_db()
        return services.assessment_answers_update(
            assessment=assessment,
            expected_version=assessment.version,
            answers={
                a.pk: services.AnswerInput(met=met) for a in self.answers(assessment)
            },
            by=by or self.p.officer_ward,
        )

    def submit(self, assessment=None, by=None):
        self.answer_all(assessment, by=by)
        return services.assessment_submit(
            assessment=assessment or self.assessment, by=by or self.p.officer_ward
        )

    def verify_all(self, assessment=None, met=True):
        assessment = assessment or self.assessment
        for answer in self.answers(assessment):
            services.answer_verify(
                assessment=assessment, answer_id=answer.pk, met=met, by=self.p.staff
            )


class StartTests(AssessmentPageTestCase):
    def setUp(self):
        pass  # each test starts its own

    def test_officer_starts_the_assessment_of_his_ward_police(self):
        client = self.login(self.p.officer_ward)
        page = client.get(
            en("assessments:assessment_create")
            + f"?ward_police={self.ward_police.pk}&year={YEAR}"
        )
        self.assertContains(page, "<h1", count=1)
        self.assertEqual(
            page.context["form"]["unit"].value(), f"wp:{self.ward_police.pk}"
        )
        self.assertContains(page, f'value="wp:{self.ward_police.pk}" selected')
        response = client.post(
            en("assessments:assessment_create"),
            {"year": YEAR, "unit": f"wp:{self.ward_police.pk}"},
        )
        assessment = Assessment.objects.get()
        self.assertRedirects(
            response, assessment.get_absolute_url(), fetch_redirect_response=False
        )
        self.assertEqual(
            (assessment.year, assessment.status, assessment.committee),
            (YEAR, S.DRAFT, self.p.committee_ward),
        )
        self.assertEqual(assessment.answers.count(), 22)

    def test_the_list_holds_only_the_units_of_the_officers_area_that_year(self):
        page = self.login(self.p.officer_ward).get(
            en("assessments:assessment_create") + f"?year={YEAR}"
        )
        units = page.context["form"].units
        self.assertEqual([w.pk for w in units.ward_police], [self.ward_police.pk])
        page = self.login(self.p.officer_a).get(
            en("assessments:assessment_create") + "?year=2023"
        )
        wards = page.context["form"].units.ward_police
        self.assertIn(self.ward_police_2023, wards)
        self.assertTrue(all(w.area.parent.key == "ag89-883" for w in wards))

    def test_the_form_opens_on_the_current_year_of_the_plan(self):
        page = self.login(self.p.officer_ward).get(en("assessments:assessment_create"))
        self.assertEqual(page.context["year"], page.context["period"].year)

    def test_a_second_assessment_of_the_same_unit_and_year_is_explained(self):
        first = services.assessment_create(
            year=YEAR, ward_police=self.ward_police, by=self.p.officer_ward
        )
        response = self.login(self.p.officer_ward).post(
            en("assessments:assessment_create"),
            {"year": YEAR, "unit": f"wp:{self.ward_police.pk}"},
        )
        self.assertContains(
            response, f"This unit is already assessed for {YEAR}.", status_code=400
        )
        self.assertContains(response, first.get_absolute_url(), status_code=400)
        self.assertEqual(Assessment.objects.count(), 1)

    def test_a_ward_that_no_longer_existed_that_year_is_explained(self):
        client = self.login(self.p.officer_a)
        key = f"wp:{self.ward_police_2023.pk}"
        page = client.get(
            en("assessments:assessment_create")
            + f"?ward_police={self.ward_police_2023.pk}&year=2026"
        )
        self.assertContains(page, "not in the list of 2026")
        # Asked for without a year: the last year the ward existed.
        page = client.get(
            en("assessments:assessment_create")
            + f"?ward_police={self.ward_police_2023.pk}"
        )
        self.assertEqual(page.context["year"], 2025)
        self.assertEqual(page.context["form"]["unit"].value(), key)
        response = client.post(
            en("assessments:assessment_create"), {"year": 2026, "unit": key}
        )
        self.assertContains(response, "did not exist in 2026", status_code=400)
        self.assertContains(response, "its ward became part of", status_code=400)
        self.assertFalse(Assessment.objects.exists())

    def test_another_localitys_unit_is_refused_without_naming_it(self):
        response = self.login(self.p.officer_b).post(
            en("assessments:assessment_create"),
            {"year": YEAR, "unit": f"wp:{self.ward_police.pk}"},
        )
        self.assertContains(
            response, "This unit is not one you may assess", status_code=400
        )
        self.assertNotContains(response, self.ward_police.name, status_code=400)
        self.assertFalse(Assessment.objects.exists())

    def test_an_approved_registration_is_assessed_against_its_set(self):
        registration = approved_registration(self.p)
        client = self.login(self.p.officer_a)
        page = client.get(
            en("assessments:assessment_create") + f"?registration={registration.pk}"
        )
        # The nearest year it can be assessed for: the last of its phase.
        self.assertEqual(page.context["year"], 2025)
        response = client.post(
            en("assessments:assessment_create"),
            {"year": 2023, "unit": f"reg:{registration.pk}"},
        )
        assessment = Assessment.objects.get(registration=registration)
        self.assertRedirects(
            response, assessment.get_absolute_url(), fetch_redirect_response=False
        )
        self.assertEqual(assessment.answers.count(), 34)

    def test_a_year_outside_the_registrations_phase_is_explained(self):
        registration = approved_registration(self.p)
        response = self.login(self.p.officer_a).post(
            en("assessments:assessment_create"),
            {"year": 2026, "unit": f"reg:{registration.pk}"},
        )
        self.assertContains(response, "2026 is outside the phase", status_code=400)
        self.assertContains(
            response, "choose a year from 2023 to 2025", status_code=400
        )
        self.assertFalse(Assessment.objects.exists())

    def test_without_a_published_criteria_set_nothing_is_started(self):
        CriteriaSet.objects.filter(subject=CriteriaSubject.WARD_POLICE).delete()
        response = self.login(self.p.officer_ward).post(
            en("assessments:assessment_create"),
            {"year": YEAR, "unit": f"wp:{self.ward_police.pk}"},
        )
        self.assertContains(
            response, "No criteria set is published for", status_code=400
        )
        self.assertFalse(Assessment.objects.exists())

    def test_directors_may_not_start_one(self):
        response = self.login(self.p.leader).get(en("assessments:assessment_create"))
        self.assertEqual(response.status_code, 403)


def approved_registration(p):
    registration = registration_services.registration_create(
        area=Area.objects.get(key="ag89-883-30280"),  # Mỹ Bình, Long Xuyên
        programme=p.programme,
        year=2023,
        contact_name="Nguyễn Văn Tư",
        contact_phone="0296 3852 123",
        plan_summary="Kế hoạch",
        document=pdf_file("Bản đăng ký.pdf"),
        by=p.officer_a,
    )
    registration = registration_services.registration_submit(
        registration=registration, by=p.officer_a
    )
    return registration_services.registration_approve(
        registration=registration, by=p.staff, confirm_quota=True
    )


class AnswerTests(AssessmentPageTestCase):
    def test_the_officer_answers_and_the_summary_follows(self):
        client = self.login(self.p.officer_ward)
        first, second = self.answers()[:2]
        data = self.answer_data(met="1")
        data[f"met_{second.pk}"] = "0"
        data[f"note_{first.pk}"] = "Nghị quyết số 12-NQ/CB"
        response = client.post(
            en("assessments:assessment_answers", self.assessment.pk), data
        )
        self.assertRedirects(
            response,
            self.assessment.get_absolute_url() + "#answers",
            fetch_redirect_response=False,
        )
        first.refresh_from_db()
        second.refresh_from_db()
        self.assertEqual((first.met, first.note), (True, "Nghị quyết số 12-NQ/CB"))
        self.assertIs(second.met, False)
        page = client.get(en("assessments:assessment_detail", self.assessment.pk))
        self.assertContains(page, "Met 21 of 22 criteria")
        self.assertContains(page, "Does not meet all the required criteria")
        self.assertContains(page, "Nghị quyết số 12-NQ/CB")

    def test_the_detail_page_has_a_fieldset_per_criterion_and_one_answers_form(self):
        page = self.login(self.p.officer_ward).get(
            en("assessments:assessment_detail", self.assessment.pk)
        )
        self.assertContains(page, "<h1", count=1)
        self.assertContains(page, "<legend", count=22)
        self.assertContains(page, 'form="answers-form"', count=22 * 3 + 22)
        self.assertContains(page, 'id="answers-form"', count=1)
        self.assertContains(page, "Not answered yet", count=22)
        self.assertContains(page, 'name="based_on_version"', count=1)

    def test_a_stale_form_is_a_conflict_and_shows_the_saved_answers(self):
        client_a = self.login(self.p.officer_ward)
        client_b = self.login(self.p.staff)
        first = self.answers()[0]
        stale = self.answer_data(met="0")
        fresh = self.answer_data(met="1")
        fresh[f"note_{first.pk}"] = "Đã kiểm tra"
        self.assertEqual(
            client_b.post(
                en("assessments:assessment_answers", self.assessment.pk), fresh
            ).status_code,
            302,
        )
        response = client_a.post(
            en("assessments:assessment_answers", self.assessment.pk), stale
        )
        self.assertEqual(response.status_code, 409)
        self.assertContains(
            response, "Someone else changed this assessment", status_code=409
        )
        self.assertContains(response, "Saved meanwhile:", count=22, status_code=409)
        self.assertContains(response, "Đã kiểm tra", status_code=409)
        first.refresh_from_db()
        self.assertIs(first.met, True)  # the stale form changed nothing
        # The form keeps the officer's answers and is now based on the
        # version shown: saving again replaces the others' answers.
        form = response.context["answers_form"]
        self.assertEqual(form[f"met_{first.pk}"].value(), "0")
        self.assertEqual(form["based_on_version"].value(), 2)

    def test_answers_cannot_change_once_submitted(self):
        self.submit()
        response = self.login(self.p.officer_ward).post(
            en("assessments:assessment_answers", self.assessment.pk),
            self.answer_data(met="0"),
        )
        self.assertRedirects(
            response, self.assessment.get_absolute_url(), fetch_redirect_response=False
        )
        self.assertFalse(Answer.objects.filter(met=False).exists())

    def test_submit_needs_every_criterion_answered(self):
        client = self.login(self.p.officer_ward)
        response = client.post(
            en("assessments:assessment_submit", self.assessment.pk), follow=True
        )
        self.assertContains(response, "Answer every criterion before submitting")
        self.assertContains(response, "22 not answered yet")
        self.assertEqual(Assessment.objects.get().status, S.DRAFT)


class EvidenceTests(AssessmentPageTestCase):
    def upload(self, client, answer, file):
        return client.post(
            en("assessments:evidence_upload", self.assessment.pk, answer.pk),
            {f"ev{answer.pk}-file": file},
        )

    def test_evidence_is_attached_downloaded_and_removed(self):
        client = self.login(self.p.officer_ward)
        answer = self.answers()[0]
        response = self.upload(client, answer, pdf_file())
        self.assertRedirects(
            response,
            self.assessment.get_absolute_url() + f"#criterion-{answer.pk}",
            fetch_redirect_response=False,
        )
        self.upload(
            client,
            answer,
            SimpleUploadedFile("Ảnh trụ sở.png", png_bytes(), "image/png"),
        )
        self.upload(client, answer, pdf_file("Bản quét"))  # no extension
        pdf, png, scan = Evidence.objects.order_by("pk")
        self.assertRegex(scan.file.name, r"^evidence/[0-9a-f]{32}\.pdf$")
        # The name shown and offered for download ends in what the file is.
        self.assertEqual(scan.file_name, "Bản quét.pdf")
        scan.delete()
        self.assertEqual(
            (pdf.file_name, png.file_name), ("Biên bản họp.pdf", "Ảnh trụ sở.png")
        )
        self.assertRegex(pdf.file.name, r"^evidence/[0-9a-f]{32}\.pdf$")
        page = client.get(en("assessments:assessment_detail", self.assessment.pk))
        self.assertContains(page, en("assessments:evidence_download", pdf.pk))
        self.assertContains(page, "Biên bản họp.pdf")
        download = client.get(en("assessments:evidence_download", pdf.pk))
        self.assertEqual(download.status_code, 200)
        self.assertIn("attachment", download["Content-Disposition"])
        self.assertIn("Bi%C3%AAn%20b%E1%BA%A3n", download["Content-Disposition"])
        self.assertEqual(b"".join(download.streaming_content), pdf_bytes())
        response = client.post(en("assessments:evidence_remove", pdf.pk))
        self.assertRedirects(
            response,
            self.assessment.get_absolute_url() + f"#criterion-{answer.pk}",
            fetch_redirect_response=False,
        )
        self.assertEqual(list(Evidence.objects.all()), [png])

    def test_a_fake_pdf_is_refused_with_the_reason_and_nothing_is_stored(self):
        client = self.login(self.p.officer_ward)
        answer = self.answers()[3]
        fake = SimpleUploadedFile(
            "Báo cáo.pdf", b"Just some text, renamed.\n" * 20, "application/pdf"
        )
        response = self.upload(client, answer, fake)
        self.assertContains(
            response,
            "The content of this file is not a document of an accepted kind",
            status_code=400,
        )
        self.assertContains(
            response,
            f"The file was not attached to criterion {answer.criterion.code}",
            status_code=400,
        )
        self.assertFalse(Evidence.objects.exists())
        self.assertEqual(stored_evidence_files(), [])

    def test_a_file_over_the_limit_is_refused_with_the_limit(self):
        client = self.login(self.p.officer_ward)
        answer = self.answers()[0]
        with self.settings(UPLOAD_MAX_BYTES=1024):
            big = SimpleUploadedFile("lớn.pdf", pdf_bytes() + b"%" * 4096)
            response = self.upload(client, answer, big)
        self.assertContains(response, "The file is too large", status_code=400)
        self.assertFalse(Evidence.objects.exists())

    def test_a_full_disk_is_explained_on_the_form_and_saves_nothing(self):
        client = self.login(self.p.officer_ward)
        answer = self.answers()[0]
        full_disk = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "tests.assessments.test_assessment_pages.FullDiskStorage",
                "OPTIONS": {"location": settings.PRIVATE_MEDIA_ROOT},
            },
        }
        with self.settings(STORAGES=full_disk):
            response = self.upload(client, answer, pdf_file())
        self.assertContains(
            response, "The server has no space left to store files", status_code=400
        )
        self.assertFalse(Evidence.objects.exists())
        self.assertEqual(list(settings.PRIVATE_MEDIA_ROOT.rglob("*.pdf")), [])

    def test_evidence_of_a_verified_criterion_is_locked(self):
        self.submit()
        answer = self.answers()[0]
        services.answer_verify(
            assessment=self.assessment, answer_id=answer.pk, met=True, by=self.p.staff
        )
        services.assessment_return(
            assessment=self.assessment, reason="Bổ sung minh chứng", by=self.p.staff
        )
        response = self.upload(self.login(self.p.officer_ward), answer, pdf_file())
        self.assertContains(
            response, "its evidence can no longer change", status_code=400
        )
        self.assertFalse(Evidence.objects.exists())


class VerificationTests(AssessmentPageTestCase):
    def test_staff_verify_every_criterion_accept_and_record_the_recognition(self):
        self.submit()
        staff = self.login(self.p.staff)
        page = staff.get(en("assessments:assessment_detail", self.assessment.pk))
        self.assertContains(page, "Verified: met<span", count=22)
        self.assertNotContains(page, 'id="answers-form"')
        for answer in self.answers():
            response = staff.post(
                en("assessments:answer_verify", self.assessment.pk, answer.pk),
                {"met": "1"},
            )
            self.assertRedirects(
                response,
                self.assessment.get_absolute_url() + f"#criterion-{answer.pk}",
                fetch_redirect_response=False,
            )
        self.assertEqual(Answer.objects.filter(verified_by=self.p.staff).count(), 22)
        response = staff.post(
            en("assessments:assessment_accept", self.assessment.pk), follow=True
        )
        self.assertContains(response, "The assessment has been verified and accepted.")
        self.assertContains(response, "Meets all the required criteria")
        self.assertContains(response, "Verified and accepted")
        recognise = en("assessments:recognition_create", self.assessment.pk)
        self.assertContains(response, recognise)
        # The officer sees the result, not the recognition link.
        officer_page = self.login(self.p.officer_ward).get(
            en("assessments:assessment_detail", self.assessment.pk)
        )
        self.assertNotContains(officer_page, recognise)
        # The recognition: a date before the acceptance is explained.
        today = timezone.localdate()
        data = {
            "decision_number": "125/QĐ-BCĐ",
            "decided_on": (today - datetime.timedelta(days=3)).isoformat(),
            "authority": "Ban Chỉ đạo 138 tỉnh An Giang",
            "note": "",
        }
        response = staff.post(recognise, data)
        self.assertContains(
            response, "before the assessment was accepted", status_code=400
        )
        self.assertFalse(Recognition.objects.exists())
        data["decided_on"] = today.isoformat()
        response = staff.post(recognise, data)
        self.assertRedirects(
            response, self.assessment.get_absolute_url(), fetch_redirect_response=False
        )
        recognition = Recognition.objects.get()
        self.assertEqual(
            (recognition.ward_police, recognition.year, recognition.decision_number),
            (self.ward_police, YEAR, "125/QĐ-BCĐ"),
        )
        page = staff.get(en("assessments:assessment_detail", self.assessment.pk))
        self.assertContains(page, "125/QĐ-BCĐ")
        self.assertNotContains(page, recognise)
        steps = list(
            AssessmentTransition.objects.filter(assessment=self.assessment).values_list(
                "to_status", flat=True
            )
        )
        self.assertEqual(steps, [S.DRAFT, S.SUBMITTED, S.ACCEPTED])

    def test_accepting_before_every_criterion_is_verified_lists_them(self):
        self.submit()
        answers = self.answers()
        services.answer_verify(
            assessment=self.assessment,
            answer_id=answers[0].pk,
            met=True,
            by=self.p.staff,
        )
        response = self.login(self.p.staff).post(
            en("assessments:assessment_accept", self.assessment.pk), follow=True
        )
        self.assertContains(response, "Verify every criterion before accepting")
        self.assertContains(response, "21 not verified yet")
        self.assertContains(response, answers[1].criterion.code)
        self.assertEqual(Assessment.objects.get().status, S.SUBMITTED)

    def test_a_verified_answer_is_locked_for_the_officer(self):
        self.submit()
        locked = self.answers()[0]
        staff = self.login(self.p.staff)
        staff.post(
            en("assessments:answer_verify", self.assessment.pk, locked.pk),
            {"met": "0"},
        )
        staff.post(
            en("assessments:assessment_return", self.assessment.pk),
            {"reason": "Tiêu chí 1.2 thiếu minh chứng"},
        )
        officer = self.login(self.p.officer_ward)
        page = officer.get(en("assessments:assessment_detail", self.assessment.pk))
        self.assertContains(page, "Tiêu chí 1.2 thiếu minh chứng")
        self.assertContains(
            page, "Verified by the province: this answer cannot be changed."
        )
        self.assertNotContains(page, f'name="met_{locked.pk}"')
        self.assertContains(page, "1 criterion is verified and locked.")
        # A value posted for it anyway is refused, and nothing is saved.
        data = self.answer_data(met="1")
        data[f"met_{locked.pk}"] = "1"
        response = officer.post(
            en("assessments:assessment_answers", self.assessment.pk), data
        )
        self.assertContains(response, "fields that are not on it", status_code=400)
        locked.refresh_from_db()
        self.assertIs(locked.met, False)
        self.assertTrue(locked.verified)

    def test_a_verified_criterion_can_be_released(self):
        self.submit()
        answer = self.answers()[0]
        staff = self.login(self.p.staff)
        staff.post(
            en("assessments:answer_verify", self.assessment.pk, answer.pk),
            {"met": "1"},
        )
        response = staff.post(
            en("assessments:answer_unverify", self.assessment.pk, answer.pk),
            follow=True,
        )
        self.assertContains(response, "it is no longer verified")
        answer.refresh_from_db()
        self.assertFalse(answer.verified)

    def test_return_needs_a_reason(self):
        self.submit()
        response = self.login(self.p.staff).post(
            en("assessments:assessment_return", self.assessment.pk), {"reason": " "}
        )
        self.assertContains(
            response, "Give the reason for returning the assessment.", status_code=400
        )
        self.assertEqual(Assessment.objects.get().status, S.SUBMITTED)

    def test_local_officers_may_not_verify_accept_or_recognise(self):
        self.submit()
        answer = self.answers()[0]
        officer = self.login(self.p.officer_ward)
        for url, data in (
            (
                en("assessments:answer_verify", self.assessment.pk, answer.pk),
                {"met": "1"},
            ),
            (en("assessments:answer_unverify", self.assessment.pk, answer.pk), {}),
            (en("assessments:assessment_accept", self.assessment.pk), {}),
            (en("assessments:assessment_return", self.assessment.pk), {"reason": "x"}),
            (en("assessments:recognition_create", self.assessment.pk), {}),
        ):
            with self.subTest(url=url):
                self.assertEqual(officer.post(url, data).status_code, 403)
        self.assertFalse(Answer.objects.filter(verified_at__isnull=False).exists())

    def test_workflow_steps_refuse_get(self):
        client = self.login(self.p.staff)
        answer = self.answers()[0]
        for url in (
            en("assessments:assessment_submit", self.assessment.pk),
            en("assessments:assessment_accept", self.assessment.pk),
            en("assessments:assessment_return", self.assessment.pk),
            en("assessments:answer_verify", self.assessment.pk, answer.pk),
            en("assessments:answer_unverify", self.assessment.pk, answer.pk),
            en("assessments:assessment_answers", self.assessment.pk),
        ):
            with self.subTest(url=url):
                self.assertEqual(client.get(url).status_code, 405)

    def test_waiting_lists(self):
        self.submit()
        staff = self.login(self.p.staff).get(en("assessments:assessment_waiting"))
        self.assertEqual(list(staff.context["assessments"]), [self.assessment])
        officer = self.login(self.p.officer_ward).get(
            en("assessments:assessment_waiting")
        )
        self.assertEqual(list(officer.context["assessments"]), [])
        services.assessment_return(
            assessment=self.assessment, reason="Thiếu", by=self.p.staff
        )
        officer = self.login(self.p.officer_ward).get(
            en("assessments:assessment_waiting")
        )
        self.assertEqual(list(officer.context["assessments"]), [self.assessment])


class ScopeTests(AssessmentPageTestCase):
    def test_another_locality_gets_404_for_every_page_and_step(self):
        answer = self.answers()[0]
        evidence = services.evidence_add(
            assessment=self.assessment,
            answer_id=answer.pk,
            file=pdf_file(),
            by=self.p.officer_ward,
        )
        a, pk = self.assessment, self.assessment.pk
        gets = (
            en("assessments:assessment_detail", pk),
            en("assessments:evidence_download", evidence.pk),
        )
        posts = (
            (en("assessments:assessment_answers", pk), self.answer_data()),
            (
                en("assessments:evidence_upload", pk, answer.pk),
                {f"ev{answer.pk}-file": pdf_file()},
            ),
            (en("assessments:evidence_remove", evidence.pk), {}),
            (en("assessments:assessment_submit", pk), {}),
            (en("assessments:answer_verify", pk, answer.pk), {"met": "1"}),
            (en("assessments:answer_unverify", pk, answer.pk), {}),
            (en("assessments:assessment_return", pk), {"reason": "x"}),
            (en("assessments:assessment_accept", pk), {}),
            (en("assessments:recognition_create", pk), {}),
        )
        for user in (self.p.officer_b, self.p.officer_commune, self.p.officer_a):
            client = self.login(user)
            for url in gets:
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(client.get(url).status_code, 404)
            for url, data in posts:
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(client.post(url, data).status_code, 404)
        a.refresh_from_db()
        self.assertEqual((a.status, a.version), (S.DRAFT, 1))
        self.assertEqual(Evidence.objects.count(), 1)
        self.assertFalse(Answer.objects.filter(met__isnull=False).exists())

    def test_an_answer_of_another_assessment_is_404_here(self):
        other = services.assessment_create(
            year=2023, ward_police=self.ward_police_2023, by=self.p.staff
        )
        foreign = self.answers(other)[0]
        response = self.login(self.p.staff).post(
            en("assessments:evidence_upload", self.assessment.pk, foreign.pk),
            {f"ev{foreign.pk}-file": pdf_file()},
        )
        self.assertEqual(response.status_code, 404)

    def test_the_director_reads_but_changes_nothing(self):
        client = self.login(self.p.leader)
        page = client.get(en("assessments:assessment_detail", self.assessment.pk))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'id="answers-form"')
        self.assertNotContains(page, "Add an evidence file")
        response = client.post(
            en("assessments:assessment_answers", self.assessment.pk), self.answer_data()
        )
        self.assertEqual(response.status_code, 403)


class DetailQueryCountTests(AssessmentPageTestCase):
    """The detail page runs the same queries whatever the number of criteria
    and evidence files (the commune-level set: 34 criteria)."""

    def setUp(self):
        super().setUp()
        self.registration = approved_registration(self.p)
        self.big = services.assessment_create(
            year=2023, registration=self.registration, by=self.p.officer_a
        )

    def add_evidence(self, answer, count):
        for index in range(count):
            Evidence.objects.create(
                answer=answer,
                file=SimpleUploadedFile(f"e{index}.pdf", pdf_bytes()),
                file_name=f"Minh chứng {index}.pdf",
                file_size=len(pdf_bytes()),
                uploaded_by=self.p.officer_a,
            )

    def queries(self, user, assessment) -> int:
        client = self.login(user)
        url = en("assessments:assessment_detail", assessment.pk)
        client.get(url)  # warm up (session, translations, templates)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(captured.captured_queries)

    def test_one_evidence_file_or_three_on_each_of_34_criteria(self):
        answers = self.answers(self.big)
        self.assertEqual(len(answers), 34)
        self.add_evidence(answers[0], 1)
        one = {
            "officer": self.queries(self.p.officer_a, self.big),
            "staff": self.queries(self.p.staff, self.big),
        }
        for answer in answers:
            self.add_evidence(answer, 3)
        self.answer_all(self.big, by=self.p.officer_a)
        services.assessment_submit(assessment=self.big, by=self.p.officer_a)
        self.verify_all(self.big)
        services.assessment_return(
            assessment=self.big, reason="Kiểm tra lại", by=self.p.staff
        )
        many = {
            "officer": self.queries(self.p.officer_a, self.big),
            "staff": self.queries(self.p.staff, self.big),
        }
        self.assertEqual(
            Evidence.objects.filter(answer__assessment=self.big).count(), 103
        )
        self.assertEqual(one, many)
        self.assertLessEqual(many["officer"], 12)


class ListAndExportTests(AssessmentPageTestCase):
    def setUp(self):
        super().setUp()
        self.other = services.assessment_create(
            year=2023, ward_police=self.ward_police_2023, by=self.p.officer_a
        )

    def test_staff_see_every_assessment_with_its_result(self):
        response = self.login(self.p.staff).get(en("assessments:assessment_list"))
        self.assertEqual(
            set(response.context["page_obj"].object_list), {self.assessment, self.other}
        )
        self.assertContains(response, "0 of 22")
        self.assertContains(response, "<h1", count=1)
        self.assertContains(response, en("assessments:assessment_create"))

    def test_filters_and_search_ignore_accents(self):
        client = self.login(self.p.staff)
        url = en("assessments:assessment_list")
        for query, expected in (
            ("?q=long+xuyen", {self.assessment}),
            ("?q=LONG+XUYÊN&year=2023", set()),
            (f"?year={YEAR}", {self.assessment}),
            ("?status=submitted", set()),
            ("?unit_type=registration", set()),
            ("?unit_type=ward_police&year=2023", {self.other}),
        ):
            with self.subTest(query=query):
                response = client.get(url + query)
                self.assertEqual(
                    set(response.context["page_obj"].object_list), expected
                )

    def test_local_officer_sees_only_their_committees_assessments(self):
        response = self.login(self.p.officer_ward).get(
            en("assessments:assessment_list")
        )
        self.assertEqual(
            list(response.context["page_obj"].object_list), [self.assessment]
        )
        response = self.login(self.p.officer_b).get(en("assessments:assessment_list"))
        self.assertEqual(list(response.context["page_obj"].object_list), [])

    def test_meets_all_is_derived_from_the_answers_and_the_verification(self):
        self.submit()
        page = self.login(self.p.staff).get(
            en("assessments:assessment_list") + f"?year={YEAR}"
        )
        self.assertContains(page, "Yes, not verified yet")
        self.verify_all()
        services.assessment_accept(assessment=self.assessment, by=self.p.staff)
        page = self.login(self.p.staff).get(
            en("assessments:assessment_list") + f"?year={YEAR}"
        )
        self.assertContains(page, "Yes — meets all")
        self.assertContains(page, "22 of 22")

    def test_csv_export_of_the_filtered_list(self):
        self.submit()
        response = self.login(self.p.staff).get(
            en("assessments:assessment_export", "csv") + f"?year={YEAR}"
        )
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("attachment", response["Content-Disposition"])
        body = b"".join(response.streaming_content).decode("utf-8")
        self.assertTrue(body.startswith("\ufeff"))
        rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
        self.assertEqual(rows[0][:3], ["Assessment ID", "Year", "Unit"])
        self.assertEqual(len(rows), 2)
        row = dict(zip(rows[0], rows[1], strict=True))
        self.assertEqual(row["Unit"], self.ward_police.name)
        self.assertEqual(row["Unit type"], "Ward police")
        self.assertEqual(row["Criteria met"], "22")
        self.assertEqual(row["Status"], "Submitted for verification")
        self.assertEqual(
            row["Meets all the required criteria"], "Yes, not verified yet"
        )

    def test_xlsx_export_opens_and_holds_the_list(self):
        response = self.login(self.p.staff).get(
            en("assessments:assessment_export", "xlsx")
        )
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][0], "Assessment ID")
        self.assertEqual(
            {r[2] for r in rows[1:]}, {self.ward_police.name, self.other.unit_name}
        )
        self.assertEqual(sheet.freeze_panes, "A2")

    def test_exports_are_scoped_and_unknown_formats_are_404(self):
        response = self.login(self.p.officer_b).get(
            en("assessments:assessment_export", "csv")
        )
        body = b"".join(response.streaming_content).decode("utf-8")
        self.assertNotIn(self.ward_police.name, body)
        response = self.login(self.p.staff).get(
            en("assessments:assessment_export", "pdf")
        )
        self.assertEqual(response.status_code, 404)


class HistoryTests(AssessmentPageTestCase):
    def test_the_history_shows_answers_evidence_and_verifications(self):
        first = self.answers()[0]
        services.evidence_add(
            assessment=self.assessment,
            answer_id=first.pk,
            file=pdf_file("Biên bản kiện toàn.pdf"),
            by=self.p.officer_ward,
        )
        self.submit()
        services.answer_verify(
            assessment=self.assessment, answer_id=first.pk, met=False, by=self.p.staff
        )
        response = self.login(self.p.officer_ward).get(
            en("assessments:assessment_detail", self.assessment.pk)
        )
        history = response.content.decode().split('id="timeline-heading"')[1]
        for expected in (
            "started the assessment (draft)",
            "Evidence added",
            "Biên bản kiện toàn.pdf",
            "Assessment answers changed",
            "Criteria verified",
            f"{first.criterion.code}: không đạt (sửa kết quả của đơn vị)",
        ):
            with self.subTest(expected=expected):
                self.assertIn(expected, history)
        # Each step once: the workflow's own entries are not repeated.
        self.assertEqual(history.count("Assessment submitted"), 0)

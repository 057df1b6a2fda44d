"""The texts of the phase reports: written by the standing office for a phase
and a committee, never overwriting someone else's save, audited, and copied
into a report when it is requested (so a report keeps the texts it was made
with)."""

from __future__ import annotations

import datetime
from unittest import mock

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import TestCase
from django.urls import reverse

from campaign.committees.choices import AuditAction, MembershipRole
from campaign.committees.models import AuditEntry, Membership
from reporting import selectors, services
from reporting.models import ReportJob, ReportTexts
from tests.factories import Personas, UserFactory
from tests.reporting.test_views import en

PAGE = reverse("reporting:report_texts")
VALUES = {
    "situation": "Tình hình an ninh, trật tự cơ bản ổn định.",
    "assessment": "Phong trào được triển khai sâu rộng.",
    "directions": "Tiếp tục nhân rộng mô hình.",
    "proposals": "Đề nghị Bộ Công an hỗ trợ kinh phí.",
    "signer_name": "Nguyễn Văn A",
    "signer_title": "KT. TRƯỞNG BAN",
    "recipients": "  Bộ Công an (V05);\n\n  Tỉnh ủy;  \nLưu: VT.",
}


def provincial_end_of(phase_key: str):
    end_year = int(phase_key.split("-")[1])
    return selectors.provincial_committee(on=datetime.date(end_year, 12, 31))


class ReportTextsSaveTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def save(self, version=0, values=None, committee_id=None, by=None):
        return services.report_texts_save(
            phase_key="2023-2025",
            committee_id=committee_id,
            values=values if values is not None else VALUES,
            version=version,
            by=by or self.p.staff,
        )

    def test_staff_write_the_texts_of_the_provincial_committee_by_default(self):
        texts = self.save()
        self.assertEqual(texts.version, 1)
        self.assertEqual(texts.committee, provincial_end_of("2023-2025"))
        self.assertEqual(texts.phase.start_year, 2023)
        self.assertEqual(texts.recipients, "Bộ Công an (V05);\nTỉnh ủy;\nLưu: VT.")
        self.assertEqual(texts.updated_by, self.p.staff)
        # The same row the phase report of the whole province reads.
        self.assertEqual(
            selectors.report_texts_get(phase_key="2023-2025", committee_id=None),
            texts,
        )

    def test_each_save_is_a_new_version_and_is_audited(self):
        self.save()
        texts = self.save(version=1, values={**VALUES, "situation": "Ổn định."})
        self.assertEqual(texts.version, 2)
        self.assertEqual(ReportTexts.objects.count(), 1)
        entries = AuditEntry.objects.filter(action=AuditAction.REPORT_TEXTS_SAVED)
        self.assertEqual(entries.count(), 2)
        latest = entries.first()
        self.assertEqual(latest.actor, self.p.staff)
        self.assertIn("2023–2025", latest.object_label)
        self.assertEqual(
            [(c["old"], c["new"]) for c in latest.changes],
            [(VALUES["situation"], "Ổn định.")],
        )

    def test_saving_it_unchanged_makes_no_new_version(self):
        self.save()
        texts = self.save(version=1)
        self.assertEqual(texts.version, 1)
        self.assertEqual(
            AuditEntry.objects.filter(action=AuditAction.REPORT_TEXTS_SAVED).count(), 1
        )

    def test_a_stale_version_is_refused_and_overwrites_nothing(self):
        self.save()  # someone else, first
        with self.assertRaises(ValidationError) as caught:
            self.save(version=0, values={**VALUES, "situation": "Bản cũ."})
        self.assertEqual(caught.exception.code, "stale")
        texts = ReportTexts.objects.get()
        self.assertEqual(texts.situation, VALUES["situation"])
        self.assertEqual(texts.version, 1)

    def test_only_the_standing_office_writes_them(self):
        for user in (self.p.leader, self.p.officer_ward):
            with self.subTest(user=user.username):
                with self.assertRaises(PermissionDenied):
                    self.save(by=user)
        self.assertFalse(ReportTexts.objects.exists())

    def test_a_committee_outside_the_writers_scope_is_a_404(self):
        # A standing-office role on a locality's committee: every function,
        # but the scope of that committee only.
        local_staff = UserFactory(username="vanphong.chaudoc")
        Membership.objects.create(
            user=local_staff,
            committee=self.p.committee_b,
            role=MembershipRole.PROVINCIAL_STAFF,
        )
        with self.assertRaises(Http404):
            self.save(committee_id=self.p.committee_a.pk, by=local_staff)
        with self.assertRaises(Http404):
            self.save(committee_id=None, by=local_staff)
        self.assertFalse(ReportTexts.objects.exists())
        texts = self.save(committee_id=self.p.committee_b.pk, by=local_staff)
        self.assertEqual(texts.committee, self.p.committee_b)

    def test_an_unknown_phase_is_refused(self):
        with self.assertRaises(ValidationError):
            services.report_texts_save(
                phase_key="2031-2035",
                committee_id=None,
                values=VALUES,
                version=0,
                by=self.p.staff,
            )

    def test_too_long_a_text_is_refused_in_words(self):
        with self.assertRaises(ValidationError) as caught:
            self.save(values={**VALUES, "signer_name": "x" * 121})
        self.assertIn("signer_name", caught.exception.message_dict)
        self.assertFalse(ReportTexts.objects.exists())

    def test_a_report_keeps_the_texts_it_was_requested_with(self):
        self.save()
        with (
            mock.patch("reporting.services.jobs._send"),
            self.captureOnCommitCallbacks(execute=True),
        ):
            job = services.report_request(
                kind="phase_progress",
                data={"phase": "2023-2025", "as_of": "2025-06-30", "language": "vi"},
                by=self.p.staff,
            )
        self.assertEqual(job.params["texts"]["situation"], VALUES["situation"])
        self.assertEqual(
            job.params["texts"]["recipients"],
            ["Bộ Công an (V05);", "Tỉnh ủy;", "Lưu: VT."],
        )
        self.save(version=1, values={**VALUES, "situation": "Đã sửa sau."})
        job = ReportJob.objects.get(pk=job.pk)
        self.assertEqual(job.params["texts"]["situation"], VALUES["situation"])


class ReportTextsPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def setUp(self):
        self.client.force_login(self.p.staff)

    def form_data(self, version=0, **values):
        return {**VALUES, **values, "version": version}

    def url(self, phase="2023-2025", committee=""):
        return f"{en(PAGE)}?phase={phase}&committee={committee}"

    def test_only_the_standing_office_opens_it(self):
        for user in (self.p.leader, self.p.officer_ward):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(PAGE).status_code, 403)
                self.assertEqual(
                    self.client.post(PAGE, self.form_data()).status_code, 403
                )
        self.assertFalse(ReportTexts.objects.exists())

    def test_it_opens_on_the_current_phase_and_the_provincial_committee(self):
        response = self.client.get(en(PAGE))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["phase"].key, "2026-2030")
        self.assertEqual(response.context["committee"], provincial_end_of("2026-2030"))
        self.assertContains(
            response,
            "The texts are copied into a report when it is requested, so reports "
            "already made keep their texts.",
        )
        for name in ("situation", "assessment", "directions", "proposals"):
            self.assertContains(response, f'for="id_{name}"')
        self.assertContains(
            response, '<input type="hidden" name="version" value="0" id="id_version">'
        )

    def test_saving_leads_back_to_the_same_texts_with_the_new_version(self):
        response = self.client.post(self.url(), self.form_data())
        texts = ReportTexts.objects.get()
        self.assertRedirects(
            response,
            f"{reverse('reporting:report_texts')}?phase=2023-2025"
            f"&committee={texts.committee_id}",
            fetch_redirect_response=False,
        )
        response = self.client.get(response["Location"])
        self.assertContains(response, VALUES["situation"])
        self.assertContains(response, 'name="version" value="1"')

    def test_a_committee_can_be_chosen(self):
        self.client.post(
            self.url(committee=self.p.committee_a.pk), self.form_data(situation="LX")
        )
        texts = ReportTexts.objects.get()
        self.assertEqual(texts.committee, self.p.committee_a)
        self.assertEqual(texts.situation, "LX")
        response = self.client.get(self.url(committee=self.p.committee_a.pk))
        self.assertContains(response, "LX")

    def test_a_save_from_an_older_page_is_refused_and_explained(self):
        self.client.post(self.url(), self.form_data(situation="Bản của người kia"))
        response = self.client.post(self.url(), self.form_data(situation="Bản của tôi"))
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response, "after you opened them. Nothing was saved", status_code=400
        )
        self.assertContains(response, "Bản của tôi", status_code=400)  # not lost
        self.assertContains(
            response, "Open the texts as they are saved now", status_code=400
        )
        self.assertEqual(ReportTexts.objects.get().situation, "Bản của người kia")

    def test_an_unknown_phase_or_committee_is_refused(self):
        for url in (self.url(phase="1999-2000"), self.url(committee="999999")):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 400)
                response = self.client.post(url, self.form_data())
                self.assertEqual(response.status_code, 400)
        self.assertFalse(ReportTexts.objects.exists())

    def test_fields_that_are_not_on_the_form_are_refused(self):
        response = self.client.post(self.url(), {**self.form_data(), "committee": 1})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(ReportTexts.objects.exists())

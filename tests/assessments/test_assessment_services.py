"""The services of assessments, criteria and recognition: what they refuse —
with a clear message and nothing changed — and what they keep."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import TestCase
from django.utils import timezone, translation

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
from campaign.assessments.selectors.assessments import assessment_get_for_user
from campaign.assessments.selectors.criteria import criteria_set_current
from campaign.assessments.services import assessments as services
from campaign.assessments.services import awards
from campaign.assessments.services.criteria import (
    CriterionSpec,
    GroupSpec,
    criteria_set_publish,
    criteria_set_specs,
)
from campaign.committees.choices import AuditAction
from campaign.committees.models import AuditEntry
from campaign.registrations.choices import NotificationKind
from campaign.registrations.models import Notification
from tests.assessments import builders
from tests.factories import Personas
from tests.registrations.test_registrations import pdf_file

D = datetime.date


def stored_files() -> list[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return sorted(p for p in root.rglob("*") if p.is_file())


def all_met(assessment, met=True):
    return {
        a.pk: services.AnswerInput(met=met, note="Đã thực hiện")
        for a in assessment.answers.all()
    }


class AssessmentServiceTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.my_binh = builders.ward_police("ag89-883-30280")  # Long Xuyên, 2023
        cls.chau_phu_a = builders.ward_police("ag89-884-30319")  # Châu Đốc, 2023
        cls.long_xuyen = builders.ward_police("ag91-30307")  # today's ward

    def setUp(self):
        # The messages are checked in English, their msgid language.
        self.enterContext(translation.override("en"))

    def start(self, ward=None, year=2023, by=None):
        return services.assessment_create(
            year=year, ward_police=ward or self.my_binh, by=by or self.p.officer_a
        )

    def submitted(self):
        assessment = self.start()
        services.assessment_answers_update(
            assessment=assessment,
            expected_version=assessment.version,
            answers=all_met(assessment),
            by=self.p.officer_a,
        )
        return services.assessment_submit(assessment=assessment, by=self.p.officer_a)

    def verify_all(self, assessment, met=True):
        for answer in assessment.answers.all():
            services.answer_verify(
                assessment=assessment, answer_id=answer.pk, met=met, by=self.p.staff
            )


class StartingAnAssessmentTests(AssessmentServiceTestCase):
    def test_an_officer_starts_one_with_an_answer_per_criterion(self):
        assessment = self.start()
        current = criteria_set_current(CriteriaSubject.WARD_POLICE)
        self.assertEqual(assessment.criteria_set, current)
        self.assertEqual(assessment.committee, self.p.committee_a)
        self.assertEqual(
            assessment.answers.count(),
            current.groups.values("criteria").count(),
        )
        self.assertEqual(assessment.status, S.DRAFT)
        self.assertTrue(
            AuditEntry.objects.filter(action=AuditAction.ASSESSMENT_CREATED).exists()
        )

    def test_todays_ward_officer_assesses_the_new_ward_police(self):
        assessment = self.start(self.long_xuyen, year=2026, by=self.p.officer_ward)
        self.assertEqual(assessment.committee, self.p.committee_ward)

    def test_a_second_assessment_of_the_same_unit_and_year_is_refused(self):
        self.start()
        with self.assertRaisesMessage(ValidationError, "already assessed for 2023"):
            self.start()
        self.assertEqual(Assessment.objects.count(), 1)

    def test_a_year_outside_the_plan_is_refused(self):
        for year in (2022, 2031):
            with self.subTest(year=year):
                with self.assertRaises(ValidationError) as caught:
                    self.start(self.long_xuyen, year=year, by=self.p.staff)
                self.assertIn("2023–2025, 2026–2030", str(caught.exception))
        self.assertFalse(Assessment.objects.exists())

    def test_a_unit_not_in_force_that_year_is_refused_with_what_it_became(self):
        dong_xuyen = builders.ward_police("ag89-883-30285")  # merged 01/01/2025
        with self.assertRaises(ValidationError) as caught:
            self.start(dong_xuyen, year=2025)
        message = " ".join(caught.exception.messages)
        self.assertIn("did not exist in 2025", message)
        self.assertIn("31/12/2024", message)
        self.assertIn("Phường Mỹ Xuyên", message)
        with self.assertRaisesMessage(ValidationError, "did not exist in 2024"):
            self.start(self.long_xuyen, year=2024, by=self.p.staff)
        self.assertFalse(Assessment.objects.exists())

    def test_a_ward_of_another_locality_is_a_404(self):
        with self.assertRaises(Http404):
            self.start(self.chau_phu_a)
        with self.assertRaises(Http404):
            self.start(self.my_binh, by=self.p.officer_ward)
        self.assertFalse(Assessment.objects.exists())

    def test_a_registration_must_be_approved_and_within_its_phase(self):
        draft = builders.registration(self.p, area_key="ag89-883-30283", status="draft")
        with self.assertRaisesMessage(ValidationError, "Only an approved registration"):
            services.assessment_create(
                year=2023, registration=draft, by=self.p.officer_a
            )
        approved = builders.registration(self.p, area_key="ag89-883-30280")
        with self.assertRaisesMessage(ValidationError, "outside the phase"):
            services.assessment_create(
                year=2026, registration=approved, by=self.p.staff
            )
        made = services.assessment_create(
            year=2024, registration=approved, by=self.p.officer_a
        )
        self.assertEqual(made.criteria_set.subject, CriteriaSubject.COMMUNE_LEVEL)

    def test_a_director_cannot_assess(self):
        with self.assertRaises(PermissionDenied):
            self.start(by=self.p.leader)


class AnswersAndEvidenceTests(AssessmentServiceTestCase):
    def test_answers_are_saved_and_counted_not_typed(self):
        assessment = self.start()
        answers = all_met(assessment)
        first = min(answers)
        answers[first] = services.AnswerInput(met=False, note="Chưa đạt")
        services.assessment_answers_update(
            assessment=assessment,
            expected_version=1,
            answers=answers,
            by=self.p.officer_a,
        )
        read = assessment_get_for_user(user=self.p.officer_a, pk=assessment.pk)
        self.assertEqual(read.version, 2)
        self.assertEqual(read.criteria_met, read.criteria_total - 1)
        self.assertEqual(read.criteria_answered, read.criteria_total)
        self.assertLess(read.required_met, read.required_total)

    def test_a_stale_version_is_refused_and_changes_nothing(self):
        assessment = self.start()
        services.assessment_answers_update(
            assessment=assessment,
            expected_version=1,
            answers=all_met(assessment),
            by=self.p.officer_a,
        )
        with self.assertRaises(services.AssessmentConflict) as caught:
            services.assessment_answers_update(
                assessment=assessment,
                expected_version=1,
                answers=all_met(assessment, met=False),
                by=self.p.officer_a,
            )
        self.assertEqual(caught.exception.current.version, 2)
        self.assertFalse(Answer.objects.filter(met=False).exists())

    def test_an_answer_of_another_assessment_is_refused(self):
        mine = self.start()
        other = self.start(self.chau_phu_a, by=self.p.officer_b)
        stray = other.answers.first()
        with self.assertRaisesMessage(ValidationError, "not part of this assessment"):
            services.assessment_answers_update(
                assessment=mine,
                expected_version=1,
                answers={stray.pk: services.AnswerInput(met=True)},
                by=self.p.officer_a,
            )

    def test_evidence_is_checked_by_content_and_stored_privately(self):
        assessment = self.start()
        answer = assessment.answers.first()
        evidence = services.evidence_add(
            assessment=assessment,
            answer_id=answer.pk,
            file=pdf_file("Biên bản họp.pdf"),
            by=self.p.officer_a,
        )
        self.assertEqual(evidence.file_name, "Biên bản họp.pdf")
        self.assertTrue(evidence.file.name.startswith("evidence/"))
        self.assertEqual(len(stored_files()), 1)

    def test_evidence_failing_the_upload_rules_changes_nothing(self):
        assessment = self.start()
        answer = assessment.answers.first()
        fake = SimpleUploadedFile(
            "minh-chung.pdf", b"not a pdf at all", content_type="application/pdf"
        )
        with self.assertRaises(ValidationError) as caught:
            services.evidence_add(
                assessment=assessment,
                answer_id=answer.pk,
                file=fake,
                by=self.p.officer_a,
            )
        self.assertIn("file", caught.exception.message_dict)
        self.assertFalse(Evidence.objects.exists())
        self.assertEqual(stored_files(), [])

    def test_evidence_of_another_locality_is_a_404_at_the_service(self):
        assessment = self.start()
        answer = assessment.answers.first()
        evidence = services.evidence_add(
            assessment=assessment,
            answer_id=answer.pk,
            file=pdf_file(),
            by=self.p.officer_a,
        )
        with self.assertRaises(Http404):
            services.evidence_remove(evidence_id=evidence.pk, by=self.p.officer_b)
        with self.assertRaises(Http404):
            services.evidence_add(
                assessment=assessment,
                answer_id=answer.pk,
                file=pdf_file(),
                by=self.p.officer_ward,
            )
        self.assertEqual(Evidence.objects.count(), 1)

    def test_removing_evidence_deletes_its_file_after_commit(self):
        assessment = self.start()
        answer = assessment.answers.first()
        evidence = services.evidence_add(
            assessment=assessment,
            answer_id=answer.pk,
            file=pdf_file(),
            by=self.p.officer_a,
        )
        with self.captureOnCommitCallbacks(execute=True):
            services.evidence_remove(evidence_id=evidence.pk, by=self.p.officer_a)
        self.assertFalse(Evidence.objects.exists())
        self.assertEqual(stored_files(), [])


class WorkflowTests(AssessmentServiceTestCase):
    def test_submitting_needs_every_criterion_answered(self):
        assessment = self.start()
        with self.assertRaisesMessage(ValidationError, "Answer every criterion"):
            services.assessment_submit(assessment=assessment, by=self.p.officer_a)
        assessment.refresh_from_db()
        self.assertEqual(assessment.status, S.DRAFT)

    def test_submitting_tells_the_reviewers(self):
        self.submitted()
        notification = Notification.objects.get(recipient=self.p.staff)
        self.assertEqual(notification.kind, NotificationKind.ASSESSMENT_SUBMITTED)
        self.assertIn("/assessments/", notification.target_url())

    def test_a_verified_answer_is_locked_for_the_officer(self):
        assessment = self.submitted()
        answer = assessment.answers.first()
        services.answer_verify(
            assessment=assessment, answer_id=answer.pk, met=True, by=self.p.staff
        )
        services.assessment_return(
            assessment=assessment, reason="Bổ sung minh chứng", by=self.p.staff
        )
        current = Assessment.objects.get(pk=assessment.pk)
        with self.assertRaisesMessage(ValidationError, "locked"):
            services.assessment_answers_update(
                assessment=current,
                expected_version=current.version,
                answers={answer.pk: services.AnswerInput(met=False)},
                by=self.p.officer_a,
            )
        with self.assertRaisesMessage(ValidationError, "can no longer change"):
            services.evidence_add(
                assessment=current,
                answer_id=answer.pk,
                file=pdf_file(),
                by=self.p.officer_a,
            )
        answer.refresh_from_db()
        self.assertTrue(answer.met)
        # The other answers stay open to the officer.
        other = current.answers.exclude(pk=answer.pk).first()
        services.assessment_answers_update(
            assessment=current,
            expected_version=current.version,
            answers={other.pk: services.AnswerInput(met=False, note="Chưa đạt")},
            by=self.p.officer_a,
        )

    def test_verifying_a_criterion_of_another_assessment_is_refused(self):
        mine = self.submitted()
        other = self.start(self.chau_phu_a, by=self.p.officer_b)
        with self.assertRaisesMessage(ValidationError, "not part of this assessment"):
            services.answer_verify(
                assessment=mine,
                answer_id=other.answers.first().pk,
                met=True,
                by=self.p.staff,
            )
        self.assertFalse(Answer.objects.filter(verified_at__isnull=False).exists())

    def test_an_officer_cannot_verify(self):
        assessment = self.submitted()
        with self.assertRaises(PermissionDenied):
            services.answer_verify(
                assessment=assessment,
                answer_id=assessment.answers.first().pk,
                met=True,
                by=self.p.officer_a,
            )

    def test_accepting_needs_every_criterion_verified(self):
        assessment = self.submitted()
        with self.assertRaisesMessage(ValidationError, "Verify every criterion"):
            services.assessment_accept(assessment=assessment, by=self.p.staff)
        self.verify_all(assessment)
        accepted = services.assessment_accept(assessment=assessment, by=self.p.staff)
        self.assertEqual(accepted.status, S.ACCEPTED)
        step = AssessmentTransition.objects.filter(assessment=assessment).last()
        self.assertIn("đạt đủ các tiêu chí", step.reason)
        self.assertTrue(
            Notification.objects.filter(
                recipient=self.p.officer_a, kind=NotificationKind.ASSESSMENT_ACCEPTED
            ).exists()
        )

    def test_staff_findings_decide_the_result(self):
        assessment = self.submitted()
        self.verify_all(assessment, met=False)
        services.assessment_accept(assessment=assessment, by=self.p.staff)
        read = assessment_get_for_user(user=self.p.staff, pk=assessment.pk)
        self.assertEqual(read.criteria_met, 0)

    def test_returning_needs_a_reason(self):
        assessment = self.submitted()
        with self.assertRaises(ValidationError):
            services.assessment_return(
                assessment=assessment, reason=" ", by=self.p.staff
            )
        assessment.refresh_from_db()
        self.assertEqual(assessment.status, S.SUBMITTED)


class CriteriaVersionTests(AssessmentServiceTestCase):
    def test_republishing_keeps_the_version_an_assessment_was_made_against(self):
        old = self.start()
        first = old.criteria_set
        specs = criteria_set_specs(first)
        specs[0] = GroupSpec(
            code=specs[0].code,
            title=specs[0].title,
            criteria=[
                CriterionSpec(code="1.1", text="Văn bản chính thức: tiêu chí 1.1"),
                *specs[0].criteria[1:],
            ],
        )
        second = criteria_set_publish(
            subject=CriteriaSubject.WARD_POLICE,
            title="Bộ tiêu chí Công an phường điển hình (chính thức)",
            groups=specs,
            by=self.p.staff,
        )
        self.assertEqual(second.version, first.version + 1)
        old.refresh_from_db()
        self.assertEqual(old.criteria_set, first)
        self.assertFalse(
            old.answers.filter(criterion__group__criteria_set=second).exists()
        )
        new = self.start(self.long_xuyen, year=2026, by=self.p.officer_ward)
        self.assertEqual(new.criteria_set, second)

    def test_publishing_an_empty_set_is_refused(self):
        before = CriteriaSet.objects.count()
        for groups in ([], [GroupSpec(code="1", title="Nhóm trống")]):
            with self.subTest(groups=groups):
                with self.assertRaisesMessage(ValidationError, "at least one group"):
                    criteria_set_publish(
                        subject=CriteriaSubject.WARD_POLICE,
                        title="Bộ trống",
                        groups=groups,
                        by=self.p.staff,
                    )
        self.assertEqual(CriteriaSet.objects.count(), before)

    def test_duplicate_codes_and_missing_texts_are_named(self):
        groups = [
            GroupSpec(
                code="1",
                title="Nhóm 1",
                criteria=[
                    CriterionSpec(code="1.1", text="Một"),
                    CriterionSpec(code="1.1", text=""),
                ],
            )
        ]
        with self.assertRaises(ValidationError) as caught:
            criteria_set_publish(
                subject=CriteriaSubject.WARD_POLICE,
                title="Bộ lỗi",
                groups=groups,
                by=self.p.staff,
            )
        text = " ".join(caught.exception.messages)
        self.assertIn("1.1 is used twice", text)
        self.assertIn("has no text", text)

    def test_only_staff_publish(self):
        with self.assertRaises(PermissionDenied):
            criteria_set_publish(
                subject=CriteriaSubject.WARD_POLICE,
                title="x",
                groups=[
                    GroupSpec(code="1", title="x", criteria=[CriterionSpec("1", "x")])
                ],
                by=self.p.officer_a,
            )

    def test_the_seeded_sets_are_marked_as_placeholders(self):
        for subject in CriteriaSubject.values:
            with self.subTest(subject=subject):
                current = criteria_set_current(subject)
                self.assertTrue(current.is_placeholder)
                texts = [c.text for g in current.groups.all() for c in g.criteria.all()]
                self.assertTrue(texts)
                self.assertTrue(
                    all("Tiêu chí tạm — chờ văn bản chính thức" in t for t in texts)
                )
        ward_police = criteria_set_current(CriteriaSubject.WARD_POLICE)
        self.assertEqual(sum(g.criteria.count() for g in ward_police.groups.all()), 22)
        communes = criteria_set_current(CriteriaSubject.COMMUNE_LEVEL)
        self.assertEqual(sum(g.criteria.count() for g in communes.groups.all()), 34)


class RecognitionTests(AssessmentServiceTestCase):
    def accepted(self, meets_all=True):
        return builders.assessment(
            by=self.p.staff, year=2023, ward=self.my_binh, meets_all=meets_all
        )

    def test_a_recognition_for_an_accepted_assessment_meeting_all(self):
        assessment = self.accepted()
        recognition = awards.recognition_record(
            assessment=assessment,
            decision_number="125/QĐ-BCĐ",
            decided_on=timezone.localdate(),
            authority="Ban Chỉ đạo 138 tỉnh An Giang",
            by=self.p.staff,
        )
        self.assertEqual(
            (recognition.year, recognition.ward_police), (2023, self.my_binh)
        )

    def test_a_recognition_dated_before_its_assessment_is_refused(self):
        assessment = self.accepted()
        with self.assertRaises(ValidationError) as caught:
            awards.recognition_record(
                assessment=assessment,
                decision_number="125/QĐ-BCĐ",
                decided_on=timezone.localdate() - datetime.timedelta(days=1),
                authority="Ban Chỉ đạo 138 tỉnh An Giang",
                by=self.p.staff,
            )
        self.assertIn("before the assessment was accepted", str(caught.exception))
        self.assertFalse(Recognition.objects.exists())

    def test_no_recognition_without_all_criteria_met_or_twice(self):
        failing = self.accepted(meets_all=False)
        with self.assertRaisesMessage(ValidationError, "recognised only when"):
            awards.recognition_record(
                assessment=failing,
                decision_number="1/QĐ",
                decided_on=timezone.localdate(),
                authority="BCĐ",
                by=self.p.staff,
            )
        passing = builders.assessment(by=self.p.staff, year=2024, ward=self.my_binh)
        for attempt in range(2):
            if attempt:
                with self.assertRaisesMessage(ValidationError, "already has"):
                    awards.recognition_record(
                        assessment=passing,
                        decision_number="2/QĐ",
                        decided_on=timezone.localdate(),
                        authority="BCĐ",
                        by=self.p.staff,
                    )
            else:
                awards.recognition_record(
                    assessment=passing,
                    decision_number="2/QĐ",
                    decided_on=timezone.localdate(),
                    authority="BCĐ",
                    by=self.p.staff,
                )
        self.assertEqual(Recognition.objects.count(), 1)

    def test_an_officer_cannot_record_a_recognition(self):
        with self.assertRaises(PermissionDenied):
            awards.recognition_record(
                assessment=self.accepted(),
                decision_number="1/QĐ",
                decided_on=D(2024, 1, 5),
                authority="BCĐ",
                by=self.p.officer_a,
            )

"""The assessment's page keeps its answers and its timeline between requests
while the assessment is unchanged: everything done to it shows at once —
answers, evidence added or removed (which do not raise its version),
verifications, workflow steps — each language keeps its own, and another
locality is still refused."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaign.assessments.selectors import assessment_pages as pages
from campaign.assessments.services import assessments as services
from tests.assessments.test_assessment_pages import (
    AssessmentPageTestCase,
    en,
    pdf_file,
)
from tests.queries import reads


class KeptAssessmentPageTests(AssessmentPageTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        self.url = en("assessments:assessment_detail", self.assessment.pk)

    def page(self, user=None):
        response = self.login(user or self.p.officer_ward).get(self.url)
        self.assertEqual(response.status_code, 200)
        return response

    def evidence_names(self, response) -> list[str]:
        return [
            evidence.file_name
            for _group, rows in response.context["groups"]
            for row in rows
            for evidence in row.answer.evidence.all()
        ]

    def test_the_second_request_reads_neither_answers_nor_history(self):
        first = self.page()
        with CaptureQueriesContext(connection) as queries:
            again = self.page()
        for table in (
            "assessments_answer",
            "assessments_evidence",
            "assessments_assessmenttransition",
        ):
            self.assertFalse(reads(queries.captured_queries, table), table)
        self.assertEqual(again.content.count(b"<tr"), first.content.count(b"<tr"))
        self.assertEqual(len(again.context["timeline"]), len(first.context["timeline"]))

    def test_saved_answers_show_at_once(self):
        before = self.page()
        self.assertEqual(before.context["assessment"].criteria_answered, 0)
        self.answer_all()
        after = self.page()
        self.assertEqual(
            after.context["assessment"].criteria_answered,
            after.context["assessment"].criteria_total,
        )

    def test_evidence_added_and_removed_shows_at_once(self):
        self.page()
        answer = self.answers()[0]
        evidence = services.evidence_add(
            assessment=self.assessment,
            answer_id=answer.pk,
            file=pdf_file("Biên bản kiểm tra.pdf"),
            by=self.p.officer_ward,
        )
        self.assertIn("Biên bản kiểm tra.pdf", self.evidence_names(self.page()))
        services.evidence_remove(evidence_id=evidence.pk, by=self.p.officer_ward)
        self.assertNotIn("Biên bản kiểm tra.pdf", self.evidence_names(self.page()))

    def test_a_workflow_step_and_a_verification_show_at_once(self):
        steps = len(self.page().context["timeline"])
        self.submit()
        staff_page = self.page(self.p.staff)
        self.assertGreater(len(staff_page.context["timeline"]), steps)
        self.assertEqual(staff_page.context["assessment"].criteria_verified, 0)
        answer = self.answers()[0]
        services.answer_verify(
            assessment=self.assessment, answer_id=answer.pk, met=True, by=self.p.staff
        )
        self.assertEqual(
            self.page(self.p.staff).context["assessment"].criteria_verified, 1
        )

    def test_each_language_keeps_its_own_timeline(self):
        self.submit()
        english = self.page().content.decode()
        vietnamese = (
            self.login(self.p.officer_ward)
            .get(self.url.removeprefix("/en"))
            .content.decode()
        )
        self.assertIn("changed the status to", english)
        self.assertNotIn("changed the status to", vietnamese)

    def test_another_locality_is_refused_though_the_page_is_kept(self):
        self.page()
        for user in (self.p.officer_b, self.p.officer_commune):
            response = self.login(user).get(self.url)
            self.assertEqual(response.status_code, 404, user.username)

    def test_no_password_hash_is_kept_in_the_cache(self):
        self.submit()
        answer = self.answers()[0]
        services.answer_verify(
            assessment=self.assessment, answer_id=answer.pk, met=True, by=self.p.staff
        )
        self.assessment.refresh_from_db()
        data = pages.assessment_page_data(assessment=self.assessment)
        verifiers = [
            a.verified_by
            for group in data.groups
            for a in group.answers
            if a.verified_by is not None
        ]
        self.assertTrue(verifiers)
        for verifier in verifiers:
            self.assertIn("password", verifier.get_deferred_fields())
        for entry in data.timeline:
            if entry.actor is not None:
                self.assertIn("password", entry.actor.get_deferred_fields())

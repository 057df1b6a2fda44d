"""The assessment page writes its criteria in Python (``{% criterion_row %}``)
exactly as the row template does: the same markup for every state a row can
be in — answered or not, with a note, with evidence, verified and locked, for
the officer who answers and for the province that verifies."""

from __future__ import annotations

import re
from unittest import mock

from campaign.assessments.models import Answer
from campaign.assessments.services import assessments as services
from campaign.assessments.templatetags import criterion_rows
from tests.assessments.test_assessment_pages import (
    AssessmentPageTestCase,
    en,
    pdf_file,
)


def _normalised(html: str) -> str:
    """The page without the whitespace between tags (the template indents,
    Python does not) and without the per-response CSRF token."""
    html = re.sub(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"', r"\1T", html)
    html = re.sub(r">\s+", ">", html)
    html = re.sub(r"\s+<", "<", html)
    return re.sub(r"\s+", " ", html)


class CriterionRowsTests(AssessmentPageTestCase):
    def setUp(self):
        super().setUp()
        answers = self.answers()
        self.first, self.second, self.third = answers[:3]
        self.count = len(answers)
        services.evidence_add(
            assessment=self.assessment,
            answer_id=self.first.pk,
            file=pdf_file("Biên bản họp & kế hoạch.pdf"),
            by=self.p.officer_ward,
        )

    def page_both_ways(self, user) -> tuple[str, str, int]:
        """The page as served, and as the row template alone writes it; and
        how many rows Python wrote."""
        client = self.login(user)
        url = en("assessments:assessment_detail", self.assessment.pk)
        with mock.patch.object(
            criterion_rows, "criterion_html", wraps=criterion_rows.criterion_html
        ) as in_python:
            served = client.get(url)
        with mock.patch.object(criterion_rows, "_plain", return_value=False):
            by_template = client.get(url)
        self.assertEqual(served.status_code, 200)
        self.assertEqual(by_template.status_code, 200)
        return (
            _normalised(served.content.decode()),
            _normalised(by_template.content.decode()),
            in_python.call_count,
        )

    def assert_same_rows(self, user) -> str:
        served, by_template, written = self.page_both_ways(user)
        self.assertEqual(written, self.count)
        self.assertEqual(served, by_template)
        return served

    def test_officer_answering_a_draft_sees_the_same_rows(self):
        self.assessment.refresh_from_db()
        services.assessment_answers_update(
            assessment=self.assessment,
            expected_version=self.assessment.version,
            answers={
                self.first.pk: services.AnswerInput(met=True),
                self.second.pk: services.AnswerInput(
                    met=False, note="Chưa đủ <hồ sơ> & biên bản.\nBổ sung sau."
                ),
            },
            by=self.p.officer_ward,
        )
        page = self.assert_same_rows(self.p.officer_ward)
        self.assertIn("Chưa đủ &lt;hồ sơ&gt; &amp; biên bản.", page)
        self.assertIn("Biên bản họp &amp; kế hoạch.pdf", page)
        self.assertIn('data-confirm="Remove “Biên bản họp &amp;', page)

    def test_province_verifying_a_submitted_assessment_sees_the_same_rows(self):
        self.submit()
        services.answer_verify(
            assessment=self.assessment,
            answer_id=self.first.pk,
            met=False,
            by=self.p.staff,
        )
        page = self.assert_same_rows(self.p.staff)
        self.assertIn("Verified: met", page)
        self.assertIn("Release", page)
        # The officer waits: no fields, the answers as stored.
        self.assert_same_rows(self.p.officer_ward)

    def test_officer_of_a_returned_assessment_sees_locked_rows_the_same(self):
        self.submit()
        services.answer_verify(
            assessment=self.assessment,
            answer_id=self.first.pk,
            met=True,
            by=self.p.staff,
        )
        services.answer_verify(
            assessment=self.assessment,
            answer_id=self.third.pk,
            met=False,
            by=self.p.staff,
            note="Thiếu <quyết định> kiện toàn.",
        )
        services.assessment_return(
            assessment=self.assessment, reason="Bổ sung hồ sơ.", by=self.p.staff
        )
        services.evidence_add(
            assessment=self.assessment,
            answer_id=self.second.pk,
            file=pdf_file("Bổ sung.pdf"),
            by=self.p.officer_ward,
        )
        page = self.assert_same_rows(self.p.officer_ward)
        self.assertIn("Locked: only the provincial standing office", page)
        self.assertIn("Thiếu &lt;quyết định&gt; kiện toàn.", page)
        self.assertTrue(Answer.objects.get(pk=self.first.pk).verified)

    def test_a_row_with_a_refused_field_is_written_by_the_template(self):
        self.assessment.refresh_from_db()
        client = self.login(self.p.officer_ward)
        data = self.answer_data(**{f"note_{self.second.pk}": "x" * 5000})
        with mock.patch.object(
            criterion_rows, "criterion_html", wraps=criterion_rows.criterion_html
        ) as in_python:
            response = client.post(
                en("assessments:assessment_answers", self.assessment.pk), data
            )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(in_python.call_count, self.count - 1)
        self.assertContains(response, "is-invalid", status_code=400)

"""The objects the fuzz tests post about, built once per test class: the
personas, registrations of Long Xuyên's wards in every state of the workflow,
assessments (draft, submitted, accepted), a pledge, a committee member."""

from __future__ import annotations

import datetime

from hypothesis.extra.django import TestCase

from campaign.assessments.choices import AssessmentStatus
from campaign.assessments.models import EmulationPledge, PledgeItem
from campaign.committees.choices import CommitteeRole
from campaign.committees.models import CommitteeMember
from campaign.planning.models import LegalDocument, Target
from tests.assessments import builders
from tests.factories import Personas


class FuzzFixtures(TestCase):
    """Hypothesis's TestCase: a test method under ``@given`` runs each example
    in its own transaction."""

    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.plan = cls.p.plan
        ward = "ag89-883-"
        cls.reg_draft = builders.registration(
            cls.p, area_key=ward + "30280", status="draft"
        )
        cls.reg_submitted = builders.registration(
            cls.p, area_key=ward + "30283", status="submitted"
        )
        # Approved: one to start an assessment of, three assessed.
        cls.reg_to_assess = builders.registration(
            cls.p, area_key=ward + "30286", status="approved"
        )
        assessed = [
            builders.registration(cls.p, area_key=ward + key, status="approved")
            for key in ("30289", "30292", "30295")
        ]
        cls.assessment_draft = builders.assessment(
            by=cls.p.officer_a,
            year=2023,
            registration=assessed[0],
            status=AssessmentStatus.DRAFT,
            verified=False,
        )
        cls.assessment_submitted = builders.assessment(
            by=cls.p.officer_a,
            year=2023,
            registration=assessed[1],
            status=AssessmentStatus.SUBMITTED,
            verified=False,
        )
        cls.assessment_accepted = builders.assessment(
            by=cls.p.officer_a, year=2023, registration=assessed[2]
        )
        cls.draft_answer = cls.assessment_draft.answers.order_by("pk").first()
        cls.submitted_answer = cls.assessment_submitted.answers.order_by("pk").first()
        cls.pledge = EmulationPledge.objects.create(
            title="Giao ước thi đua năm 2023",
            signed_on=datetime.date(2023, 8, 30),
            year=2023,
            created_by=cls.p.staff,
        )
        cls.pledge.committees.add(cls.p.committee_a, cls.p.committee_b)
        cls.pledge_item = PledgeItem.objects.create(
            pledge=cls.pledge, position=1, text="Không có tội phạm"
        )
        cls.committee = cls.p.committee_commune
        cls.member = CommitteeMember.objects.create(
            committee=cls.committee,
            full_name="Trần Văn Ba",
            position="Chủ tịch UBND xã",
            role=CommitteeRole.HEAD,
            valid_from=cls.committee.valid_from,
        )
        cls.account = cls.p.officer_b
        cls.document = LegalDocument.objects.order_by("pk").first()
        cls.target = Target.objects.order_by("pk").first()

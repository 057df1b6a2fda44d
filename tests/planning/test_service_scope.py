"""The planning services check the actor themselves: an officer calling them
directly (not through a page) is refused and nothing changes."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.test import TestCase

from campaign.committees.models import AuditEntry
from campaign.planning.choices import DocumentType, TargetKind, UnitKind
from campaign.planning.models import LegalDocument, Target
from campaign.planning.services import documents as document_services
from campaign.planning.services import targets as target_services
from tests.factories import Personas


class PlanningServiceScopeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.target = Target.objects.get(
            kind=TargetKind.QUOTA, year=2023, unit_kind=UnitKind.COMMUNE
        )
        cls.document = LegalDocument.objects.get(number_symbol="06-NQ/TW")

    def test_officers_and_directors_cannot_change_documents_or_targets(self):
        before = (
            sorted(Target.objects.values_list("pk", "count")),
            sorted(LegalDocument.objects.values_list("pk", "title")),
            AuditEntry.objects.count(),
        )
        for user in (self.p.officer_commune, self.p.officer_a, self.p.leader):
            calls = {
                "document_create": lambda user=user: document_services.document_create(
                    number_symbol="1/KH-X",
                    doc_type=DocumentType.PLAN,
                    issued_on=datetime.date(2026, 1, 1),
                    issuer="X",
                    title="X",
                    by=user,
                ),
                "document_update": lambda user=user: document_services.document_update(
                    document=self.document,
                    number_symbol="06-NQ/TW",
                    doc_type=DocumentType.RESOLUTION,
                    issued_on=None,
                    issuer="X",
                    title="Đổi",
                    by=user,
                ),
                "target_update": lambda user=user: target_services.target_update(
                    target=self.target,
                    programme=self.target.programme,
                    phase=self.target.phase,
                    kind=self.target.kind,
                    year=2023,
                    unit_kind=UnitKind.COMMUNE,
                    count=99,
                    by=user,
                ),
                "target_delete": lambda user=user: target_services.target_delete(
                    target=self.target, by=user
                ),
            }
            for name, call in calls.items():
                with self.subTest(user=user.username, call=name):
                    with self.assertRaises(PermissionDenied):
                        call()
        self.assertEqual(
            (
                sorted(Target.objects.values_list("pk", "count")),
                sorted(LegalDocument.objects.values_list("pk", "title")),
                AuditEntry.objects.count(),
            ),
            before,
        )

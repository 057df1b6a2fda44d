"""The reference data of a real install: `manage.py load_reference_data` after
`migrate` and `load_areas` is all a fresh install needs for staff to create an
officer who registers a unit; loading twice changes nothing; a broken file is
refused with a clear message and nothing changed."""

from __future__ import annotations

import copy
import io
import json

from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django.test import Client, TestCase
from django.urls import reverse

from campaign.committees.models import (
    AuditEntry,
    CommitteeMember,
    Membership,
    SteeringCommittee,
    User,
)
from campaign.planning.models import LegalDocument, Phase, Plan, Programme, Target
from campaign.planning.selectors.periods import current_year_of_programme
from campaign.planning.services.reference_data import (
    ReferenceDataError,
    reference_data_load,
    reference_data_read,
)
from campaign.registrations.models import Registration
from tests.factories import clear_reference_data
from tests.registrations.test_registrations import pdf_file
from units.models import Area


def snapshot() -> tuple:
    """Every row the reference data writes, with the values that matter."""
    return (
        sorted(
            LegalDocument.objects.values_list(
                "pk", "reference_key", "number_symbol", "title"
            )
        ),
        sorted(
            SteeringCommittee.objects.values_list(
                "pk",
                "area_id",
                "level",
                "parent_id",
                "short_name",
                "valid_from",
                "valid_to",
            )
        ),
        sorted(CommitteeMember.objects.values_list("pk", "committee_id", "full_name")),
        sorted(Plan.objects.values_list("pk", "document_id", "committee_id")),
        sorted(Programme.objects.values_list("pk", "kind")),
        sorted(Phase.objects.values_list("pk", "start_year", "end_year")),
        sorted(
            Target.objects.values_list(
                "pk", "kind", "year", "unit_kind", "count", "share_percent"
            )
        ),
        sorted(
            Plan.legal_basis.through.objects.values_list("plan_id", "legaldocument_id")
        ),
        sorted(
            Programme.legal_basis.through.objects.values_list(
                "programme_id", "legaldocument_id"
            )
        ),
        AuditEntry.objects.count(),
    )


class FreshInstallTests(TestCase):
    def setUp(self):
        clear_reference_data()  # as after `migrate` on a new install

    def test_a_fresh_install_lets_staff_create_an_officer_who_registers_a_unit(self):
        # What the deployment guide runs, after `migrate`.
        out = io.StringIO()
        call_command("load_areas", stdout=out)
        call_command("load_reference_data", stdout=out)
        self.assertIn("committees 116", out.getvalue())
        User.objects.create_superuser(
            "admin", "admin@example.invalid", "Quan-tri-vien-2026"
        )
        staff = Client()
        self.assertTrue(
            staff.login(
                request=HttpRequest(),  # axes throttles by the request
                username="admin",
                password="Quan-tri-vien-2026",
            )
        )

        ward_committee = SteeringCommittee.objects.get(area__key="ag91-30307")
        response = staff.post(
            reverse("committees:account_create"),
            {
                "username": "phuong.longxuyen",
                "last_name": "Võ Minh",
                "first_name": "Tâm",
                "email": "tam@example.invalid",
                "password1": "Ke-hoach-an-ninh-138",
                "password2": "Ke-hoach-an-ninh-138",
                "committee": ward_committee.pk,
                "role": "local_officer",
            },
        )
        officer = User.objects.get(username="phuong.longxuyen")
        self.assertRedirects(
            response, reverse("committees:account_detail", args=[officer.pk])
        )
        self.assertEqual(Membership.objects.get(user=officer).committee, ward_committee)

        officer_client = Client()
        self.assertTrue(
            officer_client.login(
                request=HttpRequest(),
                username="phuong.longxuyen",
                password="Ke-hoach-an-ninh-138",
            )
        )
        programme = Programme.objects.get(kind="exemplary_units")
        year = current_year_of_programme(programme)
        ward = Area.objects.get(key="ag91-30307")
        response = officer_client.post(
            reverse("registrations:registration_create"),
            {
                "year": year,
                "unit": f"area:{ward.pk}",
                "contact_name": "Võ Minh Tâm",
                "contact_phone": "0296 3841 234",
                "plan_summary": "Khu phố an toàn",
                "document": pdf_file(),
            },
        )
        registration = Registration.objects.get()
        self.assertRedirects(response, registration.get_absolute_url())
        self.assertEqual(registration.committee, ward_committee)
        self.assertEqual(registration.unit_name, "Phường Long Xuyên")

    def test_without_the_areas_it_says_what_to_run_first(self):
        with self.assertRaisesMessage(CommandError, "run `manage.py load_areas` first"):
            call_command("load_reference_data", stdout=io.StringIO())
        self.assertFalse(SteeringCommittee.objects.exists())


class LoadTwiceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        clear_reference_data()
        call_command("load_areas", stdout=io.StringIO())
        call_command("load_reference_data", stdout=io.StringIO())

    def test_what_it_loads(self):
        self.assertEqual(LegalDocument.objects.count(), 6)
        self.assertEqual(SteeringCommittee.objects.filter(level="province").count(), 2)
        self.assertEqual(SteeringCommittee.objects.filter(level="district").count(), 12)
        self.assertEqual(SteeringCommittee.objects.filter(level="commune").count(), 102)
        self.assertEqual(Target.objects.count(), 13)
        self.assertEqual(
            list(Phase.objects.values_list("start_year", "end_year")),
            [(2023, 2025), (2026, 2030)],
        )

    def test_a_ward_police_for_every_ward_of_every_era(self):
        import datetime

        from units.models import WardPolice
        from units.selectors import valid_on_q

        wards = Area.objects.filter(kind="ward")
        self.assertEqual(WardPolice.objects.count(), wards.count())
        self.assertEqual(WardPolice.objects.count(), 42)
        for day, expected in (
            ("2023-06-30", 28),
            ("2025-01-01", 27),
            ("2026-12-03", 14),
        ):
            with self.subTest(day=day):
                on = datetime.date.fromisoformat(day)
                self.assertEqual(
                    WardPolice.objects.filter(valid_on_q(on, "area__")).count(),
                    expected,
                )
        # After the merger, today's phường Long Xuyên has a police of its own.
        today = WardPolice.objects.get(area__key="ag91-30307")
        before = WardPolice.objects.get(area__key="ag89-883-30307")
        self.assertNotEqual(today.pk, before.pk)
        self.assertEqual(today.name, "Công an phường Long Xuyên")
        self.assertEqual(before.name, "Công an phường Mỹ Hòa")

    def test_the_placeholder_criteria_sets_are_loaded_once(self):
        from campaign.assessments.models import CriteriaSet

        self.assertEqual(
            sorted(CriteriaSet.objects.values_list("subject", "version")),
            [("commune_level", 1), ("organisation", 1), ("ward_police", 1)],
        )
        call_command("load_reference_data", stdout=io.StringIO())
        self.assertEqual(CriteriaSet.objects.count(), 3)

    def test_loading_twice_changes_nothing(self):
        before = snapshot()
        out = io.StringIO()
        call_command("load_reference_data", stdout=out)
        self.assertEqual(snapshot(), before)
        self.assertIn("created nothing", out.getvalue())

    def test_edits_made_in_the_app_are_kept_and_reported(self):
        Target.objects.filter(year=2023, unit_kind="commune").update(count=7)
        before = snapshot()
        result = reference_data_load(data=reference_data_read())
        self.assertEqual(snapshot(), before)
        self.assertTrue(
            any("count is 7 here, 6 in the file" in d for d in result.differences)
        )


class BrokenFileTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        clear_reference_data()
        call_command("load_areas", stdout=io.StringIO())

    def broken(self, change) -> dict:
        data = copy.deepcopy(reference_data_read())
        change(data)
        return data

    def assert_refused(self, data, *expected):
        with self.assertRaises(ReferenceDataError) as caught:
            reference_data_load(data=data)
        text = "\n".join(caught.exception.problems)
        for part in expected:
            self.assertIn(part, text)
        self.assertFalse(SteeringCommittee.objects.exists())
        self.assertFalse(LegalDocument.objects.exists())
        self.assertFalse(AuditEntry.objects.exists())

    def test_a_broken_reference_is_named_and_nothing_is_loaded(self):
        data = self.broken(lambda d: d["plans"][0]["legal_basis"].append("kh-99"))
        self.assert_refused(
            data, "plans[0].legal_basis: the document 'kh-99' is not in documents"
        )

    def test_every_problem_is_listed_at_once(self):
        def change(d):
            d["committees"]["province"][1]["area"] = "ag99"
            d["committees"]["from_areas"][1]["parent"] = "bcd-xx"
            d["plans"][0]["programmes"][0]["targets"][0]["year"] = 2031
            d["documents"][0]["doc_type"] = "XX"

        self.assert_refused(
            self.broken(change),
            "the area 'ag99' is not loaded",
            "the parent committee 'bcd-xx'",
            "the year 2031 is outside the phase 2023–2025",
            "'XX' is not one of",
        )

    def test_a_broken_criteria_set_is_named_and_nothing_is_loaded(self):
        import tempfile
        from pathlib import Path
        from unittest import mock

        from campaign.assessments.services import criteria
        from units.models import WardPolice

        seed = criteria.criteria_seed_read()
        seed["sets"][0]["groups"] = []
        seed["sets"][1]["basis"] = "qd-99"
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "criteria_sets.json"
            path.write_text(json.dumps(seed, ensure_ascii=False), encoding="utf-8")
            with mock.patch.object(criteria, "CRITERIA_SETS_FILE", path):
                self.assert_refused(
                    reference_data_read(),
                    "sets[0]: Bộ tiêu chí cần ít nhất một nhóm",
                    "sets[1].basis: no document 'qd-99'",
                )
        self.assertFalse(WardPolice.objects.exists())

    def test_the_command_says_nothing_was_changed(self, tmp_path=None):
        import tempfile
        from pathlib import Path

        data = self.broken(lambda d: d["plans"][0].update(committee="bcd-none"))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "broken.json"
            path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
            with self.assertRaises(CommandError) as caught:
                call_command("load_reference_data", file=path, stdout=io.StringIO())
        self.assertIn(
            "broken.json was not loaded; nothing was changed", str(caught.exception)
        )
        self.assertIn("the committee 'bcd-none'", str(caught.exception))
        self.assertFalse(SteeringCommittee.objects.exists())

    def test_a_file_that_is_not_json(self):
        import tempfile
        from pathlib import Path

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "bad.json"
            path.write_text("{ not json", encoding="utf-8")
            with self.assertRaisesMessage(CommandError, "not valid JSON"):
                call_command("load_reference_data", file=path, stdout=io.StringIO())

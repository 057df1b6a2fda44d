"""`manage.py seed_demo`: idempotent, refuses production, gives each demo account
its committee and role."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from campaign.committees import access
from campaign.committees.access import Capability
from campaign.committees.models import Membership, SteeringCommittee
from campaign.planning.models import Plan

User = get_user_model()


@override_settings(DEBUG=True, DEMO_PASSWORD="demo-password-138")
class SeedDemoTests(TestCase):
    def seed(self):
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        return out.getvalue()

    def test_accounts_get_their_committee_and_role(self):
        output = self.seed()
        for username in (
            "canbo.tinh",
            "giamdoc",
            "longxuyen",
            "chaudoc",
            "phuong.longxuyen",
            "xa.myhoahung",
        ):
            self.assertIn(username, output)
        roles = {
            m.user.username: (m.committee.short_name, m.role)
            for m in Membership.objects.select_related("user", "committee")
        }
        self.assertEqual(
            roles["canbo.tinh"], ("Ban Chỉ đạo 138 tỉnh An Giang", "provincial_staff")
        )
        self.assertEqual(roles["giamdoc"], ("Ban Chỉ đạo 138 tỉnh An Giang", "leader"))
        self.assertEqual(
            roles["phuong.longxuyen"],
            ("Ban Chỉ đạo 138 phường Long Xuyên", "local_officer"),
        )
        self.assertEqual(
            roles["xa.myhoahung"],
            ("Ban Chỉ đạo 138 xã Mỹ Hòa Hưng", "local_officer"),
        )
        self.assertEqual(
            roles["longxuyen"],
            ("Ban Chỉ đạo 138 thành phố Long Xuyên", "local_officer"),
        )
        self.assertEqual(
            roles["chaudoc"], ("Ban Chỉ đạo 138 thành phố Châu Đốc", "local_officer")
        )
        staff = User.objects.get(username="canbo.tinh")
        self.assertTrue(access.can(staff, Capability.MANAGE_ACCOUNTS))
        self.assertTrue(staff.check_password("demo-password-138"))

    def test_running_twice_changes_nothing(self):
        self.seed()
        counts = (
            User.objects.count(),
            Membership.objects.count(),
            SteeringCommittee.objects.count(),
            Plan.objects.count(),
        )
        self.seed()
        self.assertEqual(
            (
                User.objects.count(),
                Membership.objects.count(),
                SteeringCommittee.objects.count(),
                Plan.objects.count(),
            ),
            counts,
        )

    @override_settings(DEBUG=False)
    def test_it_refuses_to_run_with_debug_off(self):
        with self.assertRaisesMessage(CommandError, "DEBUG is off"):
            self.seed()
        self.assertFalse(User.objects.exists())

    @override_settings(DEMO_PASSWORD="")
    def test_it_needs_a_demo_password(self):
        with self.assertRaisesMessage(CommandError, "DEMO_PASSWORD"):
            self.seed()


@override_settings(DEBUG=True, DEMO_PASSWORD="demo-password-138")
class DemoTodayTests(TestCase):
    """The demo makes sense on the day it runs: registrations of the current
    year of the plan, in every state, next to the 16 of 2023."""

    @classmethod
    def setUpTestData(cls):
        cls.output = io.StringIO()
        call_command("seed_demo", stdout=cls.output)
        cls.output = cls.output.getvalue()

    def test_registrations_of_the_current_year_in_every_state(self):
        from campaign.planning.selectors.periods import (
            current_year_of_programme,
            exemplary_programme,
        )
        from campaign.registrations.choices import RegistrationStatus
        from campaign.registrations.models import Registration

        year = current_year_of_programme(exemplary_programme())
        states = set(
            Registration.objects.filter(year=year).values_list("status", flat=True)
        )
        self.assertEqual(states, set(RegistrationStatus.values))
        self.assertEqual(Registration.objects.filter(year=2023).count(), 16)
        # Registered by today's committees: the province and the communes.
        committees = set(
            Registration.objects.filter(year=year).values_list(
                "committee__level", flat=True
            )
        )
        self.assertEqual(committees, {"province", "commune"})
        # Phường Long Xuyên is left for its officer to register.
        self.assertFalse(
            Registration.objects.filter(year=year, area__key="ag91-30307").exists()
        )

    def test_the_accounts_table_comes_last_without_addresses(self):
        lines = self.output.strip().splitlines()
        header = lines.index("Demo accounts (password from DEMO_PASSWORD):")
        self.assertEqual(len(lines) - header - 1, 6)
        self.assertNotIn("@", self.output)

    def test_the_demo_history_sends_no_mail(self):
        from django.core import mail

        self.assertEqual(mail.outbox, [])


class DemoOnOtherDatesTests(TestCase):
    """Run on another day, the demo registers for that day's year of the plan,
    and leaves out the units that did not exist yet."""

    @classmethod
    def setUpTestData(cls):
        from tests.factories import load_reference_data

        load_reference_data()
        with override_settings(DEMO_PASSWORD="demo-password-138"):
            from campaign.demo.accounts import demo_accounts_seed

            demo_accounts_seed(password="demo-password-138")

    def seed_on(self, day):
        import datetime

        from campaign.demo.registrations import registrations_seed

        return registrations_seed(today=datetime.date(*day))

    def test_a_day_in_the_first_phase(self):
        created = self.seed_on((2024, 3, 1))
        self.assertEqual(created, {2023: 16, 2024: 0})

    def test_a_day_after_the_plan(self):
        created = self.seed_on((2031, 5, 1))
        self.assertEqual(created[2030], 7)


@override_settings(DEBUG=True, DEMO_PASSWORD="demo-password-138")
class DemoAssessmentsTests(TestCase):
    """The demo's assessments: three cities reach 30 % by 2025 and Tân Châu
    does not; today's ward police are assessed for the current year; the
    demo officers can assess in their own scope."""

    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=io.StringIO())

    def test_some_cities_reach_thirty_percent_by_2025_and_one_does_not(self):
        import datetime

        from campaign.assessments.selectors.progress import campaign_progress

        progress = campaign_progress(
            as_of=datetime.date(2025, 12, 31), phase=(2023, 2025)
        )
        final = {
            r.grouping: r.on_track
            for r in progress.for_target(
                "model_ward_police/min_share/2025/each_city_town"
            )
            if r.year == 2025
        }
        self.assertEqual(
            final,
            {
                "Thành phố Long Xuyên": True,
                "Thành phố Châu Đốc": True,
                "Thị xã Tịnh Biên": True,
                "Thị xã Tân Châu": False,
            },
        )

    def test_todays_ward_police_are_assessed_for_the_current_year(self):
        from campaign.assessments.models import Assessment
        from campaign.planning.choices import ProgrammeKind
        from campaign.planning.selectors.periods import (
            current_year_of_programme,
            programme_of_kind,
        )

        year = current_year_of_programme(
            programme_of_kind(ProgrammeKind.MODEL_WARD_POLICE)
        )
        states = set(
            Assessment.objects.filter(
                year=year, ward_police__area__valid_from="2025-07-01"
            ).values_list("status", flat=True)
        )
        self.assertEqual(states, {"draft", "submitted", "returned", "accepted"})
        # Phường Long Xuyên is left for its officer.
        self.assertFalse(
            Assessment.objects.filter(
                year=year, ward_police__area__key="ag91-30307"
            ).exists()
        )
        officer = User.objects.get(username="phuong.longxuyen")
        from campaign.assessments.services.assessments import assessment_create
        from units.models import WardPolice

        made = assessment_create(
            year=year,
            ward_police=WardPolice.objects.get(area__key="ag91-30307"),
            by=officer,
        )
        self.assertEqual(made.committee.area.key, "ag91-30307")

    def test_longxuyen_can_still_assess_a_ward_for_2025(self):
        from campaign.assessments.services.assessments import assessment_create
        from units.models import WardPolice

        made = assessment_create(
            year=2025,
            ward_police=WardPolice.objects.get(area__key="ag89-883-30295"),
            by=User.objects.get(username="longxuyen"),
        )
        self.assertEqual(made.committee.area.key, "ag89-883")

    def test_recognitions_follow_their_assessments(self):
        from django.utils import timezone

        from campaign.assessments.models import Recognition

        recognitions = Recognition.objects.select_related("assessment")
        self.assertTrue(recognitions.filter(year=2023, registration__isnull=False))
        self.assertTrue(recognitions.filter(year=2025, ward_police__isnull=False))
        for recognition in recognitions:
            accepted = timezone.localdate(recognition.assessment.decided_at)
            self.assertGreaterEqual(recognition.decided_on, accepted)
            self.assertLessEqual(recognition.decided_on, timezone.localdate())
        # A ward of 2025 was decided before its ward ended on 30/06/2025.
        last = recognitions.filter(year=2025).order_by("-decided_on").first()
        self.assertLess(last.decided_on.isoformat(), "2025-07-01")

    def test_the_pledge_of_30_august_2023_commendations_and_reviews(self):
        import datetime

        from campaign.assessments.models import Commendation, EmulationPledge, Review

        pledge = EmulationPledge.objects.get()
        self.assertEqual(pledge.signed_on, datetime.date(2023, 8, 30))
        self.assertGreaterEqual(pledge.committees.count(), 12)
        self.assertTrue(pledge.year_end_result)
        self.assertEqual(Commendation.objects.count(), 5)
        self.assertEqual(
            set(Review.objects.values_list("kind", flat=True)), {"interim", "final"}
        )

    def test_seeding_again_adds_nothing(self):
        from campaign.demo.assessments import assessments_seed

        self.assertEqual(
            assessments_seed(),
            {"assessments": 0, "commendations": 0, "pledges": 0, "reviews": 0},
        )


class DemoAssessmentsOnOtherDatesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from campaign.demo.accounts import demo_accounts_seed
        from campaign.demo.registrations import registrations_seed
        from tests.factories import load_reference_data

        load_reference_data()
        demo_accounts_seed(password="demo-password-138")
        registrations_seed()

    def test_a_day_in_2024_has_no_result_of_2025_nor_later_records(self):
        import datetime

        from campaign.assessments.models import Assessment
        from campaign.demo.assessments import assessments_seed

        created = assessments_seed(today=datetime.date(2024, 3, 1))
        self.assertEqual(
            set(Assessment.objects.values_list("year", flat=True)), {2023, 2024}
        )
        self.assertEqual(
            (created["pledges"], created["reviews"], created["commendations"]),
            (1, 0, 0),
        )


@override_settings(DEBUG=True, DEMO_PASSWORD="demo-password-138")
class DemoHistoryDatesTests(TestCase):
    def test_the_2023_registrations_happened_in_2023(self):
        from campaign.registrations.models import Registration, RegistrationTransition

        call_command("seed_demo", stdout=io.StringIO())
        registrations = Registration.objects.filter(year=2023)
        self.assertEqual(registrations.count(), 16)
        self.assertFalse(registrations.exclude(created_at__year=2023).exists())
        self.assertFalse(
            registrations.filter(decided_at__isnull=False)
            .exclude(decided_at__year=2023)
            .exists()
        )
        self.assertFalse(
            RegistrationTransition.objects.filter(registration__year=2023)
            .exclude(at__year=2023)
            .exists()
        )

"""The target engine on fixed data: every city and town of 2023–2025 with its
rounding, the Long Xuyên merge of 01/01/2025, the province-wide targets of
2026–2030 on the post-reform wards, the exemplary quotas, and the
``campaign_progress`` command."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from campaign.assessments.choices import AssessmentStatus
from campaign.assessments.selectors.progress import campaign_progress, required_count
from campaign.planning.choices import RoundingRule
from tests.assessments import builders
from tests.factories import Personas
from units.models import Area, WardPolice
from units.text import fold

MIN_SHARE_2025 = "model_ward_police/min_share/2025/each_city_town"
INCREMENT_2026 = "model_ward_police/yearly_increment/2026"
FULL_2030 = "model_ward_police/min_share/2030"
END_2025 = datetime.date(2025, 12, 31)

LX = "Thành phố Long Xuyên"
CD = "Thành phố Châu Đốc"
TC = "Thị xã Tân Châu"
TB = "Thị xã Tịnh Biên"


def wards_of(city_key: str) -> list[WardPolice]:
    return list(
        WardPolice.objects.filter(area__parent__key=city_key)
        .select_related("area")
        .order_by("area__key")
    )


def rows_by(progress, target):
    return {(r.grouping, r.year): r for r in progress.for_target(target)}


class RoundingRuleTests(TestCase):
    def test_thirty_percent_rounds_up_by_default(self):
        self.assertEqual(required_count(11, Decimal(30), RoundingRule.UP), 4)
        self.assertEqual(required_count(10, Decimal(30), RoundingRule.UP), 3)
        self.assertEqual(required_count(7, Decimal(30), RoundingRule.UP), 3)
        self.assertEqual(required_count(5, Decimal(30), RoundingRule.UP), 2)

    def test_other_rounding_rules(self):
        self.assertEqual(required_count(11, Decimal(30), RoundingRule.DOWN), 3)
        self.assertEqual(required_count(11, Decimal(30), RoundingRule.NEAREST), 3)
        self.assertEqual(required_count(5, Decimal(30), RoundingRule.NEAREST), 2)
        self.assertEqual(required_count(5, Decimal(30), RoundingRule.DOWN), 1)
        self.assertEqual(required_count(14, Decimal(100), RoundingRule.UP), 14)


class CityTargetsTests(TestCase):
    """2023–2025: at least 30 % of the ward police of each city and town."""

    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        staff = cls.p.staff
        lx, cd, tb = wards_of("ag89-883"), wards_of("ag89-884"), wards_of("ag89-890")
        cls.lx = lx
        # 2023: Long Xuyên 4 (+1 accepted not meeting all, +1 only submitted),
        # Châu Đốc 1, Tân Châu none, Tịnh Biên 3.
        for ward in lx[:4]:
            builders.assessment(by=staff, year=2023, ward=ward)
        builders.assessment(by=staff, year=2023, ward=lx[4], meets_all=False)
        builders.assessment(
            by=staff, year=2023, ward=lx[5], status=AssessmentStatus.SUBMITTED
        )
        builders.assessment(by=staff, year=2023, ward=cd[0])
        for ward in tb[:3]:
            builders.assessment(by=staff, year=2023, ward=ward)
        # 2025: Long Xuyên 3 of its 10 wards — and Đông Xuyên, merged into Mỹ
        # Xuyên on 01/01/2025, has a (stray) result that must not count.
        dong_xuyen = builders.ward_police("ag89-883-30285")
        builders.assessment(by=staff, year=2025, ward=dong_xuyen)
        for ward in [w for w in lx if w.area.key != "ag89-883-30285"][:3]:
            builders.assessment(by=staff, year=2025, ward=ward)

    def setUp(self):
        self.progress = campaign_progress(as_of=END_2025, phase=(2023, 2025))
        self.rows = rows_by(self.progress, MIN_SHARE_2025)

    def test_required_per_city_in_2023_follows_the_rounding_rule(self):
        expected = {LX: (11, 4), CD: (5, 2), TC: (5, 2), TB: (7, 3)}
        for city, (wards, required) in expected.items():
            with self.subTest(city=city):
                row = self.rows[(city, 2023)]
                self.assertEqual((row.base, row.required), (wards, required))
                self.assertEqual(row.counted_on, datetime.date(2023, 12, 31))

    def test_achieved_counts_only_accepted_assessments_meeting_all(self):
        self.assertEqual(self.rows[(LX, 2023)].achieved, 4)
        self.assertEqual(self.rows[(LX, 2023)].gap, 0)
        self.assertEqual(self.rows[(CD, 2023)].achieved, 1)
        self.assertEqual(self.rows[(TC, 2023)].achieved, 0)
        self.assertEqual(self.rows[(TB, 2023)].achieved, 3)

    def test_years_before_the_target_are_on_track_at_their_share_of_the_way(self):
        # 2023 is the first of three years: a third of the requirement is due.
        self.assertEqual(self.rows[(CD, 2023)].due, 1)
        self.assertTrue(self.rows[(CD, 2023)].on_track)
        self.assertFalse(self.rows[(TC, 2023)].on_track)
        self.assertTrue(self.rows[(LX, 2023)].on_track)

    def test_a_result_lapses_each_year(self):
        # Nothing assessed for 2024: every city is off track that year.
        for city in (LX, CD, TC, TB):
            with self.subTest(city=city):
                self.assertEqual(self.rows[(city, 2024)].achieved, 0)
                self.assertFalse(self.rows[(city, 2024)].on_track)

    def test_long_xuyen_has_ten_wards_in_2025_so_three_are_required(self):
        row = self.rows[(LX, 2025)]
        self.assertEqual((row.base, row.required), (10, 3))
        # Counted on the last day the cities stood: 30/06/2025.
        self.assertEqual(row.counted_on, datetime.date(2025, 6, 30))

    def test_the_merged_ward_does_not_count_after_its_merger(self):
        row = self.rows[(LX, 2025)]
        self.assertEqual(row.achieved, 3)
        self.assertTrue(row.on_track)
        self.assertEqual(row.gap, 0)

    def test_other_cities_in_2025_are_counted_as_they_stood(self):
        self.assertEqual(self.rows[(CD, 2025)].base, 5)
        self.assertEqual(self.rows[(TC, 2025)].required, 2)
        self.assertEqual(self.rows[(TB, 2025)].required, 3)
        self.assertFalse(self.rows[(TB, 2025)].on_track)

    def test_tinh_bien_has_no_row_before_it_had_wards(self):
        early = campaign_progress(as_of=datetime.date(2023, 3, 1), phase=(2023, 2025))
        cities = {r.grouping for r in early.for_target(MIN_SHARE_2025)}
        self.assertEqual(cities, {LX, CD, TC})

    def test_the_engine_runs_a_fixed_number_of_queries(self):
        with CaptureQueriesContext(connection) as few:
            campaign_progress(as_of=END_2025)
        # Ten more wards in Long Xuyên, each assessed for three years.
        staff = self.p.staff
        city = Area.objects.get(key="ag89-883")
        for n in range(10):
            area = Area.objects.create(
                key=f"test-ward-{n}",
                code=f"9{n:04d}",
                name=f"Thử {n}",
                kind="ward",
                parent=city,
                search_name=fold(f"Thử {n}"),
                valid_to=datetime.date(2025, 7, 1),
            )
            ward = WardPolice.objects.create(
                area=area, name=f"Công an phường Thử {n}", search_name=""
            )
            for year in (2023, 2024, 2025):
                builders.assessment(by=staff, year=year, ward=ward)
        with CaptureQueriesContext(connection) as many:
            progress = campaign_progress(as_of=END_2025)
        self.assertEqual(len(many), len(few))
        self.assertEqual(rows_by(progress, MIN_SHARE_2025)[(LX, 2023)].base, 21)


class OtherProvincesTests(TestCase):
    def test_wards_of_another_province_do_not_count(self):
        p = Personas()
        before = campaign_progress(as_of=datetime.date(2026, 12, 31))
        other = Area.objects.create(
            key="xx", code="99", name="Khác", kind="province", search_name="khac"
        )
        for n in range(3):
            area = Area.objects.create(
                key=f"xx-{n}",
                code=f"99{n}",
                name=f"Khác {n}",
                kind="ward",
                parent=other,
                valid_from=datetime.date(2025, 7, 1),
                search_name=f"khac {n}",
            )
            ward = WardPolice.objects.create(area=area, name=f"CA {n}", search_name="")
            builders.assessment(by=p.staff, year=2026, ward=ward)
        after = campaign_progress(as_of=datetime.date(2026, 12, 31))
        self.assertEqual(
            [r.as_dict() for r in after.rows], [r.as_dict() for r in before.rows]
        )
        self.assertEqual(after.for_target(FULL_2030)[0].base, 14)


class ProvinceTargetsTests(TestCase):
    """2026–2030: at least one more each year, 100 % by 2030, on the 14 wards
    of the new An Giang."""

    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.new_wards = list(
            WardPolice.objects.filter(
                area__valid_from=datetime.date(2025, 7, 1)
            ).order_by("area__key")
        )
        # A predecessor of phường Long Xuyên met all criteria in 2025: it
        # does not count for the new unit.
        builders.assessment(
            by=cls.p.staff, year=2025, ward=builders.ward_police("ag89-883-30307")
        )

    def progress(self, year=2026):
        return campaign_progress(as_of=datetime.date(year, 12, 31), phase=(2026, 2030))

    def test_fourteen_wards_are_counted_and_all_are_required_by_2030(self):
        row = self.progress().for_target(FULL_2030)[0]
        self.assertEqual((row.grouping, row.year), ("Tỉnh An Giang", 2026))
        self.assertEqual((row.base, row.required), (14, 14))

    def test_one_more_than_the_year_before_starts_from_the_new_units(self):
        builders.assessment(by=self.p.staff, year=2026, ward=self.new_wards[0])
        row = self.progress().for_target(INCREMENT_2026)[0]
        # The predecessor's 2025 result is not the new ward's: 0 + 1.
        self.assertEqual(row.required, 1)
        self.assertEqual(row.achieved, 1)
        self.assertTrue(row.on_track)

    def test_the_next_year_needs_one_more_than_this_one(self):
        for ward in self.new_wards[:3]:
            builders.assessment(by=self.p.staff, year=2026, ward=ward)
        for ward in self.new_wards[:3]:
            builders.assessment(by=self.p.staff, year=2027, ward=ward)
        progress = campaign_progress(
            as_of=datetime.date(2027, 12, 31), phase=(2026, 2030)
        )
        row = progress.for_target("model_ward_police/yearly_increment/2027")[0]
        self.assertEqual((row.required, row.achieved, row.gap), (4, 3, 1))
        self.assertFalse(row.on_track)

    def test_the_yearly_number_needed_and_no_warning_when_within_the_best_year(self):
        for ward in self.new_wards[:3]:
            builders.assessment(by=self.p.staff, year=2026, ward=ward)
        row = self.progress().for_target(FULL_2030)[0]
        # 11 more over 2027–2030: 3 a year, as many as 2026 brought.
        self.assertEqual(row.achieved, 3)
        self.assertEqual(row.needed_per_year, 3)
        self.assertEqual(row.best_gain, 3)
        self.assertFalse(row.warning)
        self.assertTrue(row.on_track)

    def test_a_warning_when_the_yearly_need_exceeds_the_best_year(self):
        for ward in self.new_wards[:2]:
            builders.assessment(by=self.p.staff, year=2026, ward=ward)
        row = self.progress().for_target(FULL_2030)[0]
        self.assertEqual(row.needed_per_year, 3)  # 12 over four years
        self.assertEqual(row.best_gain, 2)
        self.assertTrue(row.warning)
        self.assertFalse(row.on_track)  # 3 were due in the first of five years

    def test_future_years_have_no_rows(self):
        years = {r.year for r in self.progress().rows}
        self.assertEqual(years, {2026})


class ExemplaryQuotaTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.approved = builders.registration(
            cls.p, area_key="ag89-883-30280", status="approved"
        )
        builders.registration(cls.p, area_key="ag89-883-30283", status="submitted")
        made = builders.assessment(by=cls.p.staff, year=2023, registration=cls.approved)
        builders.recognise(made, by=cls.p.staff)

    def test_a_quota_against_registered_approved_assessed_and_recognised(self):
        progress = campaign_progress(as_of=END_2025, phase=(2023, 2025))
        row = progress.for_target("exemplary_units/quota/2023/ward")[0]
        self.assertEqual(row.required, 2)
        self.assertEqual(
            (row.registered, row.approved, row.assessed, row.achieved), (2, 1, 1, 1)
        )
        self.assertEqual(row.gap, 1)
        self.assertFalse(row.on_track)


class CampaignProgressCommandTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        for ward in wards_of("ag89-884")[:2]:
            builders.assessment(by=cls.p.staff, year=2025, ward=ward)

    def run_command(self, *args):
        out = io.StringIO()
        call_command("campaign_progress", *args, stdout=out)
        return out.getvalue()

    def test_json_rows_have_exactly_the_documented_keys(self):
        rows = json.loads(
            self.run_command(
                "--phase", "2023-2025", "--as-of", "2025-12-31", "--format", "json"
            )
        )
        keys = {"target", "grouping", "year", "required", "achieved", "gap", "on_track"}
        self.assertTrue(rows)
        for row in rows:
            self.assertEqual(set(row), keys)
        chau_doc = next(
            r
            for r in rows
            if r["target"] == MIN_SHARE_2025
            and r["grouping"] == CD
            and r["year"] == 2025
        )
        self.assertEqual(
            chau_doc,
            {
                "target": MIN_SHARE_2025,
                "grouping": CD,
                "year": 2025,
                "required": 2,
                "achieved": 2,
                "gap": 0,
                "on_track": True,
            },
        )
        long_xuyen = [r for r in rows if r["grouping"] == LX and r["year"] == 2025]
        self.assertEqual(long_xuyen[0]["required"], 3)

    def test_the_table_names_every_column(self):
        text = self.run_command("--phase", "2023-2025", "--as-of", "2025-12-31")
        header = text.splitlines()[0].split()
        self.assertEqual(
            header,
            ["target", "grouping", "year", "required", "achieved", "gap", "on_track"],
        )
        self.assertIn("Thị xã Tịnh Biên", text)

    def test_bad_arguments_are_explained(self):
        with self.assertRaisesMessage(CommandError, "e.g. 2023-2025"):
            self.run_command("--phase", "2025")
        with self.assertRaisesMessage(CommandError, "YYYY-MM-DD"):
            self.run_command("--as-of", "31/12/2025")

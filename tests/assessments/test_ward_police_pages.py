"""The model ward police pages: the programme's overview, a grouping's ward
police year by year, one ward police with the history of its predecessors —
each scoped to the user, each in a fixed number of queries."""

from __future__ import annotations

from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from campaign.assessments.choices import AssessmentStatus
from campaign.assessments.selectors.assessments import unit_day
from campaign.assessments.selectors.ward_police import programme_time
from tests.assessments import builders
from tests.factories import Personas
from units.models import Area, WardPolice


def url(name: str, *args, english: bool = False) -> str:
    """A page's address; in English (under /en/) for the tests that read its
    words, so that they hold whatever the Vietnamese translation says."""
    with translation.override("en" if english else "vi"):
        return reverse(f"assessments:{name}", args=args)


class WardPolicePagesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.long_xuyen = Area.objects.get(key="ag89-883")
        cls.chau_doc = Area.objects.get(key="ag89-884")
        cls.province = Area.objects.get(key="ag91")
        cls.my_binh = builders.ward_police("ag89-883-30280")
        cls.dong_xuyen = builders.ward_police("ag89-883-30285")
        cls.my_xuyen = builders.ward_police("ag89-883-30286")
        cls.chau_phu_a = WardPolice.objects.select_related("area__parent").get(
            area__name="Châu Phú A", area__kind="ward"
        )
        cls.new_long_xuyen = builders.ward_police("ag91-30307")
        cls.new_binh_duc = builders.ward_police("ag91-30292")
        by = cls.p.staff
        cls.my_binh_2023 = builders.assessment(by=by, year=2023, ward=cls.my_binh)
        cls.my_binh_recognition = builders.recognise(
            cls.my_binh_2023, by=by, number="723/QĐ-BCA-V05"
        )
        cls.dong_xuyen_2023 = builders.assessment(by=by, year=2023, ward=cls.dong_xuyen)
        builders.recognise(cls.dong_xuyen_2023, by=by, number="1023/QĐ-BCA-V05")
        cls.my_xuyen_2024 = builders.assessment(
            by=by, year=2024, ward=cls.my_xuyen, meets_all=False
        )
        cls.chau_phu_a_2023 = builders.assessment(by=by, year=2023, ward=cls.chau_phu_a)
        cls.current_year = programme_time().current_year

    def login(self, user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def count_queries(self, user, address: str) -> int:
        client = self.login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address)
        self.assertEqual(response.status_code, 200, address)
        return len(queries)


class OverviewTests(WardPolicePagesTestCase):
    def test_provincial_staff_and_director_see_every_grouping(self):
        for user in (self.p.staff, self.p.leader):
            with self.subTest(user=user.username):
                response = self.login(user).get(url("ward_police_overview"))
                self.assertEqual(response.status_code, 200)
                self.assertTemplateUsed(
                    response, "assessments/ward_police_overview.html"
                )
                for area in Area.objects.filter(
                    key__in=["ag89-883", "ag89-884", "ag89-887", "ag89-890", "ag91"]
                ):
                    self.assertContains(response, url("ward_police_grouping", area.pk))

    def test_it_lists_the_four_cities_and_towns_of_2023_2025_with_their_figures(self):
        response = self.login(self.p.staff).get(url("ward_police_overview"))
        phases = {s.phase.start_year: s for s in response.context["overview"].phases}
        earlier = phases[2023]
        self.assertTrue(earlier.by_city)
        figures = {g.name: g.targets[0].latest for g in earlier.groupings}
        self.assertEqual(
            sorted(figures),
            [
                "Thành phố Châu Đốc",
                "Thành phố Long Xuyên",
                "Thị xã Tân Châu",
                "Thị xã Tịnh Biên",
            ],
        )
        # The target year: Long Xuyên had 10 wards on 30/06/2025.
        self.assertEqual(figures["Thành phố Long Xuyên"].year, 2025)
        self.assertEqual(figures["Thành phố Long Xuyên"].required, 3)

    def test_todays_phase_comes_first_from_the_plan_and_the_clock(self):
        response = self.login(self.p.staff).get(url("ward_police_overview"))
        overview = response.context["overview"]
        first = overview.phases[0]
        self.assertTrue(first.current)
        self.assertEqual(first.phase, overview.time.period.phase)

    def test_a_city_officer_sees_only_their_city(self):
        response = self.login(self.p.officer_a).get(url("ward_police_overview"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, url("ward_police_grouping", self.long_xuyen.pk))
        self.assertNotContains(response, url("ward_police_grouping", self.chau_doc.pk))
        self.assertNotContains(response, url("ward_police_grouping", self.province.pk))

    def test_a_ward_officer_of_today_sees_the_province_not_the_old_cities(self):
        response = self.login(self.p.officer_ward).get(url("ward_police_overview"))
        self.assertContains(response, url("ward_police_grouping", self.province.pk))
        self.assertNotContains(
            response, url("ward_police_grouping", self.long_xuyen.pk)
        )

    def test_a_commune_officer_is_told_no_ward_police_is_theirs(self):
        response = self.login(self.p.officer_commune).get(
            url("ward_police_overview", english=True)
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "None of the ward police of this phase")
        self.assertNotContains(response, "/ward-police/in/")

    def test_anonymous_users_are_sent_to_the_login_page(self):
        response = Client().get(url("ward_police_overview"))
        self.assertEqual(response.status_code, 302)


class GroupingTests(WardPolicePagesTestCase):
    def test_long_xuyen_lists_its_11_ward_police_of_2023(self):
        response = self.login(self.p.staff).get(
            url("ward_police_grouping", self.long_xuyen.pk)
        )
        self.assertEqual(response.status_code, 200)
        grouping = response.context["grouping"]
        self.assertEqual(grouping.years, (2023, 2024, 2025))
        self.assertEqual(len(grouping.units), 11)
        in_2023 = [u for u in grouping.units if u.years[0].in_force]
        self.assertEqual(len(in_2023), 11)
        for unit in grouping.units:
            self.assertContains(
                response, url("ward_police_detail", unit.ward_police.pk)
            )

    def test_the_merged_ward_is_not_in_force_in_2025_and_says_where_it_went(self):
        response = self.login(self.p.staff).get(
            url("ward_police_grouping", self.long_xuyen.pk, english=True)
        )
        grouping = response.context["grouping"]
        (dong_xuyen,) = [
            u for u in grouping.units if u.ward_police.pk == self.dong_xuyen.pk
        ]
        y2023, y2024, y2025 = dong_xuyen.years
        self.assertEqual(y2023.state, "recognised")
        self.assertTrue(y2023.meets_all)
        self.assertEqual(y2024.state, "not_assessed")
        self.assertEqual(y2025.state, "not_in_force")
        self.assertEqual(y2025.merged_into, ("Phường Mỹ Xuyên",))
        self.assertContains(response, "merged into Phường Mỹ Xuyên")
        self.assertContains(response, "recognised (decision 1023/QĐ-BCA-V05)")

    def test_cells_say_met_n_of_m_and_whether_all_criteria_are_met(self):
        response = self.login(self.p.staff).get(
            url("ward_police_grouping", self.long_xuyen.pk, english=True)
        )
        total = self.my_xuyen_2024.answers.count()
        self.assertContains(response, f"met {total - 1}/{total}")
        self.assertContains(response, "does not meet all criteria")
        self.assertContains(response, "meets all criteria")
        self.assertContains(response, url("assessment_detail", self.my_xuyen_2024.pk))

    def test_the_engines_figures_and_an_accessible_chart_are_shown(self):
        response = self.login(self.p.staff).get(
            url("ward_police_grouping", self.long_xuyen.pk)
        )
        (section,) = response.context["grouping"].targets
        self.assertEqual(
            [(r.year, r.base, r.required, r.achieved) for r in section.figures.rows],
            [(2023, 11, 4, 2), (2024, 11, 4, 0), (2025, 10, 3, 0)],
        )
        self.assertContains(response, 'role="img"', count=1)
        self.assertContains(response, "aria-label=")

    def test_the_city_officer_sees_their_city_and_its_assessments(self):
        response = self.login(self.p.officer_a).get(
            url("ward_police_grouping", self.long_xuyen.pk)
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(response.context["grouping"].units), 11)
        self.assertContains(response, url("assessment_detail", self.my_binh_2023.pk))

    def test_another_localitys_grouping_is_a_404(self):
        for user, area in (
            (self.p.officer_b, self.long_xuyen),
            (self.p.officer_a, self.chau_doc),
            (self.p.officer_ward, self.long_xuyen),
            (self.p.officer_commune, self.long_xuyen),
            (self.p.officer_a, self.province),
            (self.p.officer_commune, self.province),
        ):
            with self.subTest(user=user.username, area=area.key):
                response = self.login(user).get(url("ward_police_grouping", area.pk))
                self.assertEqual(response.status_code, 404)

    def test_an_area_that_is_no_grouping_of_wards_is_a_404(self):
        not_groupings = [
            self.my_binh.area,  # a ward
            Area.objects.get(key="ag89"),  # the old province: no ward of its own
            Area.objects.get(key="ag89-886"),  # huyện An Phú: no ward
        ]
        for area in not_groupings:
            with self.subTest(area=area.key):
                response = self.login(self.p.staff).get(
                    url("ward_police_grouping", area.pk)
                )
                self.assertEqual(response.status_code, 404)
        response = self.login(self.p.staff).get(url("ward_police_grouping", 999999))
        self.assertEqual(response.status_code, 404)

    def test_the_province_since_july_2025_lists_its_14_ward_police(self):
        response = self.login(self.p.staff).get(
            url("ward_police_grouping", self.province.pk)
        )
        self.assertEqual(response.status_code, 200)
        grouping = response.context["grouping"]
        self.assertEqual(len(grouping.units), 14)
        self.assertEqual(grouping.years[0], 2025)  # the wards began on 01/07/2025
        self.assertEqual(grouping.years[-1], self.current_year)

    def test_a_ward_officer_sees_only_their_own_ward_police_in_the_province(self):
        response = self.login(self.p.officer_ward).get(
            url("ward_police_grouping", self.province.pk)
        )
        self.assertEqual(response.status_code, 200)
        units = response.context["grouping"].units
        self.assertEqual([u.ward_police for u in units], [self.new_long_xuyen])
        # The engine's figures are for the whole province all the same.
        for section in response.context["grouping"].targets:
            self.assertEqual(section.figures.latest.base, 14)

    def test_the_number_of_queries_does_not_grow_with_wards_years_or_records(self):
        staff_lx = self.count_queries(
            self.p.staff, url("ward_police_grouping", self.long_xuyen.pk)
        )
        staff_cd = self.count_queries(
            self.p.staff, url("ward_police_grouping", self.chau_doc.pk)
        )
        officer_lx = self.count_queries(
            self.p.officer_a, url("ward_police_grouping", self.long_xuyen.pk)
        )
        # Many more records: every Long Xuyên ward police every year.
        for ward in WardPolice.objects.filter(area__parent=self.long_xuyen):
            for year in (2023, 2024, 2025):
                if unit_day(ward.area, year) is None:
                    continue
                if ward.assessments.filter(year=year).exists():
                    continue
                made = builders.assessment(by=self.p.staff, year=year, ward=ward)
                builders.recognise(made, by=self.p.staff, number=f"{ward.pk}/{year}")
        self.assertEqual(
            staff_lx,
            self.count_queries(
                self.p.staff, url("ward_police_grouping", self.long_xuyen.pk)
            ),
        )
        self.assertEqual(staff_lx, staff_cd)  # 11 wards or 5
        self.assertEqual(
            officer_lx,
            self.count_queries(
                self.p.officer_a, url("ward_police_grouping", self.long_xuyen.pk)
            ),
        )


class DetailTests(WardPolicePagesTestCase):
    def test_a_ward_police_shows_its_unit_years_and_recognitions(self):
        response = self.login(self.p.staff).get(
            url("ward_police_detail", self.my_binh.pk, english=True)
        )
        self.assertEqual(response.status_code, 200)
        detail = response.context["detail"]
        self.assertEqual([s.year for s in detail.years], [2023, 2024, 2025])
        self.assertEqual(
            [s.recognition for s in detail.recognitions], [self.my_binh_recognition]
        )
        self.assertContains(response, "Decision 723/QĐ-BCA-V05 of 20/12/2023")
        self.assertContains(response, "lapses")
        self.assertContains(response, "until 30/06/2025")
        self.assertContains(response, url("ward_police_grouping", self.long_xuyen.pk))

    def test_it_links_to_the_successors_new_ward_police(self):
        response = self.login(self.p.staff).get(
            url("ward_police_detail", self.my_binh.pk, english=True)
        )
        self.assertContains(response, url("ward_police_detail", self.new_long_xuyen.pk))
        self.assertContains(response, "Its police is a new unit")

    def test_the_new_wards_page_shows_its_predecessors_results_as_not_counting(self):
        response = self.login(self.p.staff).get(
            url("ward_police_detail", self.new_long_xuyen.pk, english=True)
        )
        self.assertEqual(response.status_code, 200)
        detail = response.context["detail"]
        # Its own years carry nothing of its predecessors'.
        self.assertEqual(detail.recognitions, ())
        self.assertTrue(all(s.assessment is None for s in detail.years))
        by_unit = {p.ward_police: p for p in detail.predecessors if p.ward_police}
        self.assertEqual(
            by_unit[self.my_binh].results[0].recognition, self.my_binh_recognition
        )
        # Đông Xuyên had merged into Mỹ Xuyên (2025), which merged into it.
        self.assertEqual(by_unit[self.dong_xuyen].level, 2)
        self.assertEqual(len(by_unit), 7)
        self.assertContains(response, "do not count for this unit")
        self.assertContains(response, "predecessor — does not count")
        self.assertContains(response, "recognised (decision 723/QĐ-BCA-V05)")
        self.assertContains(response, "recognised (decision 1023/QĐ-BCA-V05)")

    def test_the_ward_officer_sees_the_history_without_opening_others_records(self):
        response = self.login(self.p.officer_ward).get(
            url("ward_police_detail", self.new_long_xuyen.pk)
        )
        self.assertEqual(response.status_code, 200)
        # The predecessors' pages and assessments are the old city's.
        self.assertNotContains(response, url("ward_police_detail", self.my_binh.pk))
        self.assertNotContains(response, url("assessment_detail", self.my_binh_2023.pk))
        self.assertContains(response, "723/QĐ-BCA-V05")

    def test_another_localitys_ward_police_is_a_404(self):
        for user, ward in (
            (self.p.officer_b, self.my_binh),
            (self.p.officer_a, self.chau_phu_a),
            (self.p.officer_ward, self.my_binh),
            (self.p.officer_a, self.new_long_xuyen),
            (self.p.officer_commune, self.new_long_xuyen),
        ):
            with self.subTest(user=user.username, ward=ward.name):
                response = self.login(user).get(url("ward_police_detail", ward.pk))
                self.assertEqual(response.status_code, 404)
        response = self.login(self.p.staff).get(url("ward_police_detail", 999999))
        self.assertEqual(response.status_code, 404)

    def test_each_persona_opens_the_ward_police_of_their_scope(self):
        for user, ward in (
            (self.p.staff, self.chau_phu_a),
            (self.p.leader, self.new_long_xuyen),
            (self.p.officer_a, self.my_binh),
            (self.p.officer_b, self.chau_phu_a),
            (self.p.officer_ward, self.new_long_xuyen),
        ):
            with self.subTest(user=user.username, ward=ward.name):
                response = self.login(user).get(url("ward_police_detail", ward.pk))
                self.assertEqual(response.status_code, 200)

    def test_an_assessor_may_start_this_years_assessment_of_a_unit_in_force(self):
        start = (
            f"{url('assessment_create')}?ward_police={self.new_long_xuyen.pk}"
            f"&amp;year={self.current_year}"
        )
        for user in (self.p.officer_ward, self.p.staff):
            with self.subTest(user=user.username):
                response = self.login(user).get(
                    url("ward_police_detail", self.new_long_xuyen.pk)
                )
                self.assertContains(response, start)
                self.assertEqual(
                    response.context["detail"].start_year, self.current_year
                )
        # A director assesses nothing.
        response = self.login(self.p.leader).get(
            url("ward_police_detail", self.new_long_xuyen.pk)
        )
        self.assertNotContains(response, url("assessment_create"))
        # Once started, there is nothing to start.
        builders.assessment(
            by=self.p.officer_ward,
            year=self.current_year,
            ward=self.new_long_xuyen,
            status=AssessmentStatus.DRAFT,
        )
        response = self.login(self.p.officer_ward).get(
            url("ward_police_detail", self.new_long_xuyen.pk)
        )
        self.assertNotContains(response, url("assessment_create"))

    def test_a_unit_no_longer_in_force_cannot_be_started(self):
        response = self.login(self.p.officer_a).get(
            url("ward_police_detail", self.my_binh.pk)
        )
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context["detail"].start_year)
        self.assertNotContains(response, url("assessment_create"))

    def test_the_number_of_queries_does_not_grow_with_the_history(self):
        # Phường Long Xuyên came from six wards (and one more before them),
        # Bình Đức from two wards and a commune.
        long_xuyen = self.count_queries(
            self.p.staff, url("ward_police_detail", self.new_long_xuyen.pk)
        )
        binh_duc = self.count_queries(
            self.p.staff, url("ward_police_detail", self.new_binh_duc.pk)
        )
        self.assertEqual(long_xuyen, binh_duc)
        for ward in WardPolice.objects.filter(area__parent=self.long_xuyen):
            if not ward.assessments.filter(year=2024).exists():
                builders.assessment(by=self.p.staff, year=2024, ward=ward)
        self.assertEqual(
            long_xuyen,
            self.count_queries(
                self.p.staff, url("ward_police_detail", self.new_long_xuyen.pk)
            ),
        )

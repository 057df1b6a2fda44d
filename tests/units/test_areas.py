"""An Giang's areas as loaded into the database: counts by date, successions, search."""

from __future__ import annotations

import datetime

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from tests.factories import load_areas, local_officer_a
from units import selectors
from units.models import Area, AreaSuccession

D = datetime.date


class AreaCountsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_areas()

    def counts(self, day):
        return selectors.area_counts_by_kind(as_of=day)

    def test_mid_2023_has_28_wards_and_156_commune_level_units(self):
        counts = self.counts(D(2023, 6, 30))
        self.assertEqual(counts["ward"], 28)
        self.assertEqual(counts["ward"] + counts["commune"] + counts["township"], 156)
        self.assertEqual(
            (counts["city"], counts["town"], counts["district"]), (2, 2, 7)
        )

    def test_after_the_dong_xuyen_merge_there_are_27_wards(self):
        counts = self.counts(D(2025, 1, 2))
        self.assertEqual(counts["ward"], 27)
        self.assertEqual(counts["ward"] + counts["commune"] + counts["township"], 155)

    def test_after_the_2025_reform_there_are_102_units_and_14_wards(self):
        counts = self.counts(D(2025, 7, 2))
        self.assertEqual(counts["ward"], 14)
        self.assertEqual(counts["commune"], 85)
        self.assertEqual(counts["special_zone"], 3)
        self.assertEqual(counts["township"] + counts["district"] + counts["city"], 0)
        province = Area.objects.get(kind="province", valid_to__isnull=True)
        self.assertEqual(province.code, "91")

    def test_wards_per_city_and_town_in_2023(self):
        catalogue = selectors.province_catalogue(as_of=D(2023, 6, 30))
        wards = {g.area.name: g.counts["ward"] for g in catalogue.districts}
        self.assertEqual(wards["Long Xuyên"], 11)
        self.assertEqual(wards["Châu Đốc"], 5)
        self.assertEqual(wards["Tân Châu"], 5)
        self.assertEqual(wards["Tịnh Biên"], 7)
        self.assertEqual(catalogue.commune_level_total, 156)

    def test_the_catalogue_is_of_the_configured_province_with_others_loaded(self):
        hanoi = Area.objects.create(
            key="hn01", code="01", name="Hà Nội", kind="province", search_name="ha noi"
        )
        Area.objects.create(
            key="hn01-00004",
            code="00004",
            name="Ba Đình",
            kind="ward",
            parent=hanoi,
            search_name="ba dinh",
        )
        for day, code in ((D(2023, 6, 30), "89"), (D(2025, 7, 2), "91")):
            catalogue = selectors.configured_province_catalogue(as_of=day)
            self.assertEqual(catalogue.province.code, code)
            self.assertEqual(catalogue.province.name, "An Giang")
            self.assertEqual(catalogue.totals["province"], 1)
            names = {c.name for g in catalogue.districts for c in g.communes}
            self.assertNotIn("Ba Đình", names)
        # Without a configured code and two provinces, it does not guess.
        self.assertIsNone(selectors.province_catalogue(as_of=D(2025, 7, 2)).province)

    def test_tinh_bien_was_a_district_before_10_april_2023(self):
        before = selectors.area_list(
            as_of=D(2023, 4, 9), query="tinh bien", kind="district"
        )
        after = selectors.area_list(
            as_of=D(2023, 4, 10), query="tinh bien", kind="town"
        )
        self.assertEqual(before.count(), 1)
        self.assertEqual(after.count(), 1)

    def test_loading_twice_changes_nothing(self):
        areas, successions = Area.objects.count(), AreaSuccession.objects.count()
        call_command("load_areas", verbosity=0)
        self.assertEqual(Area.objects.count(), areas)
        self.assertEqual(AreaSuccession.objects.count(), successions)


class AreaSuccessionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_areas()

    def ward(self, name, day):
        return selectors.area_list(as_of=day, kind="ward").get(name=name)

    def test_dong_xuyen_merged_into_my_xuyen_on_1_january_2025(self):
        dong_xuyen = Area.objects.get(name="Đông Xuyên", kind="ward")
        self.assertEqual(dong_xuyen.valid_to, D(2025, 1, 1))
        _, became = selectors.area_successions(area=dong_xuyen)
        self.assertEqual(
            [(s.successor.name, s.date) for s in became], [("Mỹ Xuyên", D(2025, 1, 1))]
        )

    def test_former_long_xuyen_wards_became_the_new_long_xuyen_ward(self):
        new_long_xuyen = self.ward("Long Xuyên", D(2025, 7, 2))
        came_from, _ = selectors.area_successions(area=new_long_xuyen)
        names = {s.predecessor.name for s in came_from if s.predecessor.kind == "ward"}
        self.assertEqual(
            names, {"Mỹ Bình", "Mỹ Long", "Mỹ Xuyên", "Mỹ Phước", "Mỹ Quý", "Mỹ Hòa"}
        )

    def test_code_reuse_across_eras_keeps_two_units(self):
        units = Area.objects.filter(code="30307")  # oldest first
        self.assertEqual(
            [(u.name, u.valid_to is None) for u in units],
            [("Mỹ Hòa", False), ("Long Xuyên", True)],
        )


class AreaSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_areas()
        cls.user = local_officer_a()

    def setUp(self):
        self.client.force_login(self.user)

    def test_search_ignores_accents(self):
        found = selectors.area_list(as_of=D(2024, 1, 1), query="my xuyen")
        self.assertEqual([a.full_name for a in found], ["Phường Mỹ Xuyên"])

    def test_search_with_accents_and_capitals(self):
        found = selectors.area_list(as_of=D(2024, 1, 1), query="CHÂU ĐỐC")
        self.assertIn("Thành phố Châu Đốc", [a.full_name for a in found])

    def test_search_by_gso_code(self):
        found = selectors.area_list(as_of=D(2024, 1, 1), query="30286")
        self.assertEqual([a.name for a in found], ["Mỹ Xuyên"])

    def test_area_list_page_finds_my_xuyen_without_accents(self):
        response = self.client.get(
            reverse("units:area_list"), {"q": "my xuyen", "as_of": "2024-01-01"}
        )
        self.assertContains(response, "Phường Mỹ Xuyên")
        self.assertNotContains(response, "Phường Mỹ Bình")

    def test_area_list_page_as_of_2025_07_02_counts_14_wards(self):
        response = self.client.get(
            reverse("units:area_list"), {"kind": "ward", "as_of": "2025-07-02"}
        )
        self.assertEqual(response.context["page_obj"].paginator.count, 14)

    def test_area_detail_shows_successions_and_children(self):
        long_xuyen = Area.objects.get(key="ag89-883")
        response = self.client.get(
            long_xuyen.get_absolute_url(), {"as_of": "2023-06-30"}
        )
        self.assertContains(response, "Phường Đông Xuyên")
        self.assertEqual(len(response.context["children"]), 13)

    def test_malformed_or_out_of_range_date_is_explained(self):
        for value in ("30-06-2023", "1899-12-31", "2101-01-01", "abc"):
            with self.subTest(value=value):
                response = self.client.get(reverse("units:area_list"), {"as_of": value})
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["form"].errors)

    def test_area_list_runs_a_constant_number_of_queries(self):
        url = reverse("units:area_list")
        # session + user, count, page, counts by kind
        with self.assertNumQueries(7):  # + access, + unread notifications
            self.client.get(url, {"as_of": "2023-06-30"})
        with self.assertNumQueries(7):  # + access, + unread notifications
            self.client.get(url, {"as_of": "2025-07-02", "page": "2"})


class AreaSearchOtherDatesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_areas()
        cls.user = local_officer_a()

    def test_a_unit_merged_away_is_pointed_to_at_other_dates(self):
        self.client.force_login(self.user)
        response = self.client.get(
            reverse("units:area_list"), {"q": "dong xuyen", "as_of": "2026-01-01"}
        )
        self.assertEqual(response.context["page_obj"].paginator.count, 0)
        self.assertContains(response, "Phường Đông Xuyên")
        self.assertContains(response, "31/12/2024")  # its last day

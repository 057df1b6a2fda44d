"""The areas list keeps its counts by kind between requests, and never shows
counts made on other rows: a new load of the areas, new rows, a cache that
does not answer."""

from __future__ import annotations

import datetime
from unittest import mock

from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import load_areas, local_officer_a
from units import selectors, services
from units.choices import AreaKind
from units.models import Area

AFTER_REFORM = datetime.date(2025, 7, 2)


class KeptAreaCountsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_areas()

    def setUp(self):
        cache.clear()

    def test_kept_counts_are_read_without_counting_again(self):
        first = selectors.area_counts_by_kind(as_of=AFTER_REFORM)
        with CaptureQueriesContext(connection) as queries:
            again = selectors.area_counts_by_kind(as_of=AFTER_REFORM)
        self.assertEqual(again, first)
        # Only the index lookup of the newest area's id.
        self.assertEqual(len(queries), 1)
        self.assertNotIn("GROUP BY", queries[0]["sql"])

    def test_a_new_area_is_counted_at_once(self):
        before = selectors.area_counts_by_kind(as_of=AFTER_REFORM)
        province = Area.objects.get(kind=AreaKind.PROVINCE, valid_to__isnull=True)
        Area.objects.create(
            key="test-new-ward",
            code="99999",
            name="Thử Nghiệm",
            kind=AreaKind.WARD,
            parent=province,
            valid_from=datetime.date(2025, 7, 1),
        )
        after = selectors.area_counts_by_kind(as_of=AFTER_REFORM)
        self.assertEqual(after["ward"], before["ward"] + 1)

    def test_a_reload_that_changes_an_area_starts_a_new_generation(self):
        before = selectors.area_counts_by_kind(as_of=AFTER_REFORM)
        data = services.area_data_read()
        # A ward of the data set ends the day before: one ward fewer that day.
        ward = next(
            row
            for row in data["areas"]
            if row["kind"] == "ward" and not row.get("valid_to")
        )
        ward["valid_to"] = AFTER_REFORM.isoformat()
        with self.captureOnCommitCallbacks(execute=True):
            services.areas_load(data=data)
        after = selectors.area_counts_by_kind(as_of=AFTER_REFORM)
        self.assertEqual(after["ward"], before["ward"] - 1)

    def test_counts_are_made_in_the_request_when_the_cache_does_not_answer(self):
        expected = selectors.area_counts_by_kind(as_of=AFTER_REFORM)
        cache.clear()
        with mock.patch.object(cache, "get_many", side_effect=ConnectionError):
            with mock.patch.object(cache, "set", side_effect=ConnectionError):
                self.assertEqual(
                    selectors.area_counts_by_kind(as_of=AFTER_REFORM), expected
                )

    def test_the_list_total_is_the_kept_counts_and_matches_a_count(self):
        self.client.force_login(local_officer_a())
        url = reverse("units:area_list")
        for params in ({}, {"kind": "ward"}, {"as_of": "2023-06-30"}):
            with self.subTest(params=params):
                response = self.client.get(url, params)
                day = (
                    datetime.date.fromisoformat(params.get("as_of", ""))
                    if params.get("as_of")
                    else None
                )
                expected = selectors.area_list(
                    as_of=day or response.context["as_of"], kind=params.get("kind", "")
                ).count()
                self.assertEqual(response.context["page_obj"].paginator.count, expected)

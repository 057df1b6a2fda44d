"""The registration list at depth: every page is the naive slice of the list's
order (ties broken by id), the last page is reachable, a deep page or a search
costs the same number of queries as the first page, and on PostgreSQL the
order index and the trigram indexes serve the page and the search."""

from __future__ import annotations

import math
import unittest

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from campaign.planning.choices import UnitKind
from campaign.registrations.choices import RegistrationStatus
from campaign.registrations.models import Registration
from campaign.registrations.selectors import registration_list as selectors
from campaign.registrations.views.registration_list import REGISTRATIONS_PER_PAGE
from tests.factories import Personas
from tests.registrations.test_registration_list import LIST_URL, Registry
from units.choices import OrganisationKind
from units.models import Area, Organisation
from units.text import fold

S = RegistrationStatus
ROWS = 130  # three pages, the last one short
# Few distinct names: many rows tie on (year, unit kind, unit name) and only
# the id tells them apart.
NAMES = ("Trường Tiểu học Mỹ Bình", "Trường Mầm non Hoa Sen", "Trường THCS Lê Lợi")
CONTACTS = ("Nguyễn Văn Tư", "Trần Thị Hoa", "Lê Thanh Hải")


def make_registrations(registry: Registry, count: int) -> None:
    """``count`` school registrations, by two committees, over three years and
    every status, with repeated names (ties in the list's order)."""
    p = registry.p
    # A name is unique per area: the repeated names are in different areas.
    areas = list(Area.objects.filter(parent__isnull=False).order_by("pk")[:count])
    schools = Organisation.objects.bulk_create(
        Organisation(
            name=NAMES[i % len(NAMES)],
            kind=OrganisationKind.SCHOOL,
            area=area,
            managed_by_id=area.parent_id,
            search_name=fold(NAMES[i % len(NAMES)]),
        )
        for i, area in enumerate(areas)
    )
    assert len(schools) == count
    statuses = list(S)
    rows = []
    for i, school in enumerate(schools):
        year = (2023, 2024, 2025)[i % 3]
        contact = CONTACTS[(i // 3) % len(CONTACTS)]
        rows.append(
            Registration(
                committee=p.committee_a if i % 4 else p.committee_b,
                organisation=school,
                unit_kind=UnitKind.SCHOOL,
                unit_name=school.name,
                search_name=school.search_name,
                programme=registry.programme,
                phase=registry.first,
                year=year,
                contact_name=contact,
                contact_search=fold(contact),
                contact_phone="0912 345 678",
                plan_summary="Tổ tự quản.",
                status=statuses[i % len(statuses)],
                created_by=p.staff,
                updated_by=p.staff,
            )
        )
    # Created in an order that is not the list's, so that ids alone do not
    # give the order away.
    Registration.objects.bulk_create(reversed(rows))


class DeepPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.r = Registry(cls.p)
        make_registrations(cls.r, ROWS)

    def pages(self, user, **params) -> list[list[int]]:
        """The ids of every page of the list, following its page count."""
        self.client.force_login(user)
        first = self.client.get(LIST_URL, params).context["page_obj"]
        result = []
        for number in first.paginator.page_range:
            page = self.client.get(LIST_URL, {**params, "page": number}).context[
                "page_obj"
            ]
            self.assertEqual(page.number, number)
            result.append([row.pk for row in page.object_list])
        return result

    def naive(self, queryset) -> list[int]:
        # The plain ORM slice of the whole list, sorted by the model's order.
        return list(
            queryset.order_by(*Registration._meta.ordering).values_list("pk", flat=True)
        )

    def test_every_page_is_the_naive_slice_of_the_list_order(self):
        pages = self.pages(self.p.staff)
        expected = self.naive(Registration.objects.all())
        self.assertEqual(len(pages), math.ceil(ROWS / REGISTRATIONS_PER_PAGE))
        self.assertEqual([pk for page in pages for pk in page], expected)
        self.assertEqual(len(pages[-1]), ROWS % REGISTRATIONS_PER_PAGE)

    def test_ties_are_broken_by_id(self):
        ids = self.naive(Registration.objects.all())
        keys = list(
            Registration.objects.filter(pk__in=ids)
            .order_by(*Registration._meta.ordering)
            .values_list("year", "unit_kind", "unit_name", "pk")
        )
        # Many rows share year, kind and name; within them the ids ascend.
        self.assertLess(len({k[:3] for k in keys}), len(keys) // 10)
        self.assertEqual(keys, sorted(keys, key=lambda k: (-k[0], k[1], k[2], k[3])))

    def test_filtered_and_scoped_pages_are_the_naive_slices(self):
        cases = (
            (
                self.p.staff,
                {"status": S.APPROVED},
                Registration.objects.filter(status=S.APPROVED),
            ),
            (self.p.staff, {"year": 2024}, Registration.objects.filter(year=2024)),
            (
                self.p.officer_a,
                {},
                Registration.objects.filter(committee=self.p.committee_a),
            ),
        )
        for user, params, queryset in cases:
            with self.subTest(user=user.username, **params):
                pages = self.pages(user, **params)
                self.assertEqual(
                    [pk for page in pages for pk in page], self.naive(queryset)
                )

    def test_search_pages_are_the_naive_slice_of_the_matching_rows(self):
        # Accents and case ignored, every word of the unit name, or the whole
        # query in the contact person's name.
        by_name = self.pages(self.p.staff, q="TIEU hoc mỹ")
        self.assertEqual(
            [pk for page in by_name for pk in page],
            self.naive(Registration.objects.filter(unit_name=NAMES[0])),
        )
        by_contact = self.pages(self.p.staff, q="thanh hải")
        self.assertEqual(
            [pk for page in by_contact for pk in page],
            self.naive(Registration.objects.filter(contact_name=CONTACTS[2])),
        )

    def test_the_last_page_is_linked_from_the_first(self):
        self.client.force_login(self.p.staff)
        response = self.client.get(LIST_URL)
        last = math.ceil(ROWS / REGISTRATIONS_PER_PAGE)
        self.assertContains(response, f"?page={last}")

    def queries(self, user, **params) -> int:
        self.client.force_login(user)
        self.client.get(LIST_URL, params)  # warm: per-user caches
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(LIST_URL, params)
        self.assertEqual(response.status_code, 200)
        return len(captured)

    def test_a_deep_page_runs_as_many_queries_as_the_first(self):
        for user in (self.p.staff, self.p.officer_a):
            for params in ({}, {"q": "truong"}, {"status": S.APPROVED}):
                with self.subTest(user=user.username, **params):
                    self.assertEqual(
                        self.queries(user, **params, page=3 if not params else 2),
                        self.queries(user, **params),
                    )


def _plan(queryset) -> str:
    """The plan PostgreSQL chooses for ``queryset`` when a sequential scan or a
    sort is made as expensive as it can be: an index that can serve the query
    is then used, and a Sort node left means no index serves the order."""
    sql, params = queryset.query.sql_with_params()
    settings = ("enable_seqscan", "enable_sort", "enable_incremental_sort")
    with connection.cursor() as cursor:
        # Fresh statistics (the test's rows are new), as autovacuum keeps them.
        cursor.execute("ANALYZE registrations_registration")
        for setting in settings:
            cursor.execute(f"SET LOCAL {setting} = off")
        try:
            cursor.execute("EXPLAIN " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            for setting in settings:
                cursor.execute(f"RESET {setting}")


@unittest.skipUnless(connection.vendor == "postgresql", "PostgreSQL's indexes")
class PostgresIndexTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.r = Registry(cls.p)
        make_registrations(cls.r, ROWS)

    def page_ids(self, queryset, start: int):
        # The query registration_page chooses its rows with.
        return queryset.order_by(*Registration._meta.ordering).values("pk")[
            start : start + REGISTRATIONS_PER_PAGE
        ]

    def test_a_deep_page_is_read_from_the_order_index_without_sorting(self):
        for name, queryset in (
            ("all", Registration.objects.all()),
            ("status", Registration.objects.filter(status=S.APPROVED)),
            ("year", Registration.objects.filter(year=2024)),
            (
                "scope",
                Registration.objects.filter(committee_id__in=[self.p.committee_a.pk]),
            ),
        ):
            with self.subTest(name):
                plan = _plan(self.page_ids(queryset, 100))
                self.assertIn("registration_list_order_idx", plan)
                self.assertNotIn("Sort", plan)

    def test_the_search_uses_the_trigram_indexes(self):
        searched = selectors.registration_filter(
            Registration.objects.all(), q="tiểu học"
        )
        plan = _plan(searched.order_by().values("pk"))
        self.assertIn("Bitmap Index Scan on registration_search_name_trgm", plan)
        self.assertIn("Bitmap Index Scan on registration_contact_trgm", plan)
        self.assertEqual(
            set(searched.values_list("pk", flat=True)),
            set(
                Registration.objects.filter(unit_name=NAMES[0]).values_list(
                    "pk", flat=True
                )
            ),
        )

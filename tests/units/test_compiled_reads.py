"""``CompiledRead`` runs the ORM's own SQL, compiled once, with each value:
the same rows as the queryset, one query each time, and a query whose value
is not exactly one parameter refused."""

from __future__ import annotations

from unittest import mock

from django.db import connection
from django.db.models import Count, Q
from django.db.models.sql.compiler import SQLCompiler
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from tests.factories import load_reference_data
from units.compiled_reads import CompiledRead
from units.models import Area


def children(parent_id: int):
    return (
        Area.objects.filter(parent_id=parent_id)
        .order_by("key")
        .values_list("pk", "key", "name")
    )


class CompiledReadTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_reference_data()
        cls.parents = list(
            Area.objects.filter(children__isnull=False)
            .distinct()
            .order_by("key")
            .values_list("pk", flat=True)[:5]
        )

    def test_gives_the_querysets_rows_for_every_value(self):
        read = CompiledRead(children)
        for parent_id in [*self.parents, 0, 999_999_999]:
            with self.subTest(parent_id=parent_id):
                self.assertEqual(read.rows(parent_id), list(children(parent_id)))

    def test_an_aggregate_grouped_on_the_value(self):
        read = CompiledRead(
            lambda parent_id: (
                Area.objects.filter(parent_id=parent_id)
                .order_by()
                .values("parent_id")
                .annotate(n=Count("pk"))
                .values_list("n")
            )
        )
        for parent_id in self.parents:
            with self.subTest(parent_id=parent_id):
                expected = Area.objects.filter(parent_id=parent_id).count()
                self.assertEqual(read.rows(parent_id), [(expected,)])
        self.assertEqual(read.rows(0), [])

    def test_the_sql_is_compiled_once_and_runs_as_one_query(self):
        read = CompiledRead(children)
        with mock.patch.object(
            SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
        ) as compiled:
            read.rows(self.parents[0])
            with CaptureQueriesContext(connection) as queries:
                read.rows(self.parents[1])
                read.rows(self.parents[2])
        self.assertEqual(compiled.call_count, 1)
        self.assertEqual(len(queries), 2)

    def test_a_query_without_the_value_or_with_it_twice_is_refused(self):
        for build in (
            lambda value: Area.objects.filter(parent_id=1).values_list("pk"),
            lambda value: Area.objects.filter(
                Q(parent_id=value) | Q(pk=value)
            ).values_list("pk"),
        ):
            with self.subTest(), self.assertRaises(ValueError):
                CompiledRead(build).rows(1)

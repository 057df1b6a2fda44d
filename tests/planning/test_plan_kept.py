"""The plan's page is kept between requests while none of what it shows has
changed: a target edited, added or deleted and a document edited show at
once, each language keeps its own page, and a plan that does not exist is
never kept."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.planning.choices import TargetKind, UnitKind
from campaign.planning.models import Target
from campaign.planning.services import documents as document_services
from campaign.planning.services import targets as target_services
from tests.factories import reference_plan
from tests.planning.test_documents import Cast
from tests.queries import reads


class KeptPlanPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast = Cast()
        cls.plan = reference_plan()

    def setUp(self):
        cache.clear()
        self.client.force_login(self.cast.staff)
        self.url = self.plan.get_absolute_url()

    def detail(self, url=None):
        response = self.client.get(url or self.url)
        self.assertEqual(response.status_code, 200)
        return response.context["detail"]

    def counts(self) -> dict[int, int]:
        return {
            t.pk: t.count
            for programme in self.detail().programmes
            for phase in programme.phases
            for t in phase.targets
        }

    def a_target(self) -> Target:
        return Target.objects.filter(programme__plan=self.plan, count__isnull=False)[0]

    def test_the_second_request_reads_no_target(self):
        self.client.get(self.url)
        with CaptureQueriesContext(connection) as queries:
            detail = self.detail()
        self.assertFalse(reads(queries.captured_queries, "planning_target"))
        self.assertFalse(reads(queries.captured_queries, "planning_phase"))
        self.assertEqual(detail.target_count, 13)

    def test_an_edited_target_shows_at_once(self):
        target = self.a_target()
        self.assertEqual(self.counts()[target.pk], target.count)
        target_services.target_update(
            target=target,
            programme=target.programme,
            phase=target.phase,
            kind=target.kind,
            year=target.year,
            unit_kind=target.unit_kind,
            count=target.count + 5,
            by=self.cast.staff,
        )
        self.assertEqual(self.counts()[target.pk], target.count + 5)

    def test_an_added_and_a_deleted_target_show_at_once(self):
        before = self.counts()
        phase = self.plan.phases.order_by("start_year").last()
        programme = self.plan.programmes.order_by("pk").first()
        added = target_services.target_create(
            plan=self.plan,
            programme=programme,
            phase=phase,
            kind=TargetKind.QUOTA,
            year=phase.end_year,
            unit_kind=UnitKind.SCHOOL,
            count=3,
            by=self.cast.staff,
        )
        self.assertEqual(set(self.counts()), set(before) | {added.pk})
        target_services.target_delete(target=added, by=self.cast.staff)
        self.assertEqual(self.counts(), before)

    def test_an_edited_document_of_its_legal_basis_shows_at_once(self):
        document = self.plan.legal_basis.order_by("pk").first()
        self.client.get(self.url)
        document_services.document_update(
            document=document,
            number_symbol=document.number_symbol,
            doc_type=document.doc_type,
            issued_on=document.issued_on,
            issuer=document.issuer,
            title="Kế hoạch đã sửa tên",
            by=self.cast.staff,
        )
        self.assertContains(self.client.get(self.url), "Kế hoạch đã sửa tên")

    def test_each_language_keeps_its_own_page(self):
        target = self.a_target()
        edit = f"/targets/{target.pk}/edit/"
        vietnamese = self.client.get(self.url).content.decode()
        english = self.client.get("/en" + self.url).content.decode()
        self.assertIn(f'href="{edit}"', vietnamese)
        self.assertIn(f'href="/en{edit}"', english)
        self.assertNotIn(f'href="{edit}"', english)

    def test_a_local_officer_is_shown_the_kept_page_without_the_staffs_controls(self):
        self.client.get(self.url)  # kept by the staff's request
        self.client.force_login(self.cast.officer)
        response = self.client.get(self.url)
        self.assertEqual(response.context["detail"].target_count, 13)
        self.assertNotContains(response, "/targets/")

    def test_an_unknown_plan_is_a_404_every_time(self):
        url = reverse("planning:plan_detail", args=[999999])
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_someone_without_a_membership_is_refused_though_the_page_is_kept(self):
        self.client.get(self.url)
        self.client.force_login(self.cast.outsider)
        self.assertEqual(self.client.get(self.url).status_code, 403)

"""The plan 10/KH-BCĐ-CAT as data: the seed, the plan page, editing targets and
the share arithmetic."""

from __future__ import annotations

import itertools
from decimal import Decimal
from unittest import mock

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import connection
from django.test import SimpleTestCase, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaign.committees.access import SYSTEM
from campaign.planning.choices import (
    DocumentType,
    ProgrammeKind,
    RoundingRule,
    TargetGrouping,
    TargetKind,
    UnitKind,
)
from campaign.planning.models import LegalDocument, Phase, Plan, Programme, Target
from campaign.planning.selectors.plans import required_count
from campaign.planning.services import targets as plan_services
from campaign.planning.services.documents import document_create
from tests.factories import load_reference_data, reference_plan
from tests.planning.test_documents import Cast


class RequiredCountTests(SimpleTestCase):
    def count(self, share, total, rounding):
        return required_count(
            share_percent=Decimal(share), total=total, rounding=rounding
        )

    def test_30_percent_of_11_wards(self):
        self.assertEqual(self.count("30", 11, RoundingRule.UP), 4)
        self.assertEqual(self.count("30", 11, RoundingRule.DOWN), 3)
        self.assertEqual(self.count("30", 11, RoundingRule.NEAREST), 3)

    def test_exact_shares_need_no_rounding(self):
        for rule in RoundingRule:
            with self.subTest(rule=rule):
                self.assertEqual(self.count("30", 10, rule), 3)
                self.assertEqual(self.count("100", 7, rule), 7)
                self.assertEqual(self.count("0", 7, rule), 0)

    def test_halves_round_up_to_nearest(self):
        self.assertEqual(self.count("50", 3, RoundingRule.NEAREST), 2)
        self.assertEqual(self.count("50", 5, RoundingRule.NEAREST), 3)

    def test_no_float_error(self):
        # 30 % of 5 wards is 1.5; of 7 it is 2.1 — not 2.1000000000000001.
        self.assertEqual(self.count("30", 7, RoundingRule.UP), 3)
        self.assertEqual(self.count("30", 7, RoundingRule.DOWN), 2)
        self.assertEqual(self.count("33.33", 3, RoundingRule.UP), 1)

    def test_a_city_with_no_ward_needs_none(self):
        self.assertEqual(self.count("30", 0, RoundingRule.UP), 0)

    def test_bad_arguments_are_refused(self):
        for share, total, rule in (
            ("130", 5, "up"),
            ("-1", 5, "up"),
            ("30", -1, "up"),
            ("30", 5, "sideways"),
        ):
            with (
                self.subTest(share=share, total=total, rule=rule),
                self.assertRaises(ValueError),
            ):
                self.count(share, total, rule)


class ReferenceDataTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast = Cast()
        cls.plan = reference_plan()

    def targets(self, programme_kind, kind):
        return Target.objects.filter(
            programme__kind=programme_kind, kind=kind
        ).select_related("phase")

    def test_the_six_documents(self):
        documents = {
            d.number_symbol: (
                d.doc_type,
                d.issued_on and d.issued_on.isoformat(),
                d.issuer,
            )
            for d in LegalDocument.objects.all()
        }
        self.assertEqual(
            documents,
            {
                "10/KH-BCĐ-CAT": ("KH", "2023-02-08", "Ban Chỉ đạo 138 tỉnh An Giang"),
                "727-CV/TU": ("CV", "2023-03-31", "Tỉnh ủy An Giang"),
                "06-NQ/TW": ("NQ", "2022-01-24", "Bộ Chính trị"),
                "9745/QĐ-BCA-V05": ("QD", "2022-12-28", "Bộ Công an"),
                "612/KH-BCA": ("KH", "2025-10-10", "Bộ Công an"),
                "": ("DA", None, "Ủy ban nhân dân tỉnh An Giang"),
            },
        )
        scheme = LegalDocument.objects.get(doc_type=DocumentType.SCHEME)
        self.assertIn("Công an phường điển hình, kiểu mẫu", scheme.title)

    def test_the_plan_and_its_legal_basis(self):
        self.assertEqual(self.plan.document.number_symbol, "10/KH-BCĐ-CAT")
        self.assertEqual(self.plan.committee, self.cast.province_2023)
        self.assertTrue(self.plan.title.startswith("Xây dựng xã, phường, thị trấn"))
        self.assertTrue(self.plan.title.endswith("văn minh đô thị"))
        self.assertEqual(
            {d.number_symbol for d in self.plan.legal_basis.all()},
            {"727-CV/TU", "06-NQ/TW", "9745/QĐ-BCA-V05", ""},
        )

    def test_two_programmes_and_two_phases(self):
        self.assertEqual(
            set(self.plan.programmes.values_list("kind", flat=True)),
            {ProgrammeKind.EXEMPLARY_UNITS, ProgrammeKind.MODEL_WARD_POLICE},
        )
        ward_police = self.plan.programmes.get(kind=ProgrammeKind.MODEL_WARD_POLICE)
        self.assertIn(
            DocumentType.SCHEME,
            ward_police.legal_basis.values_list("doc_type", flat=True),
        )
        self.assertEqual(
            list(self.plan.phases.values_list("start_year", "end_year")),
            [(2023, 2025), (2026, 2030)],
        )

    def test_2023_quotas_make_16_units(self):
        quotas = self.targets(ProgrammeKind.EXEMPLARY_UNITS, TargetKind.QUOTA)
        self.assertEqual(
            {(t.unit_kind, t.count) for t in quotas},
            {
                ("commune", 6),
                ("ward", 2),
                ("township", 2),
                ("agency", 3),
                ("enterprise", 1),
                ("school", 2),
            },
        )
        self.assertEqual(
            {(t.year, t.phase.start_year, t.grouping) for t in quotas},
            {(2023, 2023, "province")},
        )
        self.assertEqual(sum(t.count for t in quotas), 16)

    def test_ward_police_shares(self):
        shares = {
            t.year: (t.share_percent, t.grouping, t.rounding, t.phase.start_year)
            for t in self.targets(ProgrammeKind.MODEL_WARD_POLICE, TargetKind.MIN_SHARE)
        }
        self.assertEqual(
            shares,
            {
                2025: (
                    Decimal(30),
                    TargetGrouping.EACH_CITY_TOWN,
                    RoundingRule.UP,
                    2023,
                ),
                2030: (Decimal(100), TargetGrouping.PROVINCE, RoundingRule.UP, 2026),
            },
        )

    def test_at_least_one_more_each_year_from_2026_to_2030(self):
        increments = self.targets(
            ProgrammeKind.MODEL_WARD_POLICE, TargetKind.YEARLY_INCREMENT
        )
        self.assertEqual(
            sorted(
                (t.year, t.count, t.grouping, t.phase.start_year) for t in increments
            ),
            [(year, 1, "province", 2026) for year in range(2026, 2031)],
        )

    def test_13_targets_in_all(self):
        self.assertEqual(Target.objects.count(), 13)

    def test_seeding_again_changes_nothing(self):
        before = self.snapshot()
        load_reference_data()
        self.assertEqual(self.snapshot(), before)

    def test_seeding_again_keeps_staff_edits(self):
        scheme = LegalDocument.objects.get(doc_type=DocumentType.SCHEME)
        scheme.number_symbol = "2345/ĐA-UBND"
        scheme.title = "Đề án (đã sửa)"
        scheme.save()
        Target.objects.filter(kind=TargetKind.QUOTA, unit_kind=UnitKind.COMMUNE).update(
            count=7
        )
        before = self.snapshot()
        load_reference_data()
        self.assertEqual(self.snapshot(), before)
        self.assertEqual(
            LegalDocument.objects.filter(doc_type=DocumentType.SCHEME).count(), 1
        )

    def snapshot(self):
        return (
            sorted(LegalDocument.objects.values_list("pk", "number_symbol", "title")),
            list(Plan.objects.values_list("pk", flat=True)),
            sorted(Programme.objects.values_list("pk", flat=True)),
            sorted(Phase.objects.values_list("pk", flat=True)),
            sorted(Target.objects.values_list("pk", "count", "share_percent")),
            sorted(
                Plan.legal_basis.through.objects.values_list(
                    "plan_id", "legaldocument_id"
                )
            ),
            sorted(
                Programme.legal_basis.through.objects.values_list(
                    "programme_id", "legaldocument_id"
                )
            ),
        )


class PlanPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast = Cast()
        cls.plan = reference_plan()

    def test_every_member_sees_the_plan_list(self):
        for user in (
            self.cast.viewer,
            self.cast.officer,
            self.cast.leader,
            self.cast.staff,
        ):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.get(reverse("planning:plan_list"))
                self.assertEqual(response.status_code, 200)
                plan = response.context["plans"].get()
                self.assertEqual(
                    (plan.programme_count, plan.phase_count, plan.target_count),
                    (2, 2, 13),
                )

    def test_plan_page_shows_phases_targets_and_legal_basis(self):
        self.client.force_login(self.cast.officer)
        response = self.client.get(self.plan.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        detail = response.context["detail"]
        self.assertEqual(detail.target_count, 13)
        self.assertEqual([str(p) for p in detail.phases], ["2023–2025", "2026–2030"])
        for text in (
            "727-CV/TU",
            "06-NQ/TW",
            "9745/QĐ-BCA-V05",
            "10/KH-BCĐ-CAT",
            "Ủy ban nhân dân tỉnh An Giang",
        ):
            self.assertContains(response, text)
        self.assertContains(response, "30 %")
        self.assertContains(response, "100 %")
        # A local officer cannot edit targets: no edit or delete controls.
        self.assertNotContains(response, "/targets/")

    def test_staff_gets_edit_and_delete_controls(self):
        self.client.force_login(self.cast.staff)
        response = self.client.get(self.plan.get_absolute_url())
        target = Target.objects.first()
        self.assertContains(response, reverse("planning:target_edit", args=[target.pk]))
        self.assertContains(
            response, reverse("planning:target_delete", args=[target.pk])
        )
        self.assertContains(response, "data-confirm=")
        self.assertContains(
            response, reverse("planning:target_create", args=[self.plan.pk])
        )

    def test_user_without_membership_is_refused(self):
        self.client.force_login(self.cast.outsider)
        self.assertEqual(
            self.client.get(reverse("planning:plan_list")).status_code, 403
        )
        self.assertEqual(self.client.get(self.plan.get_absolute_url()).status_code, 403)

    def test_unknown_plan_is_404(self):
        self.client.force_login(self.cast.staff)
        self.assertEqual(
            self.client.get(reverse("planning:plan_detail", args=[999999])).status_code,
            404,
        )
        self.assertEqual(
            self.client.get(
                reverse("planning:target_create", args=[999999])
            ).status_code,
            404,
        )

    def test_plan_page_runs_constant_queries_with_ten_times_the_targets(self):
        self.client.force_login(self.cast.staff)
        url = self.plan.get_absolute_url()
        self.client.get(url)  # warm up the session and caches
        # The page's plan is kept between requests: each measured request
        # builds it (nothing kept), so that its queries are counted.
        cache.clear()
        with CaptureQueriesContext(connection) as baseline:
            self.client.get(url)
        self.add_targets_up_to(130)
        self.add_legal_basis(10)
        cache.clear()
        with self.assertNumQueries(len(baseline.captured_queries)):
            response = self.client.get(url)
        self.assertEqual(response.context["detail"].target_count, 130)

    def add_targets_up_to(self, total):
        existing = set(
            Target.objects.values_list(
                "programme_id", "phase_id", "kind", "year", "unit_kind", "grouping"
            )
        )
        new = []
        for programme, phase in itertools.product(
            self.plan.programmes.all(), self.plan.phases.all()
        ):
            for year, unit_kind, grouping in itertools.product(
                range(phase.start_year, phase.end_year + 1),
                UnitKind.values,
                TargetGrouping.values,
            ):
                key = (
                    programme.pk,
                    phase.pk,
                    TargetKind.QUOTA,
                    year,
                    unit_kind,
                    grouping,
                )
                if key not in existing and len(existing) + len(new) < total:
                    new.append(
                        Target(
                            programme=programme,
                            phase=phase,
                            kind=TargetKind.QUOTA,
                            year=year,
                            unit_kind=unit_kind,
                            grouping=grouping,
                            count=1,
                        )
                    )
        Target.objects.bulk_create(new)
        self.assertEqual(Target.objects.count(), total)

    def add_legal_basis(self, count):
        for n in range(count):
            document = document_create(
                by=SYSTEM,
                number_symbol=f"{n + 100}/HD-BCA",
                doc_type=DocumentType.GUIDANCE,
                issued_on=None,
                issuer="Bộ Công an",
                title=f"Hướng dẫn {n}",
            )
            self.plan.legal_basis.add(document)
            for programme in self.plan.programmes.all():
                programme.legal_basis.add(document)


class TargetFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast = Cast()
        cls.plan = reference_plan()
        cls.exemplary = cls.plan.programmes.get(kind=ProgrammeKind.EXEMPLARY_UNITS)
        cls.ward_police = cls.plan.programmes.get(kind=ProgrammeKind.MODEL_WARD_POLICE)
        cls.first, cls.second = cls.plan.phases.order_by("start_year")

    def setUp(self):
        self.client.force_login(self.cast.staff)
        self.url = reverse("planning:target_create", args=[self.plan.pk])
        self.count_before = Target.objects.count()

    def quota(self, **changes):
        data = {
            "programme": self.exemplary.pk,
            "phase": self.first.pk,
            "kind": TargetKind.QUOTA,
            "year": 2024,
            "unit_kind": UnitKind.COMMUNE,
            "count": 8,
            "share_percent": "",
            "grouping": TargetGrouping.PROVINCE,
            "rounding": RoundingRule.UP,
            "note": "Năm 2024",
        }
        data.update(changes)
        return data

    def share(self, **changes):
        values = {
            "programme": self.ward_police.pk,
            "kind": TargetKind.MIN_SHARE,
            "year": 2024,
            "unit_kind": "",
            "count": "",
            "share_percent": "50",
            "grouping": TargetGrouping.EACH_CITY_TOWN,
        }
        return self.quota(**{**values, **changes})

    def refused(self, data, url=None):
        response = self.client.post(url or self.url, data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Chưa lưu gì", status_code=400)
        self.assertEqual(Target.objects.count(), self.count_before)
        return response.context["form"].errors

    def test_staff_adds_a_quota(self):
        response = self.client.post(self.url, self.quota())
        self.assertRedirects(response, self.plan.get_absolute_url())
        target = Target.objects.get(year=2024, unit_kind=UnitKind.COMMUNE)
        self.assertEqual(
            (target.count, target.programme, target.phase),
            (8, self.exemplary, self.first),
        )

    def test_staff_adds_a_share_with_rounding_down(self):
        self.client.post(self.url, self.share(rounding=RoundingRule.DOWN))
        target = Target.objects.get(kind=TargetKind.MIN_SHARE, year=2024)
        self.assertEqual(
            (target.share_percent, target.rounding), (Decimal(50), RoundingRule.DOWN)
        )

    def test_form_offers_only_this_plans_programmes_and_phases(self):
        response = self.client.get(self.url)
        self.assertEqual(
            set(response.context["form"].fields["programme"].queryset),
            {self.exemplary, self.ward_police},
        )

    def test_share_of_130_is_refused(self):
        errors = self.refused(self.share(share_percent="130"))
        # Django's own message, already translated into Vietnamese.
        expected = MaxValueValidator.message % {"limit_value": 100}
        self.assertEqual(errors["share_percent"], [expected])
        self.assertIn("100", expected)

    def test_negative_share_is_refused(self):
        errors = self.refused(self.share(share_percent="-5"))
        self.assertIn("share_percent", errors)

    def test_year_outside_the_phase_is_refused(self):
        errors = self.refused(self.quota(year=2027))
        self.assertEqual(
            errors["year"], ["Năm phải nằm trong giai đoạn: từ 2023 đến 2025."]
        )

    def test_share_of_130_and_year_outside_the_phase_are_both_reported(self):
        errors = self.refused(self.share(share_percent="130", year=2031))
        self.assertEqual(set(errors), {"share_percent", "year"})

    def test_quota_needs_unit_kind_and_count(self):
        errors = self.refused(self.quota(unit_kind="", count=""))
        self.assertEqual(
            errors["unit_kind"], [str(plan_services.TARGET_NEEDS_UNIT_KIND)]
        )
        self.assertEqual(errors["count"], [str(plan_services.TARGET_NEEDS_COUNT)])

    def test_min_share_needs_a_share(self):
        errors = self.refused(self.share(share_percent=""))
        self.assertEqual(
            errors["share_percent"], [str(plan_services.TARGET_NEEDS_SHARE)]
        )

    def test_min_share_with_a_count_is_refused(self):
        errors = self.refused(self.share(count="3"))
        self.assertEqual(errors["count"], [str(plan_services.TARGET_NOT_USED_BY_KIND)])

    def test_yearly_increment_needs_at_least_one(self):
        data = self.quota(
            programme=self.ward_police.pk,
            phase=self.second.pk,
            kind=TargetKind.YEARLY_INCREMENT,
            year=2027,
            unit_kind="",
        )
        for count in ("0", ""):
            with self.subTest(count=count):
                errors = self.refused({**data, "count": count})
                self.assertIn("count", errors)

    def test_duplicate_target_is_refused_with_a_clear_message(self):
        # The seed already has 6 communes in 2023 for the whole province.
        errors = self.refused(self.quota(year=2023, count=9))
        self.assertEqual(errors["__all__"], [str(plan_services.TARGET_DUPLICATE)])
        self.assertEqual(
            Target.objects.get(year=2023, unit_kind=UnitKind.COMMUNE).count, 6
        )

    def test_phase_of_another_plan_is_refused(self):
        other = Plan.objects.create(
            document=document_create(
                by=SYSTEM,
                number_symbol="1/KH-X",
                doc_type="KH",
                issued_on=None,
                issuer="X",
                title="Khác",
            ),
            committee=self.cast.province,
            title="Kế hoạch khác",
        )
        phase = Phase.objects.create(plan=other, start_year=2023, end_year=2025)
        errors = self.refused(self.quota(phase=phase.pk))
        self.assertIn("phase", errors)

    def test_fields_not_on_the_form_are_refused(self):
        errors = self.refused(self.quota(plan="2", id="1"))
        self.assertIn("plan", errors["__all__"][0])

    def test_garbage_is_refused_without_a_server_error(self):
        errors = self.refused(
            self.quota(
                programme="abc",
                phase="999999",
                kind="bogus",
                year="năm",
                count="x",
                share_percent="1e400",
                grouping="?",
                rounding="?",
            )
        )
        self.assertTrue(
            {
                "programme",
                "phase",
                "kind",
                "year",
                "count",
                "share_percent",
                "grouping",
                "rounding",
            }
            <= set(errors)
        )

    def test_leader_and_local_officer_may_not_add(self):
        for user in (self.cast.leader, self.cast.officer):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.url).status_code, 403)
                self.assertEqual(
                    self.client.post(self.url, self.quota()).status_code, 403
                )
        self.assertEqual(Target.objects.count(), self.count_before)


class TargetEditDeleteTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cast = Cast()
        cls.plan = reference_plan()

    def setUp(self):
        self.client.force_login(self.cast.staff)
        self.target = Target.objects.get(kind=TargetKind.MIN_SHARE, year=2025)
        self.edit_url = reverse("planning:target_edit", args=[self.target.pk])
        self.delete_url = reverse("planning:target_delete", args=[self.target.pk])

    def data(self, **changes):
        data = {
            "programme": self.target.programme_id,
            "phase": self.target.phase_id,
            "kind": self.target.kind,
            "year": self.target.year,
            "unit_kind": "",
            "count": "",
            "share_percent": "30",
            "grouping": self.target.grouping,
            "rounding": self.target.rounding,
            "note": "",
        }
        data.update(changes)
        return data

    def test_edit_form_is_filled_with_the_target(self):
        response = self.client.get(self.edit_url)
        self.assertEqual(
            response.context["form"]["share_percent"].value(), Decimal("30.00")
        )

    def test_staff_changes_the_rounding_rule(self):
        response = self.client.post(
            self.edit_url, self.data(rounding=RoundingRule.NEAREST)
        )
        self.assertRedirects(response, self.plan.get_absolute_url())
        self.target.refresh_from_db()
        self.assertEqual(self.target.rounding, RoundingRule.NEAREST)

    def test_saving_a_target_unchanged_is_not_a_duplicate_of_itself(self):
        self.assertEqual(self.client.post(self.edit_url, self.data()).status_code, 302)

    def test_bad_share_changes_nothing(self):
        response = self.client.post(self.edit_url, self.data(share_percent="130"))
        self.assertEqual(response.status_code, 400)
        self.target.refresh_from_db()
        self.assertEqual(self.target.share_percent, Decimal(30))

    def test_turning_it_into_a_duplicate_is_refused(self):
        increment = Target.objects.get(kind=TargetKind.YEARLY_INCREMENT, year=2026)
        response = self.client.post(
            reverse("planning:target_edit", args=[increment.pk]),
            {
                **self.data(
                    phase=increment.phase_id,
                    kind=TargetKind.YEARLY_INCREMENT,
                    year=2027,
                    count="1",
                    share_percent="",
                    grouping="province",
                )
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.context["form"].errors["__all__"],
            [str(plan_services.TARGET_DUPLICATE)],
        )
        increment.refresh_from_db()
        self.assertEqual(increment.year, 2026)

    def test_leader_and_local_officer_may_not_edit_or_delete(self):
        for user in (self.cast.leader, self.cast.officer):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(self.edit_url).status_code, 403)
                self.assertEqual(
                    self.client.post(
                        self.edit_url, self.data(share_percent="40")
                    ).status_code,
                    403,
                )
                self.assertEqual(self.client.post(self.delete_url).status_code, 403)
        self.target.refresh_from_db()
        self.assertEqual(self.target.share_percent, Decimal(30))

    def test_unknown_target_is_404(self):
        self.assertEqual(
            self.client.get(reverse("planning:target_edit", args=[999999])).status_code,
            404,
        )
        self.assertEqual(
            self.client.post(
                reverse("planning:target_delete", args=[999999])
            ).status_code,
            404,
        )

    def test_delete_needs_post(self):
        self.assertEqual(self.client.get(self.delete_url).status_code, 405)
        self.assertTrue(Target.objects.filter(pk=self.target.pk).exists())

    def test_staff_deletes_a_target(self):
        response = self.client.post(self.delete_url)
        self.assertRedirects(response, self.plan.get_absolute_url())
        self.assertFalse(Target.objects.filter(pk=self.target.pk).exists())


class TargetServiceTests(TestCase):
    """The services check everything themselves, whoever calls them."""

    @classmethod
    def setUpTestData(cls):
        cls.cast = Cast()
        cls.plan = reference_plan()
        cls.exemplary = cls.plan.programmes.get(kind=ProgrammeKind.EXEMPLARY_UNITS)
        cls.first = cls.plan.phases.get(start_year=2023)

    def create(self, **changes):
        values = {
            "plan": self.plan,
            "programme": self.exemplary,
            "phase": self.first,
            "kind": TargetKind.QUOTA,
            "year": 2024,
            "unit_kind": UnitKind.SCHOOL,
            "count": 3,
        }
        values.update(changes)
        return plan_services.target_create(**values, by=SYSTEM)

    def test_share_over_100_is_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self.create(
                kind=TargetKind.MIN_SHARE, count=None, share_percent=Decimal(130)
            )
        self.assertEqual(
            caught.exception.message_dict["share_percent"],
            [str(plan_services.TARGET_SHARE_OUT_OF_RANGE)],
        )

    def test_programme_of_another_plan_is_refused(self):
        other_plan = Plan.objects.create(
            document=document_create(
                by=SYSTEM,
                number_symbol="2/KH-X",
                doc_type="KH",
                issued_on=None,
                issuer="X",
                title="Khác",
            ),
            committee=self.cast.province,
            title="Khác",
        )
        programme = Programme.objects.create(
            plan=other_plan, kind=ProgrammeKind.EXEMPLARY_UNITS, name="Khác"
        )
        with self.assertRaises(ValidationError) as caught:
            self.create(programme=programme)
        self.assertIn("programme", caught.exception.message_dict)

    def test_database_constraint_is_the_last_line(self):
        # As if another request saved the same target between check and save.
        with (
            mock.patch.object(plan_services, "target_check"),
            mock.patch.object(Target, "validate_constraints"),
            self.assertRaises(ValidationError) as caught,
        ):
            self.create(year=2023, unit_kind=UnitKind.COMMUNE, count=6)
        self.assertEqual(
            caught.exception.messages, [str(plan_services.TARGET_DUPLICATE)]
        )
        self.assertEqual(
            Target.objects.filter(year=2023, unit_kind=UnitKind.COMMUNE).count(), 1
        )

"""Steering committee pages: who sees which committee, and who edits them."""

from __future__ import annotations

import datetime

from django.test import TestCase
from django.urls import reverse

from campaign.committees.access import SYSTEM
from campaign.committees.choices import CommitteeLevel, CommitteeRole
from campaign.committees.models import CommitteeMember, SteeringCommittee
from campaign.committees.services.committees import committee_create
from tests.factories import Personas
from units.models import Area

D = datetime.date


class CommitteeSeedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def test_there_are_11_district_committees_in_mid_2023(self):
        on = D(2023, 6, 30)
        current = SteeringCommittee.objects.filter(
            level=CommitteeLevel.DISTRICT, valid_from__lte=on, valid_to__gt=on
        )
        self.assertEqual(current.count(), 11)
        self.assertFalse(
            SteeringCommittee.objects.filter(
                level=CommitteeLevel.DISTRICT, valid_to__gt=D(2025, 7, 1)
            ).exists()
        )

    def test_provincial_committee_has_its_head_and_standing_deputy(self):
        roles = dict(
            CommitteeMember.objects.filter(committee=self.p.province_2023).values_list(
                "role", "position"
            )
        )
        self.assertEqual(
            roles[CommitteeRole.HEAD], "Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh"
        )
        self.assertEqual(roles[CommitteeRole.STANDING_DEPUTY], "Giám đốc Công an tỉnh")
        self.assertIn("HIV/AIDS", self.p.province.name)

    def test_every_commune_ward_and_special_zone_of_today_has_its_committee(self):
        on = D(2026, 6, 30)
        communes = SteeringCommittee.objects.filter(
            level=CommitteeLevel.COMMUNE, valid_from__lte=on, valid_to__isnull=True
        )
        self.assertEqual(communes.count(), 102)
        self.assertEqual(
            set(communes.values_list("parent_id", flat=True)), {self.p.province.pk}
        )
        ward = communes.get(area__key="ag91-30307")
        self.assertEqual(ward.short_name, "Ban Chỉ đạo 138 phường Long Xuyên")
        self.assertEqual(ward.standing_office, "Công an phường Long Xuyên")
        self.assertEqual(ward.valid_from, D(2025, 7, 1))

    def test_the_2023_district_committees_keep_their_history(self):
        long_xuyen = self.p.committee_a
        self.assertEqual(long_xuyen.valid_to, D(2025, 7, 1))
        self.assertEqual(long_xuyen.parent, self.p.province_2023)

    def test_the_provincial_committee_of_today_has_its_head(self):
        head = CommitteeMember.objects.get(
            committee=self.p.province, role=CommitteeRole.HEAD
        )
        self.assertEqual(head.position, "Chủ tịch UBND tỉnh An Giang")


class CommitteeVisibilityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def test_local_officer_sees_own_and_provincial_committee_only(self):
        self.client.force_login(self.p.officer_a)
        response = self.client.get(reverse("committees:committee_list"))
        names = {c.short_name for c in response.context["committees"]}
        self.assertIn(self.p.committee_a.short_name, names)
        self.assertIn(self.p.province_2023.short_name, names)
        self.assertNotIn(self.p.committee_b.short_name, names)

    def test_local_officer_cannot_see_other_district_committee(self):
        self.client.force_login(self.p.officer_a)
        response = self.client.get(self.p.committee_b.get_absolute_url())
        self.assertEqual(response.status_code, 404)

    def test_staff_sees_every_committee(self):
        self.client.force_login(self.p.staff)
        response = self.client.get(reverse("committees:committee_list"))
        self.assertEqual(
            len(response.context["committees"]), SteeringCommittee.objects.count()
        )

    def test_list_and_detail_run_constant_queries_with_ten_times_the_data(self):
        self.client.force_login(self.p.staff)
        list_url = reverse("committees:committee_list")
        detail_url = self.p.province_2023.get_absolute_url()

        def counts():
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            result = []
            for url in (list_url, detail_url):
                with CaptureQueriesContext(connection) as ctx:
                    self.assertEqual(self.client.get(url).status_code, 200)
                result.append(len(ctx.captured_queries))
            return result

        before = counts()
        for i in range(10 * SteeringCommittee.objects.count()):
            area = Area.objects.filter(kind="commune").order_by("pk")[i % 100]
            SteeringCommittee.objects.create(
                level=CommitteeLevel.COMMUNE,
                area=area,
                parent=self.p.province_2023,
                name=f"Ban Chỉ đạo {i}",
                short_name=f"BCĐ {i}",
                valid_from=D(2023, 1, 1) + datetime.timedelta(days=i),
            )
        for i in range(30):
            CommitteeMember.objects.create(
                committee=self.p.province_2023,
                full_name=f"Thành viên {i}",
                position="Giám đốc Sở",
                role=CommitteeRole.MEMBER,
                valid_from=D(2023, 1, 1),
            )
        self.assertEqual(counts(), before)


class CommitteeEditingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def test_only_provincial_staff_may_create_or_edit(self):
        for user in (self.p.leader, self.p.officer_a):
            self.client.force_login(user)
            self.assertEqual(
                self.client.get(reverse("committees:committee_create")).status_code, 403
            )
            url = reverse("committees:committee_edit", args=[self.p.committee_a.pk])
            self.assertEqual(self.client.post(url, {"name": "x"}).status_code, 403)

    def test_staff_creates_a_commune_committee(self):
        self.client.force_login(self.p.staff)
        ward = Area.objects.get(name="Mỹ Bình", kind="ward")
        response = self.client.post(
            reverse("committees:committee_create"),
            {
                "level": "commune",
                "area": ward.pk,
                "parent": self.p.committee_a.pk,
                "valid_from": "2023-03-01",
                "valid_to": "30/06/2025",
            },
        )
        committee = SteeringCommittee.objects.get(area=ward)
        self.assertRedirects(response, committee.get_absolute_url())
        self.assertEqual(committee.short_name, "Ban Chỉ đạo 138 phường Mỹ Bình")
        # The last day typed is the last day in force: stored as the day after.
        self.assertEqual(committee.valid_to, D(2025, 7, 1))

    def test_a_committee_whose_area_is_not_valid_on_its_start_date_is_refused(self):
        self.client.force_login(self.p.staff)
        dong_xuyen = Area.objects.get(name="Đông Xuyên", kind="ward")
        count = SteeringCommittee.objects.count()
        response = self.client.post(
            reverse("committees:committee_create"),
            {
                "level": "commune",
                "area": dong_xuyen.pk,
                "parent": self.p.committee_a.pk,
                "valid_from": "2025-03-01",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "không còn hiệu lực", status_code=400)
        self.assertEqual(SteeringCommittee.objects.count(), count)

    def test_level_must_fit_the_area(self):
        with self.assertRaisesMessage(Exception, "Không thể lập Ban Chỉ đạo"):
            committee_create(
                level="district",
                area=Area.objects.get(name="Mỹ Bình", kind="ward"),
                parent=self.p.province_2023,
                valid_from=D(2023, 3, 1),
                by=SYSTEM,
            )

    def test_staff_adds_edits_and_removes_a_member(self):
        self.client.force_login(self.p.staff)
        committee = self.p.committee_a
        response = self.client.post(
            reverse("committees:member_add", args=[committee.pk]),
            {
                "full_name": "Trần Văn Bảy",
                "position": "Chủ tịch UBND thành phố",
                "role": "head",
                "valid_from": "2023-01-01",
            },
        )
        self.assertRedirects(response, committee.get_absolute_url())
        member = CommitteeMember.objects.get(full_name="Trần Văn Bảy")
        self.client.post(
            reverse("committees:member_edit", args=[member.pk]),
            {
                "full_name": "Trần Văn Bảy",
                "position": "Bí thư Thành ủy",
                "role": "head",
                "valid_from": "2023-01-01",
            },
        )
        member.refresh_from_db()
        self.assertEqual(member.position, "Bí thư Thành ủy")
        self.assertEqual(
            self.client.get(
                reverse("committees:member_remove", args=[member.pk])
            ).status_code,
            405,
        )
        self.client.post(reverse("committees:member_remove", args=[member.pk]))
        self.assertFalse(CommitteeMember.objects.filter(pk=member.pk).exists())

    def test_fields_not_on_the_edit_form_are_refused(self):
        self.client.force_login(self.p.staff)
        committee = self.p.committee_a
        response = self.client.post(
            reverse("committees:committee_edit", args=[committee.pk]),
            {
                "name": committee.name,
                "short_name": "Đổi tên",
                "standing_office": committee.standing_office,
                "parent": committee.parent_id,
                "valid_from": "2023-01-01",
                "valid_to": "2025-06-30",
                "level": "province",
                "area": self.p.province.area_id,
            },
        )
        self.assertContains(response, "Chưa lưu gì", status_code=400)
        committee.refresh_from_db()
        self.assertNotEqual(committee.short_name, "Đổi tên")
        self.assertEqual(committee.level, "district")

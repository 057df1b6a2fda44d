"""A unit's whole history: every registration of it the user may see, their
assessments, recognitions, commendations and review classifications, year by
year — and nothing at all for another locality."""

from __future__ import annotations

import datetime

from django.test import TestCase

from campaign.assessments.choices import AssessmentStatus
from campaign.assessments.models import Commendation, Review, ReviewClassification
from campaign.registrations.choices import RegistrationStatus
from tests.assessments import builders
from tests.assessments.test_award_pages import (
    approved_registration,
    count_queries,
    en_url,
    login,
)
from tests.factories import Personas
from units.models import Area, Organisation
from units.text import fold


def history_url(kind: str, pk: int) -> str:
    return en_url("assessments:unit_history", kwargs={"kind": kind, "pk": pk})


class UnitHistoryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.my_binh = Area.objects.get(key="ag89-883-30280")  # Long Xuyên
        cls.url = history_url("area", cls.my_binh.pk)
        cls.reg_2023 = approved_registration(cls.p, area=cls.my_binh, year=2023)
        cls.reg_2024 = approved_registration(cls.p, area=cls.my_binh, year=2024)
        cls.accepted = builders.assessment(
            by=cls.p.staff, year=2023, registration=cls.reg_2023
        )
        cls.recognition = builders.recognise(
            cls.accepted, by=cls.p.staff, number="15/QĐ-BCĐ"
        )
        cls.returned = builders.assessment(
            by=cls.p.staff,
            year=2024,
            registration=cls.reg_2024,
            status=AssessmentStatus.RETURNED,
            meets_all=False,
        )
        Commendation.objects.create(
            form="merit",
            authority="Chủ tịch UBND tỉnh An Giang",
            recipient_kind="collective",
            recipient_name="Nhân dân và cán bộ phường Mỹ Bình",
            registration=cls.reg_2023,
            year=2023,
            decision_number="88/QĐ-UBND",
            decided_on=datetime.date(2024, 1, 10),
            reason="Thành tích xuất sắc",
            created_by=cls.p.staff,
        )
        review = Review.objects.create(
            kind="interim",
            title="Sơ kết năm 2024",
            held_on=datetime.date(2024, 12, 20),
            period_start=2024,
            period_end=2024,
            created_by=cls.p.staff,
        )
        ReviewClassification.objects.create(
            review=review,
            registration=cls.reg_2024,
            unit_name=cls.reg_2024.unit_name,
            classification="good",
            note="Mô hình Camera an ninh",
        )

    def test_the_history_tells_every_year_of_the_unit(self):
        response = login(self.p.officer_a).get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1", count=1)
        self.assertContains(response, "Phường Mỹ Bình")
        years = [y.year for y in response.context["history"].years]
        self.assertEqual(years, [2023, 2024])
        # Registrations, with their pages.
        for registration in (self.reg_2023, self.reg_2024):
            self.assertContains(
                response,
                en_url(
                    "registrations:registration_detail", kwargs={"pk": registration.pk}
                ),
            )
        # Assessments: met N of M, status, link.
        total = self.accepted.answers.count()
        self.assertContains(response, f"Met {total} of {total} criteria")
        self.assertContains(response, f"Met {total - 1} of {total} criteria")
        self.assertContains(response, "Returned for changes")
        self.assertContains(
            response,
            en_url("assessments:assessment_detail", kwargs={"pk": self.returned.pk}),
        )
        # The recognition, the commendation and the classification.
        self.assertContains(response, "Decision 15/QĐ-BCĐ of 20/12/2023")
        self.assertContains(response, "88/QĐ-UBND")
        self.assertContains(response, "Sơ kết năm 2024")
        self.assertContains(response, "Mô hình Camera an ninh")
        self.assertEqual(response.context["history"].recognised_years, [2023])
        # The ward's police, on its own page.
        self.assertContains(
            response,
            en_url(
                "assessments:ward_police_detail",
                kwargs={"pk": builders.ward_police("ag89-883-30280").pk},
            ),
        )

    def test_staff_and_the_director_read_it_too(self):
        for user in (self.p.staff, self.p.leader):
            with self.subTest(user=user.username):
                response = login(user).get(self.url)
                self.assertContains(response, "15/QĐ-BCĐ")

    def test_another_localitys_officer_gets_a_404(self):
        for user in (self.p.officer_b, self.p.officer_ward, self.p.officer_commune):
            with self.subTest(user=user.username):
                response = login(user).get(self.url)
                self.assertEqual(response.status_code, 404)
                self.assertNotContains(response, "15/QĐ-BCĐ", status_code=404)

    def test_a_unit_without_any_registration_is_a_404(self):
        other = Area.objects.get(key="ag89-883-30283")
        response = login(self.p.staff).get(history_url("area", other.pk))
        self.assertEqual(response.status_code, 404)

    def test_any_other_kind_or_an_unknown_unit_is_a_404(self):
        client = login(self.p.staff)
        self.assertEqual(
            client.get(history_url("ward_police", self.my_binh.pk)).status_code, 404
        )
        self.assertEqual(client.get(history_url("area", 99999999)).status_code, 404)
        self.assertEqual(
            client.get(history_url("organisation", 99999999)).status_code, 404
        )

    def test_anonymous_users_are_sent_to_log_in(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)

    def test_a_withdrawn_registration_is_part_of_the_history(self):
        approved_registration(
            self.p, area=self.my_binh, year=2025, status=RegistrationStatus.WITHDRAWN
        )
        response = login(self.p.officer_a).get(self.url)
        self.assertEqual(
            [y.year for y in response.context["history"].years], [2023, 2024, 2025]
        )
        self.assertContains(response, "Withdrawn")

    def test_an_organisations_history(self):
        organisation = Organisation.objects.create(
            name="Trường THPT Thoại Ngọc Hầu",
            kind="school",
            area=Area.objects.get(key="ag89-883"),
            managed_by=Area.objects.get(key="ag89-883"),
            search_name=fold("Trường THPT Thoại Ngọc Hầu"),
        )
        registration = approved_registration(self.p, organisation=organisation)
        builders.recognise(
            builders.assessment(by=self.p.staff, year=2023, registration=registration),
            by=self.p.staff,
            number="21/QĐ-BCĐ",
        )
        url = history_url("organisation", organisation.pk)
        response = login(self.p.officer_a).get(url)
        self.assertContains(response, "Trường THPT Thoại Ngọc Hầu")
        self.assertContains(response, "21/QĐ-BCĐ")
        self.assertNotContains(response, "15/QĐ-BCĐ")
        self.assertEqual(login(self.p.officer_b).get(url).status_code, 404)
        # An organisation's id given as an area's is another unit.
        self.assertEqual(
            login(self.p.staff).get(history_url("area", organisation.pk)).status_code,
            404,
        )

    def test_a_recognition_list_row_leads_here(self):
        response = login(self.p.officer_a).get(en_url("assessments:recognition_list"))
        self.assertContains(response, self.url)

    def test_the_same_number_of_queries_whatever_the_length_of_the_history(self):
        small_area = Area.objects.get(key="ag89-883-30283")
        small = approved_registration(self.p, area=small_area, year=2023)
        builders.assessment(by=self.p.staff, year=2023, registration=small)
        small_url = history_url("area", small_area.pk)
        # The long history: three more years, each with an assessment, a
        # recognition, commendations and a classification.
        review = Review.objects.get()
        for year in (2025, 2026, 2027):
            registration = approved_registration(self.p, area=self.my_binh, year=year)
            builders.recognise(
                builders.assessment(
                    by=self.p.staff, year=year, registration=registration
                ),
                by=self.p.staff,
            )
            for number in range(2):
                Commendation.objects.create(
                    form="praise",
                    authority="Giám đốc Công an tỉnh",
                    recipient_kind="individual",
                    recipient_name=f"Cán bộ {number}",
                    registration=registration,
                    year=year,
                    decision_number=f"{year}-{number}/QĐ-CAT",
                    decided_on=datetime.date(2026, 1, 5),
                    reason="Thành tích",
                    created_by=self.p.staff,
                )
            ReviewClassification.objects.create(
                review=review,
                registration=registration,
                unit_name=registration.unit_name,
                classification="excellent",
            )
        for user in (self.p.staff, self.p.officer_a):
            client = login(user)
            with self.subTest(user=user.username):
                self.assertEqual(
                    count_queries(client, small_url), count_queries(client, self.url)
                )
        response = login(self.p.staff).get(self.url)
        self.assertEqual(len(response.context["history"].years), 5)


class RegistrationLinksTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.registration = approved_registration(
            cls.p, area=Area.objects.get(key="ag89-883-30280"), year=2023
        )

    def test_an_approved_registration_leads_to_its_history_and_assessment(self):
        response = login(self.p.officer_a).get(
            en_url(
                "registrations:registration_detail",
                kwargs={"pk": self.registration.pk},
            )
        )
        self.assertContains(response, history_url("area", self.registration.area_id))
        self.assertContains(response, f"?registration={self.registration.pk}")

    def test_a_director_sees_the_history_but_cannot_assess(self):
        response = login(self.p.leader).get(
            en_url(
                "registrations:registration_detail",
                kwargs={"pk": self.registration.pk},
            )
        )
        self.assertContains(response, history_url("area", self.registration.area_id))
        self.assertNotContains(response, f"?registration={self.registration.pk}")

"""The home page on today's date: the phase and year of the plan, the quotas of
that year, a "Đăng ký đơn vị" button for those who register, and a waiting
list only for those for whom something can wait."""

from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from campaign.planning.selectors.periods import current_period, phases_of
from tests.factories import Personas


class HomeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.period = current_period(phases=phases_of(cls.p.programme))

    def home(self, user):
        self.client.force_login(user)
        return self.client.get(reverse("home"))

    def test_the_phase_and_year_of_today_and_their_quotas(self):
        response = self.home(self.p.leader)
        phase = self.period.phase
        self.assertContains(
            response,
            f"Giai đoạn {phase.start_year}–{phase.end_year}, năm {self.period.year}",
        )
        self.assertEqual(response.context["quotas"].year, self.period.year)

    def test_a_local_officer_gets_the_register_button(self):
        response = self.home(self.p.officer_ward)
        self.assertContains(
            response,
            f'href="{reverse("registrations:registration_create")}">Đăng ký đơn vị</a>',
        )
        self.assertContains(response, "Chờ tôi xử lý")

    def test_a_director_has_no_empty_waiting_card_and_no_register_button(self):
        response = self.home(self.p.leader)
        self.assertNotContains(response, "Chờ tôi xử lý")
        self.assertNotContains(response, "Đăng ký đơn vị</a>")

    def test_provincial_staff_have_their_waiting_list(self):
        self.assertContains(self.home(self.p.staff), "Chờ tôi xử lý")

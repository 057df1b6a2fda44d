"""The main menu shows each person the sections they may use, and marks the
section of the page they are on for screen readers (``aria-current``)."""

from __future__ import annotations

import re

from django.test import TestCase
from django.urls import reverse

from tests.factories import Personas


def _menu(response) -> list[tuple[str, bool]]:
    """(label, current) of each entry of the main menu."""
    html = response.content.decode()
    menu = re.search(r'<ul class="navbar-nav me-auto">(.*?)</ul>', html, re.S).group(1)
    return [
        (label, bool(current))
        for current, label in re.findall(
            r'<a class="nav-link" href="[^"]+"( aria-current="page")?>([^<]+)</a>', menu
        )
    ]


class SiteNavTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def menu_of(self, user, url):
        self.client.force_login(user)
        return _menu(self.client.get(url))

    def test_provincial_staff_see_accounts_and_the_audit_log(self):
        labels = [label for label, _ in self.menu_of(self.p.staff, reverse("home"))]
        self.assertIn("Tài khoản", labels)
        self.assertIn("Nhật ký", labels)
        self.assertEqual(labels[0], "Trang chủ")

    def test_a_local_officer_sees_neither_accounts_nor_the_audit_log(self):
        labels = [
            label for label, _ in self.menu_of(self.p.officer_commune, reverse("home"))
        ]
        self.assertNotIn("Tài khoản", labels)
        self.assertNotIn("Nhật ký", labels)
        self.assertIn("Đăng ký điển hình", labels)

    def test_the_section_of_the_page_is_marked_current(self):
        for url, section in (
            (reverse("home"), "Trang chủ"),
            (reverse("registrations:registration_list"), "Đăng ký điển hình"),
            (reverse("assessments:progress"), "Tiến độ và thi đua, khen thưởng"),
            (reverse("reporting:report_list"), "Báo cáo"),
            (reverse("reporting:dashboard"), "Tổng quan"),
        ):
            with self.subTest(url=url):
                menu = self.menu_of(self.p.staff, url)
                self.assertEqual(
                    [label for label, current in menu if current], [section]
                )

    def test_the_menu_is_in_english_on_english_pages(self):
        labels = [label for label, _ in self.menu_of(self.p.staff, "/en/")]
        self.assertEqual(labels[:2], ["Home", "Dashboard"])

"""``QuickSelect`` writes what Django's ``Select`` writes (whitespace between
the tags aside): every option, the chosen one marked (only the first of two
equal values, as Django does), groups, attributes, labels escaped and
translated, in Vietnamese and in English."""

from __future__ import annotations

import re

from django import forms
from django.test import SimpleTestCase
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from campaign.planning.choices import UnitKind
from campaign.registrations.choices import RegistrationStatus
from campaign.registrations.forms.registration_list import QuickSelect

FLAT = [("", _("All statuses")), *RegistrationStatus.choices]
KINDS = [("", _("All kinds")), *UnitKind.choices]
YEARS = [("", _("All years")), *((year, year) for year in range(2030, 2022, -1))]
AWKWARD = [
    (None, "— none —"),
    ("a&b", '<b>bold</b> & "quoted"'),
    ("1", "one"),
    (1, "one again"),
]
GROUPED = [
    ("", "---------"),
    ("Xã", [("1", "Mỹ Bình"), ("2", "Long Xuyên <cũ>")]),
    ("Phường", [("3", "Bình Đức")]),
    ("4", "Ungrouped"),
]


def _squeezed(html: str) -> str:
    html = re.sub(r">\s+", ">", str(html))
    return re.sub(r"\s+<", "<", html).strip()


class QuickSelectTests(SimpleTestCase):
    def _assert_same(self, choices, value, attrs=None):
        ours = QuickSelect(attrs={"class": "form-select"}, choices=choices)
        django = forms.Select(attrs={"class": "form-select"}, choices=choices)
        self.assertEqual(
            _squeezed(ours.render("field", value, attrs)),
            _squeezed(django.render("field", value, attrs)),
        )

    def test_writes_what_djangos_select_writes(self):
        cases = [
            (FLAT, None),
            (FLAT, ""),
            (FLAT, RegistrationStatus.APPROVED),
            (FLAT, "no-such-status"),
            (KINDS, UnitKind.values[0]),
            (YEARS, 2026),
            (YEARS, "2026"),
            (AWKWARD, None),
            (AWKWARD, "a&b"),
            (AWKWARD, 1),
            (GROUPED, "2"),
            (GROUPED, "4"),
            (GROUPED, ""),
        ]
        for language in ("vi", "en"):
            with translation.override(language):
                for choices, value in cases:
                    with self.subTest(language=language, value=value):
                        self._assert_same(
                            choices,
                            value,
                            {"id": "id_field", "aria-describedby": "id_field_helptext"},
                        )

    def test_only_the_first_of_two_equal_values_is_selected(self):
        html = QuickSelect(choices=AWKWARD).render("field", "1")
        self.assertEqual(html.count(" selected"), 1)
        self.assertIn('<option value="1" selected>one</option>', html)

    def test_labels_and_values_are_escaped(self):
        html = QuickSelect(choices=AWKWARD).render("field", None)
        self.assertIn(
            '<option value="a&amp;b">&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;</option>',
            html,
        )
        self.assertNotIn("<b>", html)

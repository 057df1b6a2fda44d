"""``quick_field`` writes a filter form's field as crispy forms does: the same
markup (whitespace aside) for text, date, select and combobox fields, bound or
not, in Vietnamese and English; fields it does not write go to crispy."""

from __future__ import annotations

import re

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django.test import TestCase
from django.utils import translation

from campaign.assessments.forms.assessments import AssessmentFilterForm
from campaign.registrations.forms.registration_list import RegistrationFilterForm
from tests.factories import load_areas, provincial_staff
from units.forms import AreaFilterForm
from units.templatetags.quick_fields import quick_field


def _squeezed(html: str) -> str:
    """Markup with the whitespace between and inside tags folded away."""
    html = re.sub(r">\s+", ">", str(html))
    html = re.sub(r"\s+<", "<", html)
    return re.sub(r"\s+", " ", html).strip()


class QuickFieldTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_areas()
        cls.staff = provincial_staff()

    def assertSameAsCrispy(self, form):
        for field in form:
            with self.subTest(form=type(form).__name__, field=field.name):
                self.assertEqual(
                    _squeezed(quick_field(field)), _squeezed(as_crispy_field(field))
                )

    def test_filter_forms_are_written_as_crispy_writes_them(self):
        for language in ("vi", "en"):
            with translation.override(language):
                self.assertSameAsCrispy(AreaFilterForm())
                self.assertSameAsCrispy(
                    AreaFilterForm(
                        {"q": "my <b>xuyen", "kind": "ward", "as_of": "2025-07-02"}
                    )
                )
                self.assertSameAsCrispy(AssessmentFilterForm(years=[2026, 2025]))
                self.assertSameAsCrispy(
                    AssessmentFilterForm(
                        {"q": '"x"', "year": "2026"}, years=[2026, 2025]
                    )
                )
                self.assertSameAsCrispy(RegistrationFilterForm(user=self.staff))
                self.assertSameAsCrispy(
                    RegistrationFilterForm(
                        {"q": "a&b", "status": "approved"}, user=self.staff
                    )
                )

    def test_a_field_with_errors_is_left_to_crispy(self):
        form = AreaFilterForm({"kind": "no-such-kind"})
        self.assertFalse(form.is_valid())
        self.assertEqual(
            str(quick_field(form["kind"])), str(as_crispy_field(form["kind"]))
        )
        self.assertIn('aria-invalid="true"', str(quick_field(form["kind"])))

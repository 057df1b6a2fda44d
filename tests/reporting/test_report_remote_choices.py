"""The committee pickers of the report forms — the phase report's scope and
the report texts' committee — as searchable lists: every committee the user
may report on when the list is short, only the chosen one and the scope
search endpoint when it is long; a committee outside the user's scope
refused either way, with as many queries whatever the number of committees."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from campaign.committees.models import SteeringCommittee
from reporting.forms import ReportTextsChoiceForm
from reporting.kinds.phase_progress import PhaseProgressForm
from reporting.selectors import phase_choices, report_scope_committees
from tests.committees.test_locality_search import fresh
from tests.factories import Personas
from tests.reporting.test_dashboard_remote_choices import (
    add_committees,
    option_values,
)

SEARCH_URL = reverse("reporting:scope_search")


def phase_progress_form(user, scope) -> PhaseProgressForm:
    phase = phase_choices()[-1]
    as_of = min(timezone.localdate(), datetime.date(phase.end_year, 12, 31))
    return PhaseProgressForm(
        {"phase": phase.key, "as_of": as_of.isoformat(), "scope": str(scope)},
        user=user,
    )


def texts_form(user, scope) -> ReportTextsChoiceForm:
    return ReportTextsChoiceForm(
        {"phase": phase_choices()[-1].key, "committee": str(scope)}, user=user
    )


FORMS = (("scope", phase_progress_form), ("committee", texts_form))


class ReportCommitteePickerTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def test_a_short_list_is_written_whole_in_the_lists_order(self):
        listed = [
            str(pk)
            for pk in report_scope_committees(user=self.p.staff).values_list(
                "pk", flat=True
            )
        ]
        for name, build in FORMS:
            with self.subTest(form=name):
                form = build(self.p.staff, self.p.committee_commune.pk)
                self.assertTrue(form.is_valid(), form.errors)
                html = str(form[name])
                self.assertEqual(option_values(html, name), ["", *listed])
                self.assertNotIn("data-combobox-url", html)
                self.assertIn(f'value="{self.p.committee_commune.pk}" selected', html)

    @override_settings(COMBOBOX_REMOTE_THRESHOLD=5)
    def test_a_long_list_holds_only_the_chosen_committee_and_a_search_url(self):
        chosen = self.p.committee_commune
        for name, build in FORMS:
            with self.subTest(form=name):
                form = build(self.p.staff, chosen.pk)
                self.assertTrue(form.is_valid(), form.errors)
                self.assertEqual(form.cleaned_data[name], chosen)
                html = str(form[name])
                self.assertEqual(option_values(html, name), ["", str(chosen.pk)])
                self.assertIn(f'data-combobox-url="{SEARCH_URL}"', html)
                self.assertIn(f"{chosen.short_name} (", html)

    def test_a_local_officer_must_choose_and_gets_no_whole_province_option(self):
        form = phase_progress_form(self.p.officer_a, "")
        self.assertFalse(form.is_valid())
        self.assertIn("scope", form.errors)
        self.assertNotIn("", option_values(str(form["scope"]), "scope"))

    def test_another_localitys_committee_is_refused(self):
        outside = (self.p.committee_ward.pk, self.p.province.pk, 99999999, "abc")
        for threshold in (1, 1000):
            for name, build in FORMS:
                for value in outside:
                    with (
                        self.subTest(threshold=threshold, form=name, value=value),
                        self.settings(COMBOBOX_REMOTE_THRESHOLD=threshold),
                    ):
                        form = build(self.p.officer_commune, value)
                        self.assertFalse(form.is_valid())
                        self.assertIn(name, form.errors)

    def test_a_committee_of_the_scope_is_cleaned_to_the_committee(self):
        for threshold in (1, 1000):
            for name, build in FORMS:
                with (
                    self.subTest(threshold=threshold, form=name),
                    self.settings(COMBOBOX_REMOTE_THRESHOLD=threshold),
                ):
                    form = build(self.p.officer_a, self.p.committee_a.pk)
                    self.assertTrue(form.is_valid(), form.errors)
                    committee = form.cleaned_data[name]
                    self.assertIsInstance(committee, SteeringCommittee)
                    self.assertEqual(committee.pk, self.p.committee_a.pk)

    def queries_to_build_clean_and_render(self, build, name, user, chosen) -> int:
        with CaptureQueriesContext(connection) as queries:
            form = build(user, chosen.pk)
            self.assertTrue(form.is_valid(), form.errors)
            html = str(form[name])
        self.assertIn(f'value="{chosen.pk}" selected', html)
        return len(queries)

    @override_settings(COMBOBOX_REMOTE_THRESHOLD=1)
    def test_the_forms_run_as_many_queries_with_thousands_of_committees(self):
        add_committees(2, parent=self.p.committee_a, prefix="b")
        cases = [
            (build, name, user, chosen)
            for name, build in FORMS
            for user, chosen in (
                (self.p.staff, self.p.committee_commune),
                (self.p.officer_a, self.p.committee_a),
            )
        ]

        def counts() -> list[int]:
            return [
                self.queries_to_build_clean_and_render(b, n, fresh(u), c)
                for b, n, u, c in cases
            ]

        before = counts()
        add_committees(1200, parent=self.p.province, prefix="p")
        add_committees(60, parent=self.p.committee_a, prefix="a")
        self.assertEqual(counts(), before)

    @override_settings(COMBOBOX_REMOTE_THRESHOLD=5)
    def test_the_report_pages_hold_only_the_chosen_committee(self):
        chosen = self.p.committee_commune
        self.client.force_login(self.p.staff)
        html = self.client.get(
            reverse("reporting:report_list"), {"scope": chosen.pk}
        ).content.decode()
        self.assertEqual(
            option_values(html, "phase_progress-scope"), ["", str(chosen.pk)]
        )
        response = self.client.get(
            reverse("reporting:report_texts"),
            {"phase": phase_choices()[-1].key, "committee": chosen.pk},
        )
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertEqual(option_values(html, "committee"), ["", str(chosen.pk)])

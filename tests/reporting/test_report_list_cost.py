"""The report centre writes its request forms field by field (``quick_field``
and a check box of its own) instead of ``{{ form|crispy }}``, for the page's
CPU (issue 11): the markup must stay crispy's — labels, ids, help texts and
their ``aria-describedby``, errors — whitespace aside, in Vietnamese and
English, unbound, bound with errors and with a non-field error. The page's
queries do not grow with the number of committees."""

from __future__ import annotations

import re
from unittest import mock

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from reporting.kinds import all_kinds, get_kind
from reporting.scope_choices import ReportScopeChoices, period_label
from reporting.views.reports import _prefixed
from tests.committees.test_locality_search import fresh
from tests.factories import Personas
from tests.reporting.test_dashboard_remote_choices import add_committees
from tests.reporting.test_report_centre import phase_progress

REQUEST = reverse("reporting:report_request")


def _squeezed(html: str) -> str:
    """Markup with the whitespace between and inside tags folded away."""
    html = re.sub(r">\s+", ">", str(html))
    html = re.sub(r"\s+<", "<", html)
    return re.sub(r"\s+", " ", html).strip()


def form_fields_html(page: str, key: str) -> str:
    """What the page writes between a kind's hidden ``kind`` and its button."""
    found = re.search(
        rf'<input type="hidden" name="kind" value="{key}">(.*?)'
        r'<button type="submit" class="btn btn-primary">',
        page,
        re.S,
    )
    assert found, key
    return found.group(1)


class ReportFormsMarkupTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def assertWrittenAsCrispy(self, page: str, key: str, form) -> None:
        self.assertEqual(
            _squeezed(form_fields_html(page, key)), _squeezed(as_crispy_form(form))
        )

    def test_unbound_forms_are_written_as_crispy_writes_them(self):
        for user in (self.p.staff, self.p.officer_commune):
            for language, prefix in (("vi", ""), ("en", "/en")):
                with self.subTest(user=user.username, language=language):
                    self.client.force_login(user)
                    page = self.client.get(f"{prefix}/reports/").content.decode()
                    with translation.override(language):
                        for spec in all_kinds():
                            form = spec.form(user=fresh(user), prefix=spec.key)
                            self.assertWrittenAsCrispy(page, spec.key, form)

    def test_a_form_sent_back_with_errors_is_written_as_crispy_writes_it(self):
        data = phase_progress(as_of="2999-01-01", archival="on", language="xx")
        for language, prefix in (("vi", ""), ("en", "/en")):
            with self.subTest(language=language):
                self.client.force_login(self.p.staff)
                response = self.client.post(f"{prefix}{REQUEST}", data)
                self.assertEqual(response.status_code, 400)
                page = response.content.decode()
                self.assertIn('aria-invalid="true"', page)
                with translation.override(language):
                    spec = get_kind("phase_progress")
                    form = spec.form(
                        user=fresh(self.p.staff),
                        data=_prefixed(
                            response.wsgi_request.POST, spec.key, strip=False
                        ),
                        prefix=spec.key,
                    )
                    self.assertFalse(form.is_valid())
                    self.assertWrittenAsCrispy(page, spec.key, form)
                    self.assertIn(" checked", form_fields_html(page, spec.key))

    def test_a_non_field_error_is_written_as_crispy_writes_it(self):
        refusal = ValidationError("Refused for a reason of the service.")
        self.client.force_login(self.p.staff)
        with mock.patch("reporting.services.report_request", side_effect=refusal):
            response = self.client.post(REQUEST, phase_progress())
        self.assertEqual(response.status_code, 400)
        page = response.content.decode()
        fields = form_fields_html(page, "phase_progress")
        self.assertIn("alert alert-block alert-danger", fields)
        self.assertIn("Refused for a reason of the service.", fields)
        spec = get_kind("phase_progress")
        form = spec.form(
            user=fresh(self.p.staff),
            data=_prefixed(response.wsgi_request.POST, spec.key, strip=False),
            prefix=spec.key,
        )
        self.assertTrue(form.is_valid(), form.errors)
        form.add_error(None, refusal)
        self.assertWrittenAsCrispy(page, spec.key, form)


class ScopeLabelsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    def test_the_options_are_named_as_period_label_names_them(self):
        source = ReportScopeChoices(user=self.p.staff)
        rows = list(
            source.committees().values_list(
                "pk", "short_name", "valid_from", "valid_to"
            )
        )
        self.assertTrue(any(end is None for *_, end in rows))
        self.assertTrue(any(end is not None for *_, end in rows))
        for language in ("vi", "en"):
            with self.subTest(language=language), translation.override(language):
                self.assertEqual(
                    source.options(limit=len(rows) + 1),
                    [(str(pk), period_label(n, s, e), "") for pk, n, s, e in rows],
                )


class ReportListQueriesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()

    @override_settings(COMBOBOX_REMOTE_THRESHOLD=5)
    def test_the_page_runs_as_many_queries_with_thousands_of_committees(self):
        def count(user) -> int:
            self.client.force_login(user)
            self.client.get(reverse("reporting:report_list"))
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(reverse("reporting:report_list"))
            self.assertEqual(response.status_code, 200)
            return len(queries)

        users = (self.p.staff, self.p.officer_a)
        before = [count(user) for user in users]
        add_committees(300, parent=self.p.province, prefix="p")
        add_committees(60, parent=self.p.committee_a, prefix="a")
        self.assertEqual([count(user) for user in users], before)

"""The report centre's table (written in Python, ``{% report_rows %}``): each
job's row names it, links it, shows its status as a badge and offers what may
be done with it, with hidden text that names the report for a screen reader."""

from __future__ import annotations

import datetime
import re

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from campaign.committees.templatetags.people import vn_name
from reporting.choices import ReportStatus
from tests.factories import Personas
from tests.reporting.factories import ReportJobFactory
from tests.reporting.test_views import done_job, en, failed_job


def _row_of(html: str, job) -> str:
    """The table row that links to ``job``'s page."""
    rows = re.findall(r"<tr>.*?</tr>", html, flags=re.S)
    found = [row for row in rows if job.get_absolute_url() in row]
    assert len(found) == 1, f"{len(found)} rows for job {job.pk}"
    return found[0]


class ReportRowsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.done = done_job(cls.p.staff)
        cls.failed = failed_job(cls.p.staff)
        cls.stalled = ReportJobFactory(
            requested_by=cls.p.staff,
            status=ReportStatus.RUNNING,
            lease_until=timezone.now() - datetime.timedelta(minutes=5),
        )
        cls.pending = ReportJobFactory(
            requested_by=cls.p.staff,
            scope_committee=cls.p.committee_a,
            params={"as_of": "2026-06-30", "language": "vi", "phase": "2026-2030"},
        )

    def page(self, **params) -> str:
        self.client.force_login(self.p.staff)
        response = self.client.get(en(reverse("reporting:report_list")), params)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_a_ready_report_is_linked_with_its_download_and_delete(self):
        row = _row_of(self.page(), self.done)
        self.assertIn('<span class="badge text-bg-success">Ready</span>', row)
        download = reverse("reporting:report_download", args=[self.done.public_id])
        self.assertIn(
            f'href="{download}">Download PDF<span class="visually-hidden">: ', row
        )
        delete = reverse("reporting:report_delete", args=[self.done.public_id])
        self.assertIn(f'href="{delete}">Delete<span', row)
        self.assertIn('<td class="d-none d-sm-table-cell">30/06/2023</td>', row)
        self.assertIn('<td class="d-none d-md-table-cell">Whole province</td>', row)
        created = timezone.localtime(self.done.created_at)
        self.assertIn(
            '<td class="d-none d-lg-table-cell">'
            f'<time datetime="{created.isoformat()}">{created:%d/%m/%Y %H:%M}</time>',
            row,
        )

    def test_each_status_has_its_badge(self):
        html = self.page()
        self.assertIn(
            '<span class="badge text-bg-danger">Failed</span>',
            _row_of(html, self.failed),
        )
        self.assertIn(
            '<span class="badge text-bg-warning">Interrupted</span>',
            _row_of(html, self.stalled),
        )
        pending = _row_of(html, self.pending)
        self.assertIn('<span class="badge text-bg-secondary">Waiting</span>', pending)
        # Unfinished: neither downloaded nor deleted yet.
        self.assertNotIn("Download PDF", pending)
        self.assertNotIn(">Delete<", pending)
        self.assertIn(
            f'<td class="d-none d-md-table-cell">{self.p.committee_a.short_name}</td>',
            pending,
        )
        self.assertIn("2026–2030", pending)

    def test_the_provinces_list_names_who_asked(self):
        asked = f'<td class="d-none d-lg-table-cell">{vn_name(self.p.staff)}</td>'
        self.assertIn(asked, _row_of(self.page(who="all"), self.done))
        self.assertNotIn(asked, _row_of(self.page(), self.done))

    def test_each_cell_hides_on_a_phone_as_its_column_head_does(self):
        html = self.page(who="all")
        head = re.search(r"<thead>.*?</thead>", html, flags=re.S).group(0)
        heads = re.findall(r'<th scope="col"(?: class="([^"]*)")?>', head)
        cells = re.findall(
            r'<t[hd](?: scope="row")?(?: class="([^"]*)")?>', _row_of(html, self.done)
        )
        # The cells' own classes (the report's weight, the links' alignment)
        # are not about width: only the hiding ones must match.
        shown = [c if "d-none" in c else "" for c in cells]
        self.assertEqual(heads, shown)

    def test_a_reports_page_shows_the_same_badge(self):
        self.client.force_login(self.p.staff)
        response = self.client.get(en(self.stalled.get_absolute_url()))
        self.assertContains(
            response, '<span class="badge text-bg-warning">Interrupted</span>'
        )

"""The registration list's XLSX export, streamed: the same workbook as
openpyxl built from the same rows, scoped to the user, and a number of queries
that does not grow with the registrations."""

from __future__ import annotations

import io

from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from campaign import exports
from campaign.planning.choices import UnitKind
from campaign.registrations.choices import RegistrationStatus
from campaign.registrations.selectors import registration_list as selectors
from campaign.registrations.selectors.registrations import registration_list_for_user
from campaign.registrations.views.registration_list import (
    XLSX_COLUMN_WIDTHS,
    _export_header,
)
from tests.campaign.test_exports_xlsx_streaming import described, openpyxl_workbook
from tests.factories import Personas
from tests.registrations.test_registration_list import (
    ListTestCase,
    Registry,
    export_url,
)

S = RegistrationStatus


class StreamedRegistrationExportTests(ListTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.r = Registry(cls.p)
        cls.schools = cls.r.organisations(60)

    def add(self, count: int, start: int = 0) -> None:
        statuses = list(S)
        for i, school in enumerate(self.schools[start : start + count]):
            self.r.register(
                self.p.committee_a if i % 3 else self.p.committee_b,
                school.name,
                organisation=school,
                unit_kind=UnitKind.SCHOOL,
                status=statuses[i % len(statuses)],
                contact_name="=cmd| ' /C calc'!A0" if i == 4 else "Lê Thị Hồng",
            )

    def export(self, user, **params) -> tuple[StreamingHttpResponse, bytes, int]:
        self.client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(export_url("xlsx"), params)
            body = b"".join(response.streaming_content)
        return response, body, len(captured)

    def test_the_export_is_streamed_and_is_the_workbook_openpyxl_built(self):
        self.add(12)
        response, body, _queries = self.export(self.p.staff)
        self.assertIsInstance(response, StreamingHttpResponse)
        with translation.override("vi"):
            title = exports._sheet_title(gettext("Registrations"), set())
            header = _export_header()
            rows = list(
                selectors.registration_export_rows(
                    registration_list_for_user(user=self.p.staff)
                )
            )
        self.assertEqual(len(rows), 12)
        expected = openpyxl_workbook(title, header, rows, XLSX_COLUMN_WIDTHS)
        self.assertEqual(described(body), described(expected))

    def test_a_local_officer_exports_only_their_committees_registrations(self):
        self.add(12)
        _response, body, _queries = self.export(self.p.officer_a)
        sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
        committees = {row[5] for row in sheet.iter_rows(min_row=2, values_only=True)}
        self.assertEqual(committees, {self.p.committee_a.short_name})

    def test_the_export_runs_the_same_queries_for_5_and_60_registrations(self):
        self.add(5)
        few = self.export(self.p.staff)[2], self.export(self.p.staff, q="tieu hoc")[2]
        self.add(55, start=5)
        many = self.export(self.p.staff)[2], self.export(self.p.staff, q="tieu hoc")[2]
        self.assertEqual(many, few)
        body = self.export(self.p.staff)[1]
        self.assertEqual(len(described(body)["cells"]), 61)

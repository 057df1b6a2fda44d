"""The phase progress report: its figures (read back from the PDF's text), its
reproducibility, its scope, and what it does with hostile names."""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone
from pypdf import PdfReader

from campaign.committees.access import SYSTEM
from campaign.registrations.choices import RegistrationStatus
from campaign.registrations.models import Registration, RegistrationTransition
from reporting import pdf as pdf_module
from reporting.kinds import get_kind
from reporting.phase_data import phase_report_data
from reporting.services import report_build_pdf
from tests.assessments import builders
from tests.factories import Personas


def text_of(pdf: bytes) -> str:
    """The PDF's text, NFC, every run of white space one space."""
    reader = PdfReader(io.BytesIO(pdf))
    text = unicodedata.normalize(
        "NFC", " ".join(p.extract_text() for p in reader.pages)
    )
    return re.sub(r"\s+", " ", text)


def backdate(registration: Registration, day: datetime.date) -> None:
    """Made (and every workflow step taken) on ``day``."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    Registration.objects.filter(pk=registration.pk).update(created_at=moment)
    RegistrationTransition.objects.filter(registration=registration).update(at=moment)


def build(by, **data) -> bytes:
    data.setdefault("language", "vi")
    pdf, _params = report_build_pdf(kind="phase_progress", data=data, by=by)
    return pdf


@override_settings(DEBUG=True, DEMO_PASSWORD="demo-password-138")
class DemoPhaseReportTests(TestCase):
    """The demo's reports carry the figures the demo was built with."""

    @classmethod
    def setUpTestData(cls):
        call_command("seed_demo", stdout=io.StringIO())
        cls.report_2023 = text_of(build(SYSTEM, phase="2023-2025", as_of="2025-12-31"))

    def test_the_2023_quota_table_reads_6_2_2_3_1_2(self):
        text = self.report_2023
        for label, quota in (
            ("Xã", 6),
            ("Phường", 2),
            ("Thị trấn", 2),
            ("Cơ quan", 3),
            ("Doanh nghiệp", 1),
            ("Cơ sở giáo dục", 2),
        ):
            # Quota, then as many registered as the quota (the demo's 16).
            self.assertRegex(text, rf"\d {label} {quota} {quota} ")
        self.assertIn("Cộng 16 16", text)

    def test_each_city_has_its_ward_count_share_and_requirement(self):
        # 2025 is counted on 30/06/2025, the last day of the cities and towns.
        section = self.report_2023.split("Năm 2025 (tính đến 30/06/2025)")[1]
        for city, wards, required, achieved, share, verdict in (
            ("Thành phố Châu Đốc", 5, 2, 2, "40 %", "Đạt"),
            ("Thành phố Long Xuyên", 10, 3, 4, "40 %", "Đạt"),
            ("Thị xã Tân Châu", 5, 2, 1, "20 %", "Chưa đạt"),
            ("Thị xã Tịnh Biên", 7, 3, 3, "42,9 %", "Đạt"),
        ):
            self.assertIn(
                f"{city} {wards} {required} {achieved} {share} {verdict}", section
            )

    def test_long_lists_stop_at_the_limit_and_say_how_many_there_are(self):
        with mock.patch("reporting.phase_data.LIST_LIMIT", 3):
            text = text_of(build(SYSTEM, phase="2023-2025", as_of="2025-12-31"))
        self.assertIn("gồm 3/16 lượt đăng ký", text)
        self.assertRegex(text, r"gồm 3/\d+ quyết định công nhận")
        self.assertIn("gồm 3/5 quyết định khen thưởng", text)
        self.assertNotIn("giao ước; danh sách đầy đủ", text)  # one pledge only

    def test_the_header_and_signature_follow_decree_30(self):
        text = self.report_2023
        self.assertTrue(text.startswith("UBND TỈNH AN GIANG BAN CHỈ ĐẠO 138"))
        self.assertRegex(text, r"Số: /BC-BCĐ An Giang, ngày \d\d tháng \d+ năm \d{4}")
        for heading in (
            "I. ĐẶC ĐIỂM TÌNH HÌNH",
            "II. KẾT QUẢ THỰC HIỆN",
            "III. ĐÁNH GIÁ CHUNG",
            "IV. PHƯƠNG HƯỚNG",
            "V. ĐỀ XUẤT, KIẾN NGHỊ",
        ):
            self.assertIn(heading, text)
        recipients = text.split("Nơi nhận:")[1]
        self.assertIn("Lưu: VT.", recipients)
        # The issuer does not send the report to itself.
        self.assertNotIn("- Ban Chỉ đạo 138 tỉnh (để báo cáo)", recipients)

    def test_the_current_phase_report_is_about_the_post_reform_wards(self):
        today = timezone.localdate()
        if not 2026 <= today.year <= 2030:
            pytest.skip("the clock is outside 2026–2030")
        text = text_of(build(SYSTEM, phase="2026-2030", as_of=today.isoformat()))
        self.assertIn("giai đoạn 2026–2030", text)
        self.assertIn("sau ngày 01/7/2025", text)
        # The new An Giang's 14 wards, each year of the phase so far.
        self.assertRegex(text, rf"{today.year}\* 14 \d+")

    def test_the_pdf_carries_its_title_and_language_in_the_metadata(self):
        pdf, _params = report_build_pdf(
            kind="phase_progress",
            data={"phase": "2023-2025", "as_of": "2025-12-31", "archival": "on"},
            by=SYSTEM,
        )
        reader = PdfReader(io.BytesIO(pdf))
        info = reader.metadata
        self.assertTrue(info.title.startswith("Báo cáo Kết quả xây dựng"))
        self.assertIn("2023–2025", info.title)
        self.assertEqual(info.author, "Ban Chỉ đạo 138 tỉnh An Giang")
        self.assertTrue(info.subject)
        xmp = reader.xmp_metadata
        self.assertIsNotNone(xmp, "PDF/A needs XMP metadata")
        self.assertIn(b"pdfaid", reader.trailer["/Root"]["/Metadata"].get_data())
        self.assertEqual(reader.trailer["/Root"].get("/Lang"), "vi")


class ReproducibleReportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.people = Personas()

    def test_same_parameters_give_the_same_text(self):
        backdate(
            builders.registration(self.people, area_key="ag89-883-30307"),
            datetime.date(2023, 3, 1),
        )
        first = text_of(build(self.people.staff, phase="2023-2025", as_of="2025-12-31"))
        second = text_of(
            build(self.people.staff, phase="2023-2025", as_of="2025-12-31")
        )
        self.assertEqual(first, second)

    def test_a_report_of_a_past_day_ignores_later_changes(self):
        made = builders.registration(
            self.people, area_key="ag89-883-30307", status=RegistrationStatus.SUBMITTED
        )
        RegistrationTransition.objects.create(
            registration=made,
            from_status="",
            to_status=RegistrationStatus.SUBMITTED,
            actor=self.people.officer_a,
        )
        backdate(made, datetime.date(2023, 3, 1))
        before = text_of(
            build(self.people.staff, phase="2023-2025", as_of="2023-06-30")
        )
        self.assertIn("Cộng 16 1 0 0 0", before)

        # Later: approved, assessed, recognised, and a second unit registered.
        Registration.objects.filter(pk=made.pk).update(
            status=RegistrationStatus.APPROVED
        )
        RegistrationTransition.objects.create(
            registration=made,
            from_status=RegistrationStatus.SUBMITTED,
            to_status=RegistrationStatus.APPROVED,
            actor=self.people.staff,
        )
        accepted = builders.assessment(
            by=self.people.staff, year=2023, registration=made
        )
        builders.recognise(accepted, by=self.people.staff)
        builders.registration(self.people, area_key="ag89-884-30325")

        again = text_of(build(self.people.staff, phase="2023-2025", as_of="2023-06-30"))
        self.assertEqual(before, again)
        today = text_of(
            build(
                self.people.staff,
                phase="2023-2025",
                as_of=min(
                    timezone.localdate(), datetime.date(2025, 12, 31)
                ).isoformat(),
            )
        )
        self.assertNotEqual(before, today)

    def test_the_job_parameters_fix_the_issue_date_and_texts(self):
        params = get_kind("phase_progress").clean(
            data={"phase": "2023-2025", "as_of": "2024-12-31", "language": "vi"},
            user=self.people.staff,
        )
        self.assertEqual(params["issued_on"], timezone.localdate().isoformat())
        self.assertEqual(params["scope"], None)
        self.assertIn("texts", params)


class ScopedReportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.people = Personas()
        cls.mine = builders.registration(cls.people, area_key="ag89-883-30307")
        cls.theirs = builders.registration(cls.people, area_key="ag89-884-30325")
        backdate(cls.mine, datetime.date(2023, 3, 1))
        backdate(cls.theirs, datetime.date(2023, 3, 1))
        Registration.objects.filter(pk=cls.theirs.pk).update(
            unit_name="Đơn vị riêng của Châu Đốc"
        )
        builders.assessment(
            by=cls.people.staff, year=2024, ward=builders.ward_police("ag89-884-30325")
        )

    def test_a_committee_report_requested_by_its_officer_holds_nothing_of_another_locality(
        self,
    ):
        text = text_of(
            build(
                self.people.officer_a,
                phase="2023-2025",
                as_of="2025-06-30",
                scope=str(self.people.committee_a.pk),
            )
        )
        self.assertIn(self.mine.unit_name, text)
        self.assertIn("Long Xuyên", text)
        self.assertNotIn("Châu Đốc", text)
        self.assertNotIn("Tân Châu", text)
        self.assertNotIn("Tịnh Biên", text)

    def test_an_officer_cannot_ask_for_another_locality(self):
        with self.assertRaises(ValidationError) as raised:
            build(
                self.people.officer_a,
                phase="2023-2025",
                as_of="2025-06-30",
                scope=str(self.people.committee_b.pk),
            )
        self.assertIn("scope", raised.exception.message_dict)

    def test_an_officer_cannot_ask_for_the_whole_province(self):
        with self.assertRaises(ValidationError) as raised:
            build(self.people.officer_a, phase="2023-2025", as_of="2025-06-30")
        self.assertIn("scope", raised.exception.message_dict)

    def test_the_data_reads_only_the_committee_scope(self):
        data = phase_report_data(
            user=self.people.officer_a,
            phase_key="2023-2025",
            as_of=datetime.date(2025, 6, 30),
            committee_id=self.people.committee_a.pk,
        )
        self.assertEqual({u.name for u in data.units}, {self.mine.unit_name})
        self.assertEqual(
            {r.grouping for r in data.ward_share}, {"Thành phố Long Xuyên"}
        )


class OtherProvincesTests(TestCase):
    """One database may hold other provinces (issue 11): the province's report
    counts its own."""

    @classmethod
    def setUpTestData(cls):
        from campaign.committees.models import SteeringCommittee
        from units.models import Area

        cls.people = Personas()
        mine = builders.registration(cls.people, area_key="ag89-883-30307")
        backdate(mine, datetime.date(2023, 3, 1))
        hanoi = Area.objects.create(
            key="hn01", code="01", name="Hà Nội", kind="province", search_name="ha noi"
        )
        ward = Area.objects.create(
            key="hn01-00004",
            code="00004",
            name="Ba Đình",
            kind="ward",
            parent=hanoi,
            search_name="ba dinh",
        )
        committee = SteeringCommittee.objects.create(
            level="province",
            area=hanoi,
            name="Ban Chỉ đạo 138 thành phố Hà Nội",
            short_name="BCĐ 138 Hà Nội",
            valid_from=datetime.date(2023, 1, 1),
        )
        theirs = builders.registration(cls.people, area_key="ag89-883-30310")
        Registration.objects.filter(pk=theirs.pk).update(
            committee=committee, area=ward, unit_name="Phường Ba Đình"
        )
        backdate(theirs, datetime.date(2023, 3, 1))
        cls.mine = mine

    def test_the_province_report_leaves_other_provinces_out(self):
        data = phase_report_data(
            user=self.people.staff,
            phase_key="2023-2025",
            as_of=datetime.date(2025, 6, 30),
        )
        self.assertEqual({u.name for u in data.units}, {self.mine.unit_name})
        self.assertEqual(data.registered_total, 1)


class BadParametersTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.people = Personas()

    def _errors(self, **data) -> dict:
        with self.assertRaises(ValidationError) as raised:
            build(self.people.staff, **data)
        return raised.exception.message_dict

    def test_an_as_of_date_before_the_phase_is_refused(self):
        errors = self._errors(phase="2026-2030", as_of="2025-12-31")
        self.assertIn("as_of", errors)

    def test_an_as_of_date_in_the_future_is_refused(self):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        errors = self._errors(phase="2023-2025", as_of=tomorrow.isoformat())
        self.assertIn("as_of", errors)

    def test_an_unknown_phase_is_refused(self):
        self.assertIn("phase", self._errors(phase="2019-2020", as_of="2024-01-01"))

    def test_an_unknown_kind_is_refused(self):
        with self.assertRaises(ValidationError):
            report_build_pdf(kind="no_such_kind", data={}, by=self.people.staff)


class HostileNamesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.people = Personas()
        cls.hostile = (
            '<script>alert("x")</script><img src="http://127.0.0.1:9/leak.png">'
            '<link rel="stylesheet" href="file:///etc/passwd">'
        )
        made = builders.registration(cls.people, area_key="ag89-883-30307")
        Registration.objects.filter(pk=made.pk).update(unit_name=cls.hostile)
        backdate(made, datetime.date(2023, 3, 1))

    def test_a_name_carrying_html_prints_as_text_and_nothing_is_fetched(self):
        fetched: list[str] = []
        real_fetch = pdf_module.StaticOnlyURLFetcher.fetch

        def recording_fetch(fetcher, url, headers=None):
            fetched.append(url)
            return real_fetch(fetcher, url, headers)

        with mock.patch.object(
            pdf_module.StaticOnlyURLFetcher, "fetch", recording_fetch
        ):
            text = text_of(
                build(self.people.staff, phase="2023-2025", as_of="2025-12-31")
            )
        # The whole name, as typed (line breaks in a table cell aside).
        self.assertIn(self.hostile.replace(" ", ""), text.replace(" ", ""))
        # Only the project's own stylesheet and fonts were read.
        self.assertTrue(fetched)
        for url in fetched:
            self.assertTrue(url.startswith("file://"), url)
            self.assertRegex(url, r"/static/(reporting/pdf\.css|fonts/[\w-]+\.ttf)$")

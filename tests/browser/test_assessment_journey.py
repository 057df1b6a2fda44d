"""The model ward police programme as it runs today: the officer of phường
Long Xuyên assesses his ward police for the current year — every criterion
answered, an evidence file attached — and submits it; the provincial staff
member verifies every criterion, accepts the assessment and records the
recognition; the province's progress page counts one more ward police
meeting all criteria that year."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaign.assessments.models import Assessment, Recognition
from campaign.planning.choices import ProgrammeKind
from campaign.planning.selectors.periods import (
    current_year_of_programme,
    programme_of_kind,
)
from tests.browser.helpers import blank_pdf, log_in, shot, status_of
from tests.factories import Personas
from units.models import Area, WardPolice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNIT = "Công an phường Long Xuyên"


@pytest.fixture
def cast():
    return Personas()


def achieved_on_page(page, year: int) -> int:
    """The "achieved" figure of ``year`` in the first target table of a
    grouping page (the province's, "one more each year")."""
    row = (
        page.locator("table")
        .first.locator("tr")
        .filter(has=page.locator("th", has_text=str(year)))
    )
    return int(row.locator("td").nth(3).inner_text().strip())


def test_officer_assesses_staff_verifies_and_recognises_progress_follows(
    live_server, page, browser, cast, tmp_path
):
    base = live_server.url
    year = current_year_of_programme(programme_of_kind(ProgrammeKind.MODEL_WARD_POLICE))
    ward_police = WardPolice.objects.get(area__key="ag91-30307")
    province = Area.objects.get(key="ag91")
    page.set_default_timeout(15_000)

    # 0. The province's page before: nobody meets all criteria this year.
    staff_context = browser.new_context(locale="vi-VN")
    staff = staff_context.new_page()
    staff.set_default_timeout(15_000)
    try:
        log_in(staff, base, "canbo.tinh")
        staff.goto(f"{base}/ward-police/in/{province.pk}/")
        before = achieved_on_page(staff, year)

        # 1. The officer starts this year's assessment from the unit's page.
        log_in(page, base, "phuong.longxuyen")
        page.goto(f"{base}/ward-police/{ward_police.pk}/")
        page.get_by_role("link", name=f"Bắt đầu đánh giá năm {year}").click()
        page.get_by_role("button", name="Bắt đầu đánh giá", exact=True).click()
        page.wait_for_url(re.compile(r".*/assessments/\d+/$"))
        assessment_url = page.url
        assert UNIT in page.get_by_role("heading", level=1).inner_text()
        shot(page, "assess-01-started")

        # 2. Every criterion met, with a note on the first; saved.
        radios = page.get_by_role("radio", name="Đạt", exact=True)
        count = radios.count()
        assert count == 22
        for index in range(count):
            radios.nth(index).check()
        page.get_by_role("textbox").first.fill("Đã kiện toàn lực lượng, có biên bản.")
        page.get_by_role("button", name="Lưu kết quả tự đánh giá").click()
        # The page is reloaded at the same address: wait for its message
        # (expect retries) rather than for the URL, which matches at once.
        expect(page.get_by_text("Đã lưu kết quả tự đánh giá.")).to_be_visible()
        expect(page.get_by_text("Đạt 22/22 tiêu chí", exact=True)).to_be_visible()

        # 3. An evidence file on the first criterion.
        page.locator("summary", has_text="Đính kèm tệp").first.click()
        upload = page.locator("details[open] input[type=file]")
        upload.set_input_files(blank_pdf(tmp_path / "bien-ban-kien-toan.pdf"))
        page.locator("details[open]").get_by_role("button", name="Đính kèm").click()
        page.wait_for_load_state()
        expect(page.get_by_role("link", name="bien-ban-kien-toan.pdf")).to_be_visible()
        shot(page, "assess-02-answered")

        # 4. Submitted to the province.
        page.get_by_role("button", name="Gửi lên tỉnh").click()
        page.wait_for_load_state()
        assert status_of(page) == "Đã gửi, chờ thẩm định"

        # 5. The staff member verifies every criterion, one by one.
        staff.goto(assessment_url)
        verify = staff.get_by_role("button", name=re.compile(r"^Thẩm định: đạt"))
        for _ in range(count):
            verify.first.click()
            staff.wait_for_load_state()
        assert verify.count() == 0
        shot(staff, "assess-03-verified")
        staff.get_by_role("button", name="Chấp nhận hồ sơ đánh giá").click()
        staff.wait_for_load_state()
        assert status_of(staff) == "Đã thẩm định, chấp nhận"

        # 6. …and records the recognition, dated today.
        staff.get_by_role("link", name="Nhập quyết định công nhận").click()
        staff.get_by_label("Số quyết định").fill("215/QĐ-BCA")
        staff.get_by_label("Ngày quyết định").fill(timezone.localdate().isoformat())
        staff.get_by_label("Cơ quan ban hành").fill("Bộ trưởng Bộ Công an")
        staff.get_by_role("button", name="Nhập quyết định công nhận").click()
        staff.wait_for_url(assessment_url)
        expect(staff.get_by_text("215/QĐ-BCA").first).to_be_visible()
        shot(staff, "assess-04-recognised")

        # 7. The province's page counts one more this year.
        staff.goto(f"{base}/ward-police/in/{province.pk}/")
        assert achieved_on_page(staff, year) == before + 1
        expect(staff.get_by_text("215/QĐ-BCA").first).to_be_visible()
        shot(staff, "assess-05-province")
    finally:
        staff_context.close()

    assessment = Assessment.objects.get(ward_police=ward_police, year=year)
    assert assessment.status == "accepted"
    assert assessment.committee == cast.committee_ward
    assert not assessment.answers.filter(verified_at__isnull=True).exists()
    assert assessment.answers.filter(evidence__isnull=False).count() == 1
    recognition = Recognition.objects.get(assessment=assessment)
    assert recognition.decision_number == "215/QĐ-BCA"
    assert page.console_errors == []

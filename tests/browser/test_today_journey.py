"""The campaign as it runs today, on a phone: the officer of phường Long Xuyên
registers his ward for the current year of the plan with its signed document —
after changing the year once and after one failed validation, without attaching
the file again — and submits it; the provincial staff member approves it
through the confirmation that shows that year's quota. Also: the header and the
tap targets on a 390 × 844 screen."""

from __future__ import annotations

import re

import pytest

from campaign.planning.selectors.periods import current_year_of_programme
from campaign.registrations.models import Registration
from tests.browser.helpers import blank_pdf, log_in, status_of
from tests.browser.helpers import shot as save_shot
from tests.factories import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
WARD = "Phường Long Xuyên"
PLAN = "Xây dựng mô hình “Khu phố an toàn”, camera an ninh ở các tuyến đường chính."


@pytest.fixture
def cast():
    return Personas()


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="vi-VN",
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.console_errors = errors
    page.set_default_timeout(10_000)
    yield page
    context.close()


SMALL_TARGETS = """
() => {
  // Tap targets (WCAG 2.5.8): controls at least 24 × 24 CSS pixels. Links
  // inside a sentence are exempt, as the criterion allows.
  const small = [];
  for (const el of document.querySelectorAll(
      "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=combobox]")) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!box.width || !box.height || style.visibility === "hidden") continue;
    if (el.closest("[hidden], .visually-hidden, .visually-hidden-focusable")) continue;
    // A stretched link's target is its whole card.
    if (el.classList.contains("stretched-link")) continue;
    const inline = el.tagName === "A" && el.closest("p, li, td, dd, small")
      && !el.closest("nav, .btn, .pagination") && style.display === "inline";
    if (inline) continue;
    if (box.width < 24 || box.height < 24) {
      small.push(`${el.tagName} ${el.textContent.trim().slice(0, 30)} ${box.width}x${box.height}`);
    }
  }
  return small;
}
"""


def check_phone_layout(page) -> None:
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] <= PHONE["height"] / 5, header
    small = page.evaluate(SMALL_TARGETS)
    assert small == [], small


def test_ward_officer_registers_the_ward_for_this_year_on_a_phone(
    live_server, phone, browser, cast, tmp_path
):
    base = live_server.url
    year = current_year_of_programme(cast.programme)

    # 1. Home: the officer sees the phase and year of today and the button.
    log_in(phone, base, "phuong.longxuyen")
    check_phone_layout(phone)
    shot(phone, "01-home")
    phone.get_by_role("link", name="Đăng ký đơn vị").click()
    phone.wait_for_url(f"{base}/registrations/new/")
    check_phone_layout(phone)
    year_select = phone.get_by_label("Năm đăng ký", exact=True)
    assert year_select.input_value() == str(year)

    # 2. The officer looks at another year: the list follows it (htmx).
    other = year - 1 if year - 1 >= 2023 else year + 1
    year_select.select_option(str(other))
    phone.wait_for_function(
        "(y) => document.querySelector('#id_year').value === String(y)", arg=other
    )
    shot(phone, "02-other-year")
    # …and comes back to the current year, where his ward is.
    year_select.select_option(str(year))
    phone.wait_for_function(
        "(y) => document.querySelector('#id_year').value === String(y)", arg=year
    )
    unit = phone.locator("input.combobox-input#id_unit")
    unit.fill("long xuyen")
    phone.get_by_role("listbox", name="Danh sách gợi ý").first.get_by_role(
        "option", name=WARD
    ).click()
    assert unit.input_value() == WARD

    # 3. A wrong phone number: the form comes back, the file is kept.
    phone.get_by_label("Người liên hệ").fill("Võ Minh Tâm")
    phone.get_by_label("Điện thoại liên hệ").fill("12345")
    phone.get_by_label("Nội dung đăng ký thực hiện").fill(PLAN)
    phone.get_by_label("Bản đăng ký có chữ ký").set_input_files(
        blank_pdf(tmp_path / "dang-ky-phuong-long-xuyen.pdf")
    )
    phone.get_by_role("button", name="Lưu", exact=True).click()
    phone.wait_for_load_state()
    assert phone.get_by_text("Hãy nhập số điện thoại Việt Nam").is_visible()
    kept = phone.get_by_role("status").filter(has_text="dang-ky-phuong-long-xuyen.pdf")
    assert kept.is_visible()
    assert phone.locator("input.combobox-input#id_unit").input_value() == WARD
    shot(phone, "03-failed-validation")

    # 4. The phone fixed, saved without choosing the file again, submitted.
    phone.get_by_label("Điện thoại liên hệ").fill("0296 3841 234")
    phone.get_by_role("button", name="Lưu", exact=True).click()
    phone.wait_for_url(re.compile(r".*/registrations/\d+/$"))
    assert status_of(phone) == "Bản nháp"
    assert phone.get_by_role("link", name="dang-ky-phuong-long-xuyen.pdf").is_visible()
    check_phone_layout(phone)
    shot(phone, "04-draft")
    phone.get_by_role("button", name="Gửi lên tỉnh").click()
    phone.wait_for_load_state()
    assert status_of(phone) == "Đã gửi"
    registration_url = phone.url

    # 5. The provincial staff member approves with the confirmation.
    staff_context = browser.new_context(locale="vi-VN", viewport=PHONE, is_mobile=True)
    staff = staff_context.new_page()
    staff.set_default_timeout(10_000)
    try:
        log_in(staff, base, "canbo.tinh")
        staff.goto(registration_url)
        staff.get_by_role("link", name="Phê duyệt…").click()
        staff.wait_for_url(re.compile(r".*/approve/$"))
        check_phone_layout(staff)
        shot(staff, "05-confirm")
        # No target for wards this year: the box must be ticked.
        assert staff.get_by_text(f"Năm {year} chưa có chỉ tiêu").is_visible()
        staff.get_by_role("button", name="Phê duyệt hồ sơ").click()
        staff.wait_for_load_state()
        assert (
            staff.get_by_role("alert").filter(has_text="chưa có chỉ tiêu").is_visible()
        )
        staff.get_by_label("Tôi xác nhận phê duyệt").check()
        staff.get_by_role("button", name="Phê duyệt hồ sơ").click()
        staff.wait_for_url(registration_url)
        assert status_of(staff) == "Đã phê duyệt"
        shot(staff, "06-approved")
    finally:
        staff_context.close()

    registration = Registration.objects.get(year=year, area__key="ag91-30307")
    assert registration.status == "approved"
    assert registration.committee == cast.committee_ward
    assert registration.phase.contains_year(year)
    assert registration.contact_phone == "0296 3841 234"
    assert registration.document_name == "dang-ky-phuong-long-xuyen.pdf"
    assert registration.over_quota_confirmed
    # A form sent back with its errors answers 400 on purpose; nothing else.
    assert [e for e in phone.console_errors if "status of 400" not in e] == []


def shot(page, name: str) -> None:
    save_shot(page, "today-" + name)


@pytest.mark.parametrize(
    "path",
    [
        "/registrations/",
        "/registrations/waiting/",
        "/committees/",
        "/plans/",
        "/documents/",
        "/accounts/",
        "/history/",
        "/notifications/",
        "/areas/",
        "/reports/",
        "/profile/",
        "/assessments/",
        "/assessments/waiting/",
        "/criteria/",
        "/ward-police/",
        "/progress/",
        "/progress/?phase=2023-2025",
        "/recognitions/",
        "/commendations/",
        "/pledges/",
        "/reviews/",
    ],
)
def test_every_section_fits_a_phone(live_server, phone, cast, path):
    log_in(phone, live_server.url, "canbo.tinh")
    phone.goto(f"{live_server.url}{path}")
    check_phone_layout(phone)
    # Nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

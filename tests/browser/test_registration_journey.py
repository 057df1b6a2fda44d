"""Issue 4's journey in a real browser, two users side by side: the Long Xuyên
officer registers a ward with its signed document and submits it; the
provincial staff member returns it with a reason; the officer fixes the phone
and resubmits; the staff member approves; both read the same history."""

from __future__ import annotations

import re

import pytest

from campaign.registrations.models import Registration, RegistrationTransition
from tests.browser.helpers import blank_pdf, log_in, status_of
from tests.browser.helpers import shot as save_shot
from tests.factories import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WARD = "Phường Mỹ Bình"
OFFICER = "Nguyễn Văn Hùng"  # longxuyen, as the timeline names him
STAFF = "Trần Thị Minh"  # canbo.tinh
OLD_PHONE = "0296 3852 123"
NEW_PHONE = "0296 3852 456"
REASON = "Số điện thoại liên hệ không đúng, đề nghị kiểm tra lại."
PLAN = (
    "Duy trì tổ an ninh tự quản ở 100% khóm; "
    "xây dựng mô hình camera an ninh ở các tuyến đường chính."
)

# The UI's words (Vietnamese is the default language).
T = {
    "registrations": "Đăng ký điển hình",
    "register": "Đăng ký đơn vị",
    "waiting": "Chờ tôi xử lý",
    "notifications": "Thông báo",
    "unit": "Đơn vị",
    "year": "Năm đăng ký",
    "contact": "Người liên hệ",
    "phone": "Điện thoại liên hệ",
    "plan": "Nội dung đăng ký thực hiện",
    "document": "Bản đăng ký có chữ ký",
    "save": "Lưu",
    "edit": "Sửa",
    "submit": "Gửi lên tỉnh",
    "return": "Trả lại để bổ sung",
    "reason": "Lý do trả lại",
    "approve": "Phê duyệt",
    "history": "Lịch sử xử lý",
    "draft": "Bản nháp",
    "submitted": "Đã gửi",
    "returned": "Bị trả lại để bổ sung",
    "approved": "Đã phê duyệt",
    "created": "tạo hồ sơ đăng ký (bản nháp)",
    "changed": "sửa:",
}


@pytest.fixture
def cast():
    return Personas()


@pytest.fixture
def staff_page(browser):
    """The provincial staff member's own browser (cookies apart from the officer's)."""
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()


def timeline_of(page) -> list[str]:
    history = page.get_by_role("region", name=T["history"])
    return [
        " ".join(text.split())
        for text in history.locator("li.timeline-entry").all_inner_texts()
    ]


def test_register_return_fix_resubmit_approve_with_the_history(
    live_server, page, staff_page, cast, tmp_path
):
    base = live_server.url
    officer, staff = page, staff_page
    for p in (officer, staff):
        p.set_default_timeout(10_000)
    detail_url = re.compile(r".*/registrations/\d+/$")

    # 1. The officer registers Phường Mỹ Bình with its signed document.
    log_in(officer, base, "longxuyen")
    officer.get_by_role("navigation").get_by_role(
        "link", name=T["registrations"]
    ).click()
    officer.get_by_role("link", name=T["register"]).click()
    officer.wait_for_url(f"{base}/registrations/new/")
    # 2023: the year is chosen first; the list of units follows it (htmx).
    officer.get_by_label(T["year"], exact=True).select_option("2023")
    officer.get_by_text("13 đơn vị có thể đăng ký cho năm 2023.").wait_for(
        state="attached"
    )
    # The unit picker finds the ward typed without accents.
    unit = officer.locator("input.combobox-input#id_unit")
    unit.fill("my binh")
    officer.get_by_role("listbox", name="Danh sách gợi ý").first.get_by_role(
        "option", name=f"{WARD} — Thành phố Long Xuyên"
    ).click()
    assert unit.input_value() == f"{WARD} — Thành phố Long Xuyên"
    officer.get_by_label(T["contact"]).fill(OFFICER)
    officer.get_by_label(T["phone"]).fill(OLD_PHONE)
    officer.get_by_label(T["plan"]).fill(PLAN)
    officer.get_by_label(T["document"]).set_input_files(
        blank_pdf(tmp_path / "dang-ky-my-binh.pdf")
    )
    shot(officer, "01-officer-form")
    officer.get_by_role("button", name=T["save"], exact=True).click()
    officer.wait_for_url(detail_url)
    assert status_of(officer) == T["draft"]
    assert officer.get_by_role("link", name="dang-ky-my-binh.pdf").is_visible()
    shot(officer, "02-officer-draft")
    officer.get_by_role("button", name=T["submit"]).click()
    officer.wait_for_load_state()
    assert status_of(officer) == T["submitted"]
    registration_url = officer.url
    shot(officer, "03-officer-submitted")

    # 2. The staff member finds it waiting and returns it with a reason.
    log_in(staff, base, "canbo.tinh")
    staff.goto(f"{base}/registrations/")
    staff.get_by_role("link", name=T["waiting"]).click()
    staff.wait_for_url(f"{base}/registrations/waiting/")
    shot(staff, "04-staff-waiting")
    staff.get_by_role("link", name=WARD).click()
    staff.wait_for_url(registration_url)
    assert status_of(staff) == T["submitted"]
    staff.get_by_label(T["reason"]).fill(REASON)
    shot(staff, "05-staff-returning")
    staff.get_by_role("button", name=T["return"]).click()
    staff.wait_for_load_state()
    assert status_of(staff) == T["returned"]

    # 3. The officer is told, reads the reason, fixes the phone and resubmits.
    officer.goto(f"{base}/")
    officer.get_by_role("link", name=T["notifications"]).click()
    shot(officer, "06-officer-notifications")
    officer.get_by_role("link", name=REASON).click()
    officer.wait_for_url(registration_url)
    assert status_of(officer) == T["returned"]
    assert REASON in officer.get_by_role("status").filter(has_text=REASON).inner_text()
    shot(officer, "07-officer-returned")
    officer.get_by_role("link", name=T["edit"], exact=True).click()
    officer.wait_for_url(re.compile(r".*/registrations/\d+/edit/$"))
    assert officer.get_by_role("status").filter(has_text=REASON).is_visible()
    phone = officer.get_by_label(T["phone"])
    assert phone.input_value() == OLD_PHONE
    phone.fill(NEW_PHONE)
    shot(officer, "08-officer-editing")
    officer.get_by_role("button", name=T["save"], exact=True).click()
    officer.wait_for_url(registration_url)
    assert status_of(officer) == T["returned"]
    officer.get_by_role("button", name=T["submit"]).click()
    officer.wait_for_load_state()
    assert status_of(officer) == T["submitted"]

    # 4. The staff member approves.
    staff.goto(f"{base}/registrations/waiting/")
    staff.get_by_role("link", name=WARD).click()
    staff.wait_for_url(registration_url)
    staff.get_by_role("link", name="Phê duyệt…").click()
    staff.wait_for_url(re.compile(r".*/approve/$"))
    # Within the 2023 quota of 2 wards: no box to tick.
    assert staff.get_by_text("Trong chỉ tiêu").is_visible()
    staff.get_by_role("button", name="Phê duyệt hồ sơ").click()
    staff.wait_for_url(registration_url)
    assert status_of(staff) == T["approved"]
    shot(staff, "09-staff-approved")

    # 5. Both read the same history, oldest first, each step with its actor.
    officer.reload()
    assert status_of(officer) == T["approved"]
    shot(officer, "10-officer-approved")
    for viewer in (officer, staff):
        entries = timeline_of(viewer)
        assert len(entries) == 6, entries
        created, submitted, returned, changed, resubmitted, approved = entries
        assert OFFICER in created and T["created"] in created
        assert OFFICER in submitted and f"“{T['submitted']}”" in submitted
        assert STAFF in returned and f"“{T['returned']}”" in returned
        assert REASON in returned
        assert OFFICER in changed and T["changed"] in changed
        assert f"{OLD_PHONE} → {NEW_PHONE}" in changed
        assert T["phone"].lower() in changed.lower()
        assert OFFICER in resubmitted and f"“{T['submitted']}”" in resubmitted
        assert STAFF in approved and f"“{T['approved']}”" in approved

    registration = Registration.objects.get()
    assert registration.unit_name == WARD
    assert registration.status == "approved"
    assert registration.contact_phone == NEW_PHONE
    assert registration.version == 6  # 5 workflow steps and 1 edit
    assert registration.document_name == "dang-ky-my-binh.pdf"
    assert RegistrationTransition.objects.filter(registration=registration).count() == 5
    assert [
        (t.to_status, t.actor.username)
        for t in registration.transitions.order_by("at", "pk")
    ] == [
        ("draft", "longxuyen"),
        ("submitted", "longxuyen"),
        ("returned", "canbo.tinh"),
        ("submitted", "longxuyen"),
        ("approved", "canbo.tinh"),
    ]
    assert officer.console_errors == []
    assert staff.console_errors == []


def shot(page, name: str) -> None:
    save_shot(page, "reg-" + name)

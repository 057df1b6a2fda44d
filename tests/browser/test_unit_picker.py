"""The unit picker of the registration form, by keyboard: "my thanh" finds
Phường Mỹ Thạnh (accents ignored, never Phường Bình Khánh as the native select's
type-ahead did), the choice is announced, and the form posts the right ward."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import log_in
from tests.factories import Personas
from units.models import Area

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_my_thanh_finds_phuong_my_thanh_by_keyboard(live_server, page):
    Personas()
    my_thanh = Area.objects.get(key="ag89-883-30304")
    log_in(page, live_server.url, "canbo.tinh")
    page.goto(f"{live_server.url}/registrations/new/")
    # Another year: the list is reloaded and screen readers hear of it.
    page.get_by_label("Năm đăng ký", exact=True).select_option("2024")
    page.wait_for_function(
        "() => /cho năm 2024/.test("
        "document.getElementById('live-announcer').textContent)"
    )

    unit = page.get_by_role("combobox", name="Đơn vị")
    unit.focus()
    page.keyboard.type("my thanh")
    assert unit.get_attribute("aria-expanded") == "true"
    listbox = page.get_by_role("listbox", name="Danh sách gợi ý").first
    options = listbox.get_by_role("option")
    # The best match first; Bình Khánh is not even among the matches.
    assert options.first.inner_text().startswith("Phường Mỹ Thạnh")
    assert not listbox.get_by_role("option", name=re.compile("Bình Khánh")).count()
    # Screen readers hear how many units match.
    status = page.locator(".combobox-status").first
    page.wait_for_function(
        "(el) => /kết quả/.test(el.textContent)", arg=status.element_handle()
    )
    page.keyboard.press("ArrowDown")
    active = unit.get_attribute("aria-activedescendant")
    assert page.locator(f"#{active}").inner_text().startswith("Phường Mỹ Thạnh")
    page.keyboard.press("Enter")  # chooses; does not send the form
    assert unit.input_value() == "Phường Mỹ Thạnh — Thành phố Long Xuyên"
    assert unit.get_attribute("aria-expanded") == "false"
    assert page.url.endswith("/registrations/new/")
    assert page.locator("select[name=unit]").input_value() == f"area:{my_thanh.pk}"

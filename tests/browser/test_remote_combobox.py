"""The locality filter of the registration list in remote mode (a list too
long to write into the page): typing "my hoa" asks the committee search
endpoint, the matches are announced, and choosing one by keyboard sets the
filter — the select held only the empty option before."""

from __future__ import annotations

import pytest

from tests.browser.helpers import log_in
from tests.factories import Personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_my_hoa_finds_xa_my_hoa_hung_through_the_search_endpoint(
    live_server, page, settings
):
    # An Giang's 115 committees are under the default threshold: force the
    # remote mode a national database gets.
    settings.COMBOBOX_REMOTE_THRESHOLD = 5
    personas = Personas()
    committee = personas.committee_commune
    log_in(page, live_server.url, "canbo.tinh")
    asked = []
    page.on(
        "request",
        lambda request: (
            asked.append(request.url) if "/committees/search/" in request.url else None
        ),
    )
    page.goto(f"{live_server.url}/registrations/")
    native = page.locator("select[name=locality]")
    assert native.get_attribute("data-combobox-url").endswith("/committees/search/")
    assert native.locator("option").count() == 1  # "Tất cả địa phương" only

    locality = page.get_by_role("combobox", name="Địa phương")
    locality.focus()
    page.keyboard.type("my hoa")
    listbox = page.get_by_role("listbox", name="Danh sách gợi ý").first
    option = listbox.get_by_role("option", name=committee.short_name)
    option.wait_for()
    assert locality.get_attribute("aria-expanded") == "true"
    # Debounced: one request for the whole word, not one per key.
    assert len(asked) <= 2
    assert asked[-1].endswith("q=my+hoa")
    status = page.locator(".combobox-status").first
    page.wait_for_function(
        "(el) => /kết quả/.test(el.textContent)", arg=status.element_handle()
    )

    page.keyboard.press("ArrowDown")
    active = locality.get_attribute("aria-activedescendant")
    assert page.locator(f"#{active}").inner_text() == committee.short_name
    page.keyboard.press("Enter")
    assert locality.input_value() == committee.short_name
    assert locality.get_attribute("aria-expanded") == "false"
    assert native.input_value() == str(committee.pk)


def test_a_failed_search_is_said_in_the_live_region(live_server, page, settings):
    settings.COMBOBOX_REMOTE_THRESHOLD = 5
    Personas()
    log_in(page, live_server.url, "canbo.tinh")
    page.goto(f"{live_server.url}/registrations/")
    page.route("**/committees/search/**", lambda route: route.abort())
    locality = page.get_by_role("combobox", name="Địa phương")
    locality.focus()
    page.keyboard.type("my")
    status = page.locator(".combobox-status").first
    page.wait_for_function(
        "(el) => el.textContent === 'Không tải được danh sách'",
        arg=status.element_handle(),
    )

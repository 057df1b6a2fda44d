"""What the browser journeys share: signing in, a blank signed document, the
status badge of a registration, screenshots for looking at the pages."""

from __future__ import annotations

import os
from pathlib import Path

from pypdf import PdfWriter

from tests.factories import PASSWORD


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def blank_pdf(path: Path) -> Path:
    """A one-page A4 PDF standing in for a signed registration."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with path.open("wb") as out:
        writer.write(out)
    return path


def status_of(page) -> str:
    return page.locator("[data-testid=status]").inner_text().strip()


def shot(page, name: str) -> None:
    """Save a full-page screenshot when SCREENSHOT_DIR is set."""
    target = os.environ.get("SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(target) / f"{name}.png"), full_page=True)

"""A provincial staff member requests the area report in a real browser, watches
its progress and downloads the PDF — with PostgreSQL, Redis and a real worker."""

from __future__ import annotations

import io
import unicodedata

import pytest
from pypdf import PdfReader

from reporting.models import ReportJob
from tests.factories import PASSWORD, Personas
from tests.services import (
    CeleryWorker,
    process_env,
    purge_broker,
    require_broker,
    require_postgresql,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def slow_worker(settings, tmp_path):
    require_postgresql()
    broker = require_broker()
    purge_broker(broker)
    # A little fault-injected delay so the progress can be seen.
    worker = CeleryWorker(
        process_env(settings, broker, REPORT_RENDER_DELAY_SECONDS="3"),
        tmp_path / "worker.log",
    ).start()
    yield worker
    worker.stop()


def test_staff_requests_watches_and_downloads_the_area_report(
    live_server, page, screenshot, slow_worker, tmp_path
):
    Personas()

    page.goto(f"{live_server.url}/reports/")
    assert "/login/" in page.url  # sent to sign in first
    page.get_by_label("Tên đăng nhập").fill("canbo.tinh")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    screenshot("01-login")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{live_server.url}/reports/")
    screenshot("02-reports")

    page.get_by_label("Tính đến ngày").fill("2023-06-30")
    page.get_by_role("button", name="Lập báo cáo").click()
    page.wait_for_url(f"{live_server.url}/reports/*/")

    progress = page.locator("#report-progress")
    progress.wait_for(state="visible", timeout=20_000)
    assert page.get_by_text("Đang").first.is_visible()
    screenshot("03-progress")

    download_link = page.get_by_role("link", name="Tải về PDF")
    download_link.wait_for(state="visible", timeout=60_000)
    screenshot("04-ready")
    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    text = unicodedata.normalize(
        "NFC", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    )
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    job = ReportJob.objects.get()
    assert job.status == "done" and job.requested_by.username == "canbo.tinh"
    assert page.console_errors == []

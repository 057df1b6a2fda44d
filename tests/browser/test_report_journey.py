"""Reports in a real browser, with PostgreSQL, Redis and a real worker: the
director opens the dashboard, requests the 2023–2025 phase report, watches its
progress and downloads it; provincial staff do the same with the catalogue."""

from __future__ import annotations

import datetime
import io
import re
import unicodedata

import pytest
from django.utils import timezone
from pypdf import PdfReader

from campaign.registrations.models import Registration, RegistrationTransition
from reporting.models import ReportJob
from tests.assessments import builders
from tests.browser.helpers import log_in
from tests.factories import Personas
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


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = unicodedata.normalize(
        "NFC", " ".join(p.extract_text() for p in reader.pages)
    )
    return re.sub(r"\s+", " ", text)


def _download(page, tmp_path) -> bytes:
    download_link = page.get_by_role("link", name="Tải về PDF")
    download_link.wait_for(state="visible", timeout=90_000)
    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return path.read_bytes()


def test_director_opens_the_dashboard_requests_the_phase_report_and_downloads_it(
    live_server, page, screenshot, slow_worker, tmp_path
):
    people = Personas()
    made = builders.registration(people, area_key="ag89-883-30307")
    moment = datetime.datetime(2023, 3, 1, 9, tzinfo=timezone.get_current_timezone())
    Registration.objects.filter(pk=made.pk).update(created_at=moment)
    RegistrationTransition.objects.filter(registration=made).update(at=moment)

    log_in(page, live_server.url, "giamdoc")
    page.get_by_role("link", name="Tổng quan").first.click()
    page.wait_for_url(f"{live_server.url}/reports/dashboard/*")
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.locator("svg[role=img]").count() >= 1
    screenshot("01-dashboard")

    page.goto(f"{live_server.url}/reports/")
    card = page.locator(
        "section.card", has=page.locator("#kind-phase_progress-heading")
    )
    card.get_by_role("combobox", name=re.compile(r"^Giai đoạn")).select_option(
        "2023-2025"
    )
    card.get_by_label("Tính đến ngày").fill("2025-12-31")
    screenshot("02-request")
    card.get_by_role("button", name="Lập báo cáo").click()
    page.wait_for_url(re.compile(r"/reports/[0-9a-f-]{36}/$"))

    # The page follows the job: waiting or being prepared, then ready.
    page.locator("#report-status").wait_for(state="visible")
    screenshot("03-progress")
    data = _download(page, tmp_path)
    screenshot("04-ready")

    assert data.startswith(b"%PDF")
    text = _pdf_text(data)
    assert text.startswith("UBND TỈNH AN GIANG BAN CHỈ ĐẠO 138")
    assert "giai đoạn 2023–2025" in text
    assert "Cộng 16 1 " in text  # the 2023 quota, one unit registered
    job = ReportJob.objects.get()
    assert job.status == "done" and job.requested_by.username == "giamdoc"
    assert job.params["phase"] == "2023-2025" and job.attempts == 1
    # The director is not shown the checksum.
    assert "SHA-256" not in page.content()
    assert page.console_errors == []


def test_staff_requests_watches_and_downloads_the_area_catalogue(
    live_server, page, screenshot, slow_worker, tmp_path
):
    Personas()

    page.goto(f"{live_server.url}/reports/")
    assert "/login/" in page.url  # sent to sign in first
    log_in(page, live_server.url, "canbo.tinh")
    page.goto(f"{live_server.url}/reports/")
    card = page.locator(
        "section.card", has=page.locator("#kind-area_catalogue-heading")
    )
    card.get_by_label("Tính đến ngày").fill("2023-06-30")
    card.get_by_role("button", name="Lập báo cáo").click()
    page.wait_for_url(re.compile(r"/reports/[0-9a-f-]{36}/$"))
    page.locator("#report-status").wait_for(state="visible")

    data = _download(page, tmp_path)
    text = _pdf_text(data)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    # Staff see the checksum of what they downloaded.
    job = ReportJob.objects.get()
    assert job.sha256 in page.content()
    assert page.console_errors == []

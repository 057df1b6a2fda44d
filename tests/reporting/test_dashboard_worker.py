"""The dashboard with its real components: the web process shows the kept
figures marked stale after a change, and a Celery worker counts them again
into the Redis cache both share (``CACHE_URL``)."""

from __future__ import annotations

import os

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from campaign.committees.choices import AuditAction
from campaign.committees.models import AuditEntry
from tests.factories import Personas
from tests.services import (
    CeleryWorker,
    process_env,
    purge_broker,
    require_broker,
    require_postgresql,
    wait_for,
)
from units.text import fold

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

MARK = "Số liệu tính lúc"


@pytest.fixture
def worker(settings, tmp_path):
    require_postgresql()
    url = require_broker()
    if "redis" not in django_settings.CACHES["default"]["BACKEND"].lower():
        pytest.skip("needs a shared cache: set CACHE_URL=redis://…")
    purge_broker(url)
    started = CeleryWorker(
        process_env(settings, url, CACHE_URL=os.environ["CACHE_URL"]),
        tmp_path / "worker.log",
    ).start()
    yield started
    started.stop()


def test_stale_figures_are_shown_at_once_and_the_worker_counts_them_again(
    client, worker
):
    staff = Personas().staff
    client.force_login(staff)
    address = reverse("reporting:dashboard") + "?phase=2026-2030"
    first = client.get(address)
    assert first.status_code == 200
    assert "data" in first.context  # nothing kept yet: counted in the request
    label = "Mục ghi nhận sau khi số liệu đã được tính"
    AuditEntry.objects.create(
        action=AuditAction.REGISTRATION_CREATED,
        actor=staff,
        object_label=label,
        search_text=fold(label),
    )
    stale = client.get(address)
    assert stale.status_code == 200
    assert "data" not in stale.context  # not counted in the request
    assert MARK in stale.content.decode()
    assert label not in stale.content.decode()

    def counted_again():
        page = client.get(address).content.decode()
        return label in page and MARK not in page

    try:
        wait_for(counted_again, timeout=30, message="the worker's refresh")
    except AssertionError as error:
        raise AssertionError(f"{error}\n{worker.log()}") from None

"""Shared test set-up.

Service-backed tests (PostgreSQL + Redis + a real Celery worker) and browser
tests (Debian's Chromium through Playwright) are marked ``services`` and
``browser``. Without those components they are skipped with the reason printed;
with ``TEST_REQUIRE_SERVICES=1`` (set by CI) such a skip is turned into a
failure, so CI can never pass by skipping them.
"""

from __future__ import annotations

import os

import pytest
from django.utils import translation

REQUIRE_SERVICES = os.environ.get("TEST_REQUIRE_SERVICES", "") in {"1", "true", "yes"}
STRICT_MARKERS = ("services", "browser")


def pytest_configure(config):
    from django.conf import settings

    # Quick hashing for the test users: setUpTestData runs before any fixture.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if (
        REQUIRE_SERVICES
        and report.skipped
        and any(item.get_closest_marker(name) for name in STRICT_MARKERS)
    ):
        reason = (
            report.longrepr[2]
            if isinstance(report.longrepr, tuple)
            else report.longrepr
        )
        report.outcome = "failed"
        report.longrepr = f"TEST_REQUIRE_SERVICES=1 but this test was skipped: {reason}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """An Giang's areas and the reference data, loaded once into the test
    database, as a real install has them: every TestCase starts from them (its
    transaction rolls back to this state). Transactional tests (browser,
    services), which pytest-django runs last, load them again after a flush."""
    from tests.factories import load_reference_data

    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    """A private file store per test, an empty cache (in CI a shared Redis
    database: what one test kept must not be read by the next), and Vietnamese
    active (a previous request may have left another language active)."""
    from django.core.cache import cache

    cache.clear()
    translation.activate(settings.LANGUAGE_CODE)
    private_root = tmp_path / "private"
    private_root.mkdir()
    settings.PRIVATE_MEDIA_ROOT = private_root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "campaign.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": private_root, "base_url": None},
        },
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }

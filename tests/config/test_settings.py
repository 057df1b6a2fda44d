"""Each bad environment value stops start-up with a message naming the variable."""

from __future__ import annotations

import re
import runpy
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "config" / "settings.py"
# The embedded default unless a test says otherwise (CI sets both variables).
GOOD_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "settings-test-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "DATABASE_URL": "",
    "CELERY_BROKER_URL": "",
}


def load_settings(**env: str) -> dict:
    with mock.patch.dict("os.environ", {**GOOD_ENV, **env}):
        return runpy.run_path(str(SETTINGS_FILE))


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("HTTPS", "sometimes"),
        ("DB_CONN_MAX_AGE", "sixty"),
        ("DB_CONN_MAX_AGE", "-1"),
        ("SESSION_COOKIE_AGE", "10"),
        ("DATABASE_URL", "mysql://root@localhost/db"),
        ("DATABASE_URL", "not a url"),
        ("CELERY_BROKER_URL", "amqp://guest@localhost//"),
        ("CELERY_TASK_SOFT_TIME_LIMIT", "1.5"),
        ("CELERY_WORKER_MAX_MEMORY_PER_CHILD", "10"),
        ("REPORT_LEASE_SECONDS", "soon"),
        ("REPORT_MAX_ATTEMPTS", "0"),
        ("REPORT_MAX_ATTEMPTS", "99"),
        ("REPORT_RESEND_AFTER_SECONDS", "x"),
        ("REPORT_RECONCILE_INTERVAL_SECONDS", "1"),
        ("LOG_LEVEL", "LOUD"),
        ("SQLITE_PATH", "relative/db.sqlite3"),
        ("PRIVATE_MEDIA_ROOT", "var/private"),
        ("STATIC_ROOT", "static-out"),
        ("SECRET_KEY_FILE", "/nonexistent/secret"),
    ],
)
def test_bad_value_names_the_variable(variable, value):
    with pytest.raises(ImproperlyConfigured, match=variable):
        load_settings(**{variable: value})


def test_secret_key_is_required_when_debug_is_off():
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        load_settings(SECRET_KEY="")


def test_hard_time_limit_must_exceed_soft_limit():
    with pytest.raises(ImproperlyConfigured, match="CELERY_TASK_TIME_LIMIT"):
        load_settings(CELERY_TASK_SOFT_TIME_LIMIT="300", CELERY_TASK_TIME_LIMIT="200")


def test_sqlite_and_eager_celery_when_nothing_is_configured(tmp_path):
    values = load_settings(
        DATABASE_URL="", CELERY_BROKER_URL="", SQLITE_PATH=str(tmp_path / "db.sqlite3")
    )
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True


def test_postgresql_uses_persistent_checked_connections():
    values = load_settings(
        DATABASE_URL="postgres://app:secret@db.example:5432/app",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False


def test_language_and_time_zone():
    values = load_settings()
    assert values["LANGUAGE_CODE"] == "vi"
    assert [code for code, _ in values["LANGUAGES"]] == ["vi", "en"]
    assert values["TIME_ZONE"] == "Asia/Ho_Chi_Minh"


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    key = "file-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
    secret.write_text(key + "\n", encoding="utf-8")
    values = load_settings(SECRET_KEY="", SECRET_KEY_FILE=str(secret))
    assert values["SECRET_KEY"] == key


def test_env_example_lists_every_variable_the_settings_read():
    root = SETTINGS_FILE.parents[1]
    source = SETTINGS_FILE.read_text(encoding="utf-8")
    read = set(re.findall(r'env_\w+\(\s*"([A-Z0-9_]+)"', source))
    listed = set(
        re.findall(r"^([A-Z0-9_]+)=", (root / ".env.example").read_text("utf-8"), re.M)
    )
    assert read - listed == set()

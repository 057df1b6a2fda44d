"""The login protection's settings come from the environment, with the
defaults the README gives, and a bad value stops start-up naming it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.config.test_settings import load_settings


def test_the_defaults():
    settings = load_settings()
    assert settings["AXES_FAILURE_LIMIT"] == 5
    assert settings["AXES_COOLOFF_TIME"] == datetime.timedelta(minutes=15)
    assert settings["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
    assert settings["LOGIN_IP_FAILURE_LIMIT"] == 30
    assert settings["TRUSTED_PROXY_COUNT"] == 0
    assert settings["TWO_FACTOR_REQUIRED"] is False
    assert settings["SESSION_IDLE_TIMEOUT_SECONDS"] == 30 * 60
    assert settings["SESSION_COOKIE_AGE"] == 8 * 60 * 60
    # A lock is kept in the database and a try during it is not counted.
    assert settings["AXES_HANDLER"].endswith("LoginThrottleHandler")
    assert settings["AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT"] is False
    assert (
        settings["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    )


def test_the_environment_sets_them():
    settings = load_settings(
        LOGIN_FAILURE_LIMIT="3",
        LOGIN_COOLOFF_SECONDS="3600",
        LOGIN_IP_FAILURE_LIMIT="0",
        TRUSTED_PROXY_COUNT="1",
        TWO_FACTOR_REQUIRED="true",
        SESSION_IDLE_TIMEOUT_SECONDS="600",
    )
    assert settings["AXES_FAILURE_LIMIT"] == 3
    assert settings["AXES_COOLOFF_TIME"] == datetime.timedelta(hours=1)
    assert settings["LOGIN_IP_FAILURE_LIMIT"] == 0
    assert settings["TRUSTED_PROXY_COUNT"] == 1
    assert settings["TWO_FACTOR_REQUIRED"] is True
    assert settings["SESSION_IDLE_TIMEOUT_SECONDS"] == 600


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("LOGIN_FAILURE_LIMIT", "0"),
        ("LOGIN_FAILURE_LIMIT", "five"),
        ("LOGIN_COOLOFF_SECONDS", "10"),
        ("LOGIN_IP_FAILURE_LIMIT", "-1"),
        ("TRUSTED_PROXY_COUNT", "-1"),
        ("TRUSTED_PROXY_COUNT", "9"),
        ("TWO_FACTOR_REQUIRED", "sometimes"),
        ("SESSION_IDLE_TIMEOUT_SECONDS", "half an hour"),
    ],
)
def test_a_bad_value_names_the_variable(variable, value):
    with pytest.raises(ImproperlyConfigured, match=variable):
        load_settings(**{variable: value})

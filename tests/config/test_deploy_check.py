"""Deployment defaults: with production variables ``manage.py check --deploy``
reports nothing; start-up refuses a placeholder or weak SECRET_KEY; gunicorn,
not a request header, decides whether a request came over TLS, and only the
proxy's network may tell it; compose publishes the proxy alone."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests.services import free_port

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE_KEY = re.search(
    r"^SECRET_KEY=(.*)$", (ROOT / ".env.example").read_text("utf-8"), re.M
).group(1)


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """What the compose file and a filled-in .env give the web container."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "bcd138.angiang.gov.vn,127.0.0.1",
        "CSRF_TRUSTED_ORIGINS": "https://bcd138.angiang.gov.vn",
        "HTTPS": "true",
        "FORWARDED_ALLOW_IPS": "172.30.138.0/28,127.0.0.1",
        "TRUSTED_PROXY_COUNT": "1",
        "DATABASE_URL": "postgres://bcd138:secret@postgres:5432/bcd138",
        "CELERY_BROKER_URL": "redis://redis:6379/0",
        "CACHE_URL": "redis://redis:6379/1",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DEFAULT_FROM_EMAIL": "bcd138@angiang.gov.vn",
        "SITE_URL": "https://bcd138.angiang.gov.vn",
        "STATIC_ROOT": str(tmp_path / "static"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        **extra,
    }


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- check --deploy -----------------------------------------------------------------


def test_check_deploy_with_production_variables_reports_nothing(tmp_path):
    result = manage(
        production_env(tmp_path), "check", "--deploy", "--fail-level", "DEBUG"
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # HSTS preload (security.W021) is the one check silenced, on purpose
    # (config/settings.py says why); anything else would show here.
    assert "System check identified no issues (1 silenced)." in output, output


def test_the_only_silenced_check_is_hsts_preload():
    assert settings.SILENCED_SYSTEM_CHECKS == ["security.W021"]


def test_check_deploy_without_https_names_what_is_missing(tmp_path):
    """The same variables with HTTPS=false: what check --deploy would have
    said — the test above can fail."""
    result = manage(production_env(tmp_path, HTTPS="false"), "check", "--deploy")
    output = result.stdout + result.stderr
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in output, output


# --- SECRET_KEY ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (ENV_EXAMPLE_KEY, "is a placeholder"),
        ("django-insecure-" + "k3y" * 20, "is a development key"),
        ("test-only-secret-key-0123456789abcdef", "is too short (37 characters"),
        ("ab" * 30, "has too few different characters (2"),
    ],
    ids=["env-example", "django-insecure", "short", "repetitive"],
)
def test_start_up_refuses_a_weak_secret_key(tmp_path, key, reason):
    result = manage(production_env(tmp_path, SECRET_KEY=key), "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY " + reason in result.stderr
    assert "token_urlsafe(50)" in result.stderr  # how to make a good one
    assert key not in result.stderr  # the key itself never reaches a log


def test_a_weak_key_from_secret_key_file_is_refused_too(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text(ENV_EXAMPLE_KEY + "\n", encoding="utf-8")
    env = production_env(tmp_path, SECRET_KEY_FILE=str(secret))
    del env["SECRET_KEY"]
    result = manage(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY is a placeholder" in result.stderr


def test_a_development_machine_may_keep_a_short_key(tmp_path):
    result = manage(production_env(tmp_path, DEBUG="true", SECRET_KEY="dev"), "check")
    assert result.returncode == 0, result.stderr


# --- gunicorn and X-Forwarded-Proto -------------------------------------------------


class Gunicorn:
    """docker/gunicorn.conf.py serving the app on a loopback port."""

    def __init__(self, tmp_path: Path, forwarded_allow_ips: str):
        self.port = free_port()
        env = production_env(
            tmp_path,
            DATABASE_URL="",
            SQLITE_PATH=str(tmp_path / "db.sqlite3"),
            CELERY_BROKER_URL="",
            CACHE_URL="",
            GUNICORN_WORKERS="1",
            FORWARDED_ALLOW_IPS=forwarded_allow_ips,
        )
        self.log = tmp_path / "gunicorn.log"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "docker/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                "config.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str]]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", headers=headers
        )
        opener = urllib.request.build_opener(_NoRedirect)
        deadline = time.monotonic() + 30
        while True:
            try:
                with opener.open(request, timeout=5) as response:
                    return response.status, dict(response.headers)
            except urllib.error.HTTPError as error:
                return error.code, dict(error.headers)
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise AssertionError(self.log.read_text(errors="replace")) from None
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=35)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def gunicorn(tmp_path):
    started: list[Gunicorn] = []

    def start(forwarded_allow_ips: str) -> Gunicorn:
        server = Gunicorn(tmp_path / str(len(started)), forwarded_allow_ips)
        started.append(server)
        return server

    for path in (tmp_path / "0", tmp_path / "1"):
        path.mkdir()
    yield start
    for server in started:
        server.stop()


def test_x_forwarded_proto_from_outside_the_proxy_network_changes_nothing(gunicorn):
    # gunicorn trusts the compose proxy's network only; this test connects
    # from 127.0.0.1, as anyone reaching gunicorn another way would.
    server = gunicorn("172.30.138.0/28")
    status, headers = server.get("/healthz/", **{"X-Forwarded-Proto": "https"})
    assert status == 301  # still plain http: sent to https
    assert headers["Location"] == f"https://127.0.0.1:{server.port}/healthz/"
    assert "Strict-Transport-Security" not in headers


def test_x_forwarded_proto_from_the_proxy_is_believed(gunicorn):
    server = gunicorn("127.0.0.1")
    status, headers = server.get("/healthz/", **{"X-Forwarded-Proto": "https"})
    assert status == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    # Caddy passes on headers it does not manage: a client's X-Forwarded-Ssl
    # must not make gunicorn refuse the request (only X-Forwarded-Proto counts).
    status, _ = server.get(
        "/healthz/", **{"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "off"}
    )
    assert status == 200
    # Without the header, the same trusted peer is plain http.
    status, _ = server.get("/healthz/")
    assert status == 301


# --- docker-compose.yml and the Caddyfile ---------------------------------------------


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text("utf-8"))


def test_only_the_proxy_is_published():
    services = compose()["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert services["web"]["expose"] == ["8000"]
    assert services["proxy"]["image"].startswith("caddy:2")


def test_gunicorn_trusts_the_network_it_shares_with_the_proxy_alone():
    document = compose()
    services, networks = document["services"], document["networks"]
    frontend = networks["frontend"]
    assert frontend["internal"] is True
    subnet = frontend["ipam"]["config"][0]["subnet"]
    assert subnet.startswith("${PROXY_SUBNET:-")
    members = {
        name
        for name, service in services.items()
        if "frontend" in service.get("networks", [])
    }
    assert members == {"proxy", "web"}
    environment = document["x-app"]["environment"]
    assert environment["FORWARDED_ALLOW_IPS"] == f"{subnet},127.0.0.1"
    assert environment["HTTPS"] == "true"
    assert environment["TRUSTED_PROXY_COUNT"] == "1"
    assert settings.SECURE_PROXY_SSL_HEADER is None


def test_the_caddyfile_proxies_to_gunicorn_with_the_upload_limit():
    caddyfile = (ROOT / "docker" / "Caddyfile").read_text("utf-8")
    assert "reverse_proxy web:8000" in caddyfile
    assert "max_size {$PROXY_MAX_BODY}" in caddyfile
    assert "tls {$CADDY_TLS}" in caddyfile
    # No trusted_proxies: a client's X-Forwarded-* headers are replaced.
    assert not re.search(r"^\s*trusted_proxies", caddyfile, re.M)
    command = " ".join(compose()["services"]["proxy"]["command"])
    assert "PROXY_MAX_BODY=$$(( ${UPLOAD_MAX_BYTES:-20971520} + 1048576 ))" in command


@pytest.mark.skipif(shutil.which("caddy") is None, reason="needs caddy on PATH")
@pytest.mark.parametrize(
    "tls", ["internal", "admin@angiang.gov.vn", "/certs/site.crt /certs/site.key"]
)
def test_caddy_reads_the_caddyfile(tmp_path, tls):
    result = subprocess.run(
        ["caddy", "adapt", "--config", "docker/Caddyfile", "--adapter", "caddyfile"],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "DOMAIN": "bcd138.angiang.gov.vn",
            "CADDY_TLS": tls,
            "PROXY_MAX_BODY": str(20971520 + 1048576),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert '"max_size":22020096' in result.stdout
    assert '"dial":"web:8000"' in result.stdout
    assert "not formatted" not in result.stderr

"""Child process of ``bench/registration_form.py``: one version of the project
(this checkout or the baseline's worktree), its own SQLite database with the
demo data, Django's test ``Client``. It reads commands on stdin, one JSON per
line — ``{"case": name, "n": count}`` — and answers with the durations of
``n`` requests of that case, in seconds, as one JSON line.

Run with the version's directory as the working directory.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path.cwd()
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def setup() -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    # No collectstatic: the plain storage finds the static files.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))
    users = get_user_model().objects
    clients = {}
    for username in ("longxuyen", "canbo.tinh", "phuong.longxuyen"):
        user = users.filter(username=username).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        clients[username] = client
    return clients


# (user, path, htmx): the pages compared.
CASES = {
    "form_officer_2023": ("longxuyen", "/registrations/new/?year=2023", False),
    "form_staff_2023": ("canbo.tinh", "/registrations/new/?year=2023", False),
    "reload_officer_2023": ("longxuyen", "/registrations/new/?year=2023", True),
    "reload_staff_2023": ("canbo.tinh", "/registrations/new/?year=2023", True),
    "form_ward_today": ("phuong.longxuyen", "/registrations/new/", False),
    "form_staff_today": ("canbo.tinh", "/registrations/new/", False),
    "reload_staff_today": ("canbo.tinh", "/registrations/new/", True),
}


def main() -> None:
    clients = setup()
    print(json.dumps({"ready": sorted(clients)}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        username, path, htmx = CASES[command["case"]]
        client = clients.get(username)
        if client is None:
            print(json.dumps({"error": f"no user {username}"}), flush=True)
            continue
        headers = {"HX-Request": "true"} if htmx else {}
        durations = []
        size = 0
        for _ in range(command["n"]):
            started = time.perf_counter()
            response = client.get(path, headers=headers)
            durations.append(time.perf_counter() - started)
            if response.status_code != 200:
                print(
                    json.dumps({"error": f"{path}: {response.status_code}"}), flush=True
                )
                break
            size = len(response.content)
        print(json.dumps({"durations": durations, "bytes": size}), flush=True)


if __name__ == "__main__":
    main()

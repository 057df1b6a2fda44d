"""The Django side of the load test (``bench/load/run.py``): run in a child
process of its own, never in the locust process (locust monkey-patches the
standard library with gevent as it is imported).

    python bench/load/_data.py setup '{"users": 50, "assessments": 3, "drafts": 3}'
    python bench/load/_data.py count '{"usernames": ["load.000", ...]}'

The environment (``DATABASE_URL``, ``PRIVATE_MEDIA_ROOT``, ...) is the one the
driver gives to gunicorn and the worker. The last line printed is JSON.

``setup`` (on a database where ``manage.py seed_demo`` ran): one local officer
per commune-level committee in force today (``load.000`` ...), made through
``account_create`` as the system, each with, in the current year of the plan,
``drafts`` draft registrations and ``assessments`` approved registrations with
a draft assessment each -- all of new organisations of the officer's own
commune, made through the registration and assessment services (the
approvals by the demo's provincial staff, ``canbo.tinh``). Nobody else owns
these rows, so two locust users never write the same row.

``count``: for each officer, the rows written by them (registrations,
history rows, workflow steps, audit entries, evidence files and whether each
stored file is there with its size), the sums of their registrations' and
assessments' versions; and for the whole database the notifications by
e-mail status.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db.models import Count, Sum  # noqa: E402

from campaign.assessments.models import (  # noqa: E402
    Answer,
    Assessment,
    AssessmentTransition,
    Evidence,
)
from campaign.assessments.services import assessments as assessment_services  # noqa: E402
from campaign.committees.access import SYSTEM  # noqa: E402
from campaign.committees.choices import CommitteeLevel, MembershipRole  # noqa: E402
from campaign.committees.models import AuditEntry, Membership, SteeringCommittee  # noqa: E402
from campaign.committees.services.accounts import account_create  # noqa: E402
from campaign.demo.registrations import demo_document  # noqa: E402
from campaign.planning.selectors.periods import (  # noqa: E402
    current_period,
    exemplary_programme,
    phases_of,
)
from campaign.registrations.models import (  # noqa: E402
    Notification,
    Registration,
    RegistrationTransition,
)
from campaign.registrations.services import registrations as services  # noqa: E402
from units.choices import OrganisationKind  # noqa: E402

PREFIX = "load."
STAFF = "canbo.tinh"
KINDS = [OrganisationKind.AGENCY, OrganisationKind.ENTERPRISE, OrganisationKind.SCHOOL]


def _new_organisation(area, name: str, k: int) -> services.NewOrganisation:
    return services.NewOrganisation(name=name, kind=KINDS[k % len(KINDS)], area=area)


def setup(args: dict) -> dict:
    started = time.perf_counter()
    users = int(args.get("users", 50))
    n_assessments = int(args.get("assessments", 3))
    n_drafts = int(args.get("drafts", 3))
    password = args.get("password") or f"Tai-thu-{secrets.token_urlsafe(12)}"
    staff = get_user_model().objects.get(username=STAFF)
    programme = exemplary_programme()
    period = current_period(phases=phases_of(programme))
    year = period.year
    taken = Membership.objects.values_list("committee_id", flat=True)
    committees = list(
        SteeringCommittee.objects.filter(
            level=CommitteeLevel.COMMUNE, valid_to__isnull=True
        )
        .exclude(pk__in=taken)
        .select_related("area")
        .order_by("area__key")[:users]
    )
    if len(committees) < users:
        sys.exit(f"only {len(committees)} commune-level committees without accounts")
    plan = {"year": year, "password": password, "users": []}
    for i, committee in enumerate(committees):
        username = f"{PREFIX}{i:03d}"
        user = account_create(
            username=username,
            first_name="Tải",
            last_name=f"Cán bộ {i:03d}",
            email=f"{username}@load.angiang.invalid",
            password=password,
            committee=committee,
            role=MembershipRole.LOCAL_OFFICER,
            by=SYSTEM,
        )
        area = committee.area
        entry = {
            "username": username,
            "index": i,
            "area": f"area:{area.pk}",
            "drafts": [],
            "assessments": [],
        }
        for k in range(n_assessments + n_drafts):
            name = f"Đơn vị thử tải {i:03d}-{k}"
            registration = services.registration_create(
                programme=programme,
                year=year,
                new_organisation=_new_organisation(area, name, k),
                contact_name="Nguyễn Văn Tải",
                contact_phone="0296 3852 123",
                plan_summary=f"Kế hoạch thử tải {i:03d}-{k}.",
                document=demo_document(name),
                by=user,
            )
            if k >= n_assessments:
                entry["drafts"].append(registration.pk)
                continue
            registration = services.registration_submit(
                registration=registration, by=user
            )
            services.registration_approve(
                registration=registration, by=staff, confirm_quota=True
            )
            assessment = assessment_services.assessment_create(
                year=year, registration=registration, by=user
            )
            answers = list(
                Answer.objects.filter(assessment=assessment)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            entry["assessments"].append({"pk": assessment.pk, "answers": answers})
        plan["users"].append(entry)
    plan["seconds"] = round(time.perf_counter() - started, 1)
    return plan


def count(args: dict) -> dict:
    media = Path(os.environ["PRIVATE_MEDIA_ROOT"])
    result = {}
    users = get_user_model().objects.filter(username__in=args["usernames"])
    for user in users.order_by("username"):
        history = Registration.history.filter(history_user=user)
        evidence = list(Evidence.objects.filter(uploaded_by=user))
        missing = [
            e.pk
            for e in evidence
            if not (media / e.file.name).is_file()
            or (media / e.file.name).stat().st_size != e.file_size
        ]
        audit = dict(
            AuditEntry.objects.filter(actor=user)
            .values_list("action")
            .annotate(n=Count("pk"))
            .values_list("action", "n")
        )
        result[user.username] = {
            "registrations": Registration.objects.filter(created_by=user).count(),
            "history_created": history.filter(history_type="+").count(),
            "history_changed": history.filter(history_type="~").count(),
            "registration_versions": Registration.objects.filter(
                created_by=user
            ).aggregate(v=Sum("version"))["v"]
            or 0,
            "registration_submitted_steps": RegistrationTransition.objects.filter(
                actor=user, to_status="submitted"
            ).count(),
            "assessment_versions": Assessment.objects.filter(created_by=user).aggregate(
                v=Sum("version")
            )["v"]
            or 0,
            "assessment_submitted_steps": AssessmentTransition.objects.filter(
                actor=user, to_status="submitted"
            ).count(),
            "evidence": len(evidence),
            "evidence_files_missing": len(missing),
            "audit": audit,
        }
    notifications = dict(
        Notification.objects.values_list("email_status")
        .annotate(n=Count("pk"))
        .values_list("email_status", "n")
    )
    return {"users": result, "notifications": notifications}


if __name__ == "__main__":
    command, raw = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "{}")
    out = {"setup": setup, "count": count}[command](json.loads(raw))
    print(json.dumps(out, ensure_ascii=False))

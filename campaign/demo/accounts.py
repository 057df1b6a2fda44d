"""The demo accounts of `manage.py seed_demo`, with their committees and roles.

Besides the provincial staff and the director (members of the provincial
committee of the new An Giang), the demo has two officers of district-level
committees of 2023 — their committees ended on 30/06/2025, so they see and
follow the 2023–2025 registrations of their city — and two officers of
commune-level committees of today: phường Long Xuyên and xã Mỹ Hòa Hưng.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from campaign.committees.access import SYSTEM
from campaign.committees.choices import CommitteeLevel, MembershipRole
from campaign.committees.models import Membership, SteeringCommittee
from campaign.committees.services.accounts import account_create, membership_add
from units.selectors import valid_on_q

DISTRICT_ERA_DAY = datetime.date(2023, 6, 30)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    description: str
    # The area key of the committee the account acts for, and the day on which
    # that committee is looked up (its area's committee in force that day).
    area: str
    on: datetime.date | None = None
    role: str = MembershipRole.VIEWER
    is_staff: bool = False


DEMO_ACCOUNTS = (
    DemoAccount(
        "canbo.tinh",
        "Minh",
        "Trần Thị",
        "Provincial staff — standing office (Công an tỉnh, PV05)",
        area="ag91",
        role=MembershipRole.PROVINCIAL_STAFF,
    ),
    DemoAccount(
        "giamdoc",
        "Phước",
        "Lâm Văn",
        "Director — reads everything, requests and downloads reports",
        area="ag91",
        role=MembershipRole.LEADER,
    ),
    DemoAccount(
        "phuong.longxuyen",
        "Tâm",
        "Võ Minh",
        "Local officer — phường Long Xuyên committee (since 01/07/2025)",
        area="ag91-30307",
        role=MembershipRole.LOCAL_OFFICER,
    ),
    DemoAccount(
        "xa.myhoahung",
        "Hoa",
        "Lê Thị",
        "Local officer — xã Mỹ Hòa Hưng committee (since 01/07/2025)",
        area="ag91-30313",
        role=MembershipRole.LOCAL_OFFICER,
    ),
    DemoAccount(
        "longxuyen",
        "Hùng",
        "Nguyễn Văn",
        "Local officer — Long Xuyên city committee (2023 – 30/06/2025)",
        area="ag89-883",
        on=DISTRICT_ERA_DAY,
        role=MembershipRole.LOCAL_OFFICER,
    ),
    DemoAccount(
        "chaudoc",
        "Lan",
        "Phạm Thị",
        "Local officer — Châu Đốc city committee (2023 – 30/06/2025)",
        area="ag89-884",
        on=DISTRICT_ERA_DAY,
        role=MembershipRole.LOCAL_OFFICER,
    ),
)


@dataclass(frozen=True)
class SeededAccount:
    account: DemoAccount
    created: bool


def committee_of_area(area_key: str, on: datetime.date | None = None):
    """The committee of an area in force on ``on`` (today's by default)."""
    committees = SteeringCommittee.objects.filter(area__key=area_key)
    if on is not None:
        committees = committees.filter(valid_on_q(on), valid_from__lte=on)
    else:
        committees = committees.filter(valid_to__isnull=True)
    return committees.get()


def province_committee() -> SteeringCommittee:
    return SteeringCommittee.objects.get(
        level=CommitteeLevel.PROVINCE, valid_to__isnull=True
    )


@transaction.atomic
def demo_accounts_seed(*, password: str) -> list[SeededAccount]:
    """Create the demo accounts that are missing (through the services, so they
    are in the audit trail) and give each its committee and role; running it
    again changes nothing but their password, set to ``password`` each time."""
    user_model = get_user_model()
    seeded = []
    for account in DEMO_ACCOUNTS:
        committee = committee_of_area(account.area, account.on)
        user = user_model.objects.filter(username=account.username).first()
        created = user is None
        if created:
            user = account_create(
                username=account.username,
                first_name=account.first_name,
                last_name=account.last_name,
                email=f"{account.username}@demo.angiang.invalid",
                password=password,
                committee=committee,
                role=account.role,
                by=SYSTEM,
            )
        else:
            user.set_password(password)
            user.is_active = True
            user.save(update_fields=["password", "is_active"])
            if not Membership.objects.filter(user=user, committee=committee).exists():
                membership_add(
                    user=user, committee=committee, role=account.role, by=SYSTEM
                )
        if user.is_staff != account.is_staff:
            # No demo account is staff in Django's sense: the admin is for
            # superusers (config/admin_site.py), and a demo database seeded
            # before that loses the flag here.
            user.is_staff = account.is_staff
            user.save(update_fields=["is_staff"])
        seeded.append(SeededAccount(account=account, created=created))
    return seeded

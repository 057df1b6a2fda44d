"""The demo accounts of `manage.py seed_demo`, with their committees and roles."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from campaign.committees.choices import CommitteeLevel, MembershipRole
from campaign.committees.models import Membership, SteeringCommittee
from campaign.committees.services.accounts import membership_add
from campaign.planning.services.reference_committees import district_committee_for

# The local demo committees are those of 2023, when the programme started.
DISTRICT_ERA_DAY = datetime.date(2023, 6, 30)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    description: str
    is_staff: bool = False
    # Which committee the account acts for: "province" (the current provincial
    # committee) or the name of a 2023 district-level unit; and with what role.
    committee: str = "province"
    role: str = MembershipRole.VIEWER


DEMO_ACCOUNTS = (
    DemoAccount(
        "canbo.tinh",
        "Minh",
        "Trần Thị",
        "Provincial staff — standing office (Công an tỉnh, PV05)",
        is_staff=True,
        role=MembershipRole.PROVINCIAL_STAFF,
    ),
    DemoAccount(
        "giamdoc",
        "Phước",
        "Lâm Văn",
        "Director — reads everything, downloads reports",
        role=MembershipRole.LEADER,
    ),
    DemoAccount(
        "longxuyen",
        "Hùng",
        "Nguyễn Văn",
        "Local officer — Long Xuyên city committee",
        committee="Long Xuyên",
        role=MembershipRole.LOCAL_OFFICER,
    ),
    DemoAccount(
        "chaudoc",
        "Lan",
        "Phạm Thị",
        "Local officer — Châu Đốc city committee",
        committee="Châu Đốc",
        role=MembershipRole.LOCAL_OFFICER,
    ),
)


@dataclass(frozen=True)
class SeededAccount:
    account: DemoAccount
    created: bool


@transaction.atomic
def demo_accounts_seed(*, password: str) -> list[SeededAccount]:
    """Create or refresh the demo accounts and their memberships (the committees
    must exist: ``committees_seed``); running it again changes nothing but their
    password, which is set to ``password`` each time."""
    user_model = get_user_model()
    seeded = []
    for account in DEMO_ACCOUNTS:
        user, created = user_model.objects.update_or_create(
            username=account.username,
            defaults={
                "first_name": account.first_name,
                "last_name": account.last_name,
                "email": f"{account.username}@demo.angiang.invalid",
                "is_staff": account.is_staff,
                "is_active": True,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        committee = (
            SteeringCommittee.objects.get(
                level=CommitteeLevel.PROVINCE, valid_to__isnull=True
            )
            if account.committee == "province"
            else district_committee_for(account.committee, DISTRICT_ERA_DAY)
        )
        if not Membership.objects.filter(user=user, committee=committee).exists():
            membership_add(user=user, committee=committee, role=account.role, by=None)
        seeded.append(SeededAccount(account=account, created=created))
    return seeded

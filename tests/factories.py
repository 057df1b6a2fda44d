"""Factories and the fixed personas used across the test suite."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from units.services import area_data_read, areas_load

PASSWORD = "correct-horse-battery-138"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Văn"
    last_name = "Nguyễn"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.django.Password(PASSWORD)


def provincial_staff():
    return UserFactory(
        username="canbo.tinh", first_name="Minh", last_name="Trần Thị", is_staff=True
    )


def director():
    return UserFactory(username="giamdoc", first_name="Phước", last_name="Lâm Văn")


def local_officer_a():
    """Local officer of the Long Xuyên city committee."""
    return UserFactory(username="longxuyen", first_name="Hùng", last_name="Nguyễn Văn")


def local_officer_b():
    """Local officer of the Châu Đốc city committee."""
    return UserFactory(username="chaudoc", first_name="Lan", last_name="Phạm Thị")


_AREA_DATA: dict | None = None


def load_areas() -> None:
    """Load An Giang's areas (idempotent; cheap when already loaded)."""
    global _AREA_DATA  # noqa: PLW0603 - the parsed file is cached for the session
    if _AREA_DATA is None:
        _AREA_DATA = area_data_read()
    areas_load(data=_AREA_DATA)


class Personas:
    """The fixed cast: provincial staff, a director (leader), two local officers
    of different localities (Long Xuyên, Châu Đốc) and a deactivated user, with
    the committees they act for."""

    def __init__(self):
        from campaign.committees.choices import MembershipRole
        from campaign.committees.models import Membership
        from campaign.planning.services.reference_committees import committees_seed

        load_areas()
        committees = committees_seed()
        self.province = committees.province_current
        self.province_2023 = committees.province_2023
        self.committee_a = committees.districts["ag89-883"]  # Long Xuyên
        self.committee_b = committees.districts["ag89-884"]  # Châu Đốc
        self.staff = provincial_staff()
        self.leader = director()
        self.officer_a = local_officer_a()
        self.officer_b = local_officer_b()
        self.deactivated = UserFactory(username="nghiviec", is_active=False)
        for user, committee, role in (
            (self.staff, self.province, MembershipRole.PROVINCIAL_STAFF),
            (self.leader, self.province, MembershipRole.LEADER),
            (self.officer_a, self.committee_a, MembershipRole.LOCAL_OFFICER),
            (self.officer_b, self.committee_b, MembershipRole.LOCAL_OFFICER),
            (self.deactivated, self.committee_a, MembershipRole.LOCAL_OFFICER),
        ):
            Membership.objects.get_or_create(
                user=user, committee=committee, defaults={"role": role}
            )

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


def ward_officer():
    """Local officer of the phường Long Xuyên committee (since 01/07/2025)."""
    return UserFactory(
        username="phuong.longxuyen", first_name="Tâm", last_name="Võ Minh"
    )


def commune_officer():
    """Local officer of the xã Mỹ Hòa Hưng committee (since 01/07/2025)."""
    return UserFactory(username="xa.myhoahung", first_name="Hoa", last_name="Lê Thị")


_AREA_DATA: dict | None = None
_REFERENCE_DATA: dict | None = None


def load_areas() -> None:
    """Load An Giang's areas (idempotent; nothing to do when they are there)."""
    from units.models import Area

    global _AREA_DATA  # noqa: PLW0603 - the parsed file is cached for the session
    if _AREA_DATA is None:
        _AREA_DATA = area_data_read()
    if Area.objects.count() == len(_AREA_DATA["areas"]):
        return
    areas_load(data=_AREA_DATA)


def load_reference_data() -> None:
    """Areas, then the reference data (documents, plan, committees), as a real
    install loads them; idempotent."""
    from campaign.committees.models import SteeringCommittee
    from campaign.planning.services.reference_data import (
        reference_data_load,
        reference_data_read,
    )

    global _REFERENCE_DATA  # noqa: PLW0603 - parsed once per session
    load_areas()
    # Loaded once per test database (conftest's django_db_setup): a TestCase's
    # transaction rolls back to it, so it is there unless a transactional test
    # flushed the tables.
    if SteeringCommittee.objects.filter(area__key="ag91-30313").exists():
        return
    if _REFERENCE_DATA is None:
        _REFERENCE_DATA = reference_data_read()
    reference_data_load(data=_REFERENCE_DATA)


def clear_reference_data() -> None:
    """An empty campaign, as after `migrate` on a new install — inside the
    test's transaction, for the tests of a fresh install and of the loaders."""
    from campaign.assessments.models import CriteriaSet
    from campaign.committees.models import (
        AuditEntry,
        CommitteeMember,
        Membership,
        SteeringCommittee,
    )
    from campaign.planning.models import LegalDocument, Phase, Plan, Programme, Target
    from units.choices import COMMUNE_LEVEL_KINDS, DISTRICT_LEVEL_KINDS
    from units.models import Area, AreaSuccession, Organisation, WardPolice

    for model in (
        CriteriaSet,
        AuditEntry,
        Membership,
        CommitteeMember,
        Target,
        Phase,
        Programme,
        Plan,
        LegalDocument,
        Organisation,
        AreaSuccession,
    ):
        model.objects.all().delete()
    WardPolice.objects.all().delete()
    for level in ("commune", "district", "province"):
        SteeringCommittee.objects.filter(level=level).delete()
    for kinds in (COMMUNE_LEVEL_KINDS, DISTRICT_LEVEL_KINDS, ("province",)):
        Area.objects.filter(kind__in=kinds).delete()


def reference_plan():
    """The plan 10/KH-BCĐ-CAT of the reference data (loaded if needed)."""
    from campaign.planning.models import Plan

    load_reference_data()
    return Plan.objects.get(document__number_symbol="10/KH-BCĐ-CAT")


class Personas:
    """The fixed cast, on the committees of the reference data: provincial
    staff and a director (leader) of the provincial committee of today; two
    local officers of commune-level committees of today (phường Long Xuyên,
    xã Mỹ Hòa Hưng); two local officers of the 2023 district-level committees
    (Long Xuyên, Châu Đốc); and a deactivated user."""

    def __init__(self):
        from campaign.committees.choices import CommitteeLevel, MembershipRole
        from campaign.committees.models import Membership, SteeringCommittee

        load_reference_data()
        committees = SteeringCommittee.objects.select_related("area")
        self.province = committees.get(
            level=CommitteeLevel.PROVINCE, valid_to__isnull=True
        )
        self.province_2023 = committees.get(area__key="ag89")
        self.committee_a = committees.get(area__key="ag89-883")  # Long Xuyên city
        self.committee_b = committees.get(area__key="ag89-884")  # Châu Đốc city
        self.committee_ward = committees.get(area__key="ag91-30307")  # P. Long Xuyên
        self.committee_commune = committees.get(
            area__key="ag91-30313"
        )  # X. Mỹ Hòa Hưng
        self.staff = provincial_staff()
        self.leader = director()
        self.officer_a = local_officer_a()
        self.officer_b = local_officer_b()
        self.officer_ward = ward_officer()
        self.officer_commune = commune_officer()
        self.deactivated = UserFactory(username="nghiviec", is_active=False)
        for user, committee, role in (
            (self.staff, self.province, MembershipRole.PROVINCIAL_STAFF),
            (self.leader, self.province, MembershipRole.LEADER),
            (self.officer_a, self.committee_a, MembershipRole.LOCAL_OFFICER),
            (self.officer_b, self.committee_b, MembershipRole.LOCAL_OFFICER),
            (self.officer_ward, self.committee_ward, MembershipRole.LOCAL_OFFICER),
            (
                self.officer_commune,
                self.committee_commune,
                MembershipRole.LOCAL_OFFICER,
            ),
            (self.deactivated, self.committee_a, MembershipRole.LOCAL_OFFICER),
        ):
            Membership.objects.get_or_create(
                user=user, committee=committee, defaults={"role": role}
            )

    @property
    def plan(self):
        from campaign.planning.models import Plan

        return Plan.objects.get(document__number_symbol="10/KH-BCĐ-CAT")

    @property
    def programme(self):
        from campaign.planning.selectors.periods import exemplary_programme

        return exemplary_programme()

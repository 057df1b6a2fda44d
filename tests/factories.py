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

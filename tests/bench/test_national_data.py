"""The national data set of the page benchmarks (``bench/national_data.py``,
issue 11): a small build (An Giang and one synthetic province, 500
registrations) in the test database — the same seed on the same day gives the
same rows, and the scoped selectors give each bench persona its own scope."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench import _national_build as national
from campaign.assessments.models import Assessment
from campaign.assessments.selectors.assessments import (
    assessment_get_for_user,
    assessment_list_for_user,
)
from campaign.registrations.models import Registration
from campaign.registrations.selectors.registrations import (
    registration_get_for_user,
    registration_list_for_user,
)

PASSWORD = "bench-test-password-138"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the national data set is built on PostgreSQL (COPY, its indexes)",
    ),
]


def build(seed: int = 138) -> dict:
    # Ids as a fresh database gives them, whatever an earlier build used.
    national.reset_sequences()
    return national.build(
        scale=national.SMALL, seed=seed, today=timezone.localdate(), password=PASSWORD
    )


def test_two_builds_from_the_same_seed_hold_the_same_rows():
    started = time.perf_counter()
    with transaction.atomic():
        first = build()
        first_sums = national.checksum()
        transaction.set_rollback(True)
    assert not Registration.objects.exists()
    with transaction.atomic():
        build(seed=139)
        other_sums = national.checksum()
        transaction.set_rollback(True)
    second = build()
    second_sums = national.checksum()

    assert second_sums == first_sums
    assert second["personas"] == first["personas"]
    # The checksum does see the rows: another seed gives other registrations.
    registrations = Registration._meta.db_table
    assert other_sums[registrations] != first_sums[registrations]
    # 500, and the persona's block where a later year's share is smaller.
    made = first["registrations"]["registrations"]
    assert 500 <= made <= 500 + 3 * (1 + national.PERSONA_ORGANISATIONS)
    assert first_sums[registrations].startswith(f"{made}:")
    assert time.perf_counter() - started < 60


def test_bench_commune_sees_its_committee_and_bench_staff_sees_everything():
    result = build()
    User = get_user_model()
    commune = User.objects.get(username=national.COMMUNE)
    staff = User.objects.get(username=national.STAFF)
    persona = result["personas"][national.COMMUNE]
    committee_id = persona["committee_id"]

    mine = registration_list_for_user(user=commune)
    assert mine.count() >= 24  # a few dozen, whatever the scale
    assert set(mine.values_list("committee_id", flat=True)) == {committee_id}
    assert (
        mine.count() == Registration.objects.filter(committee_id=committee_id).count()
    )
    elsewhere = Registration.objects.exclude(committee_id=committee_id).first()
    with pytest.raises(Http404):
        registration_get_for_user(user=commune, pk=elsewhere.pk)
    assert registration_get_for_user(user=commune, pk=persona["registration_pk"])

    assessments = assessment_list_for_user(user=commune)
    assert assessments.exists()
    assert set(assessments.values_list("committee_id", flat=True)) == {committee_id}
    other_assessment = Assessment.objects.exclude(committee_id=committee_id).first()
    with pytest.raises(Http404):
        assessment_get_for_user(user=commune, pk=other_assessment.pk)
    assert assessment_get_for_user(user=commune, pk=persona["assessment_pk"])

    assert (
        registration_list_for_user(user=staff).count() == Registration.objects.count()
    )
    assert assessment_list_for_user(user=staff).count() == Assessment.objects.count()
    ids = result["personas"][national.STAFF]
    assert registration_get_for_user(user=staff, pk=ids["registration_pk"])
    assert assessment_get_for_user(user=staff, pk=ids["assessment_pk"])
    # Every province, An Giang's codes first, for CAMPAIGN_PROVINCE_CODES.
    codes = result["province_codes"].split(",")
    assert codes[:2] == ["91", "89"] and len(codes) == 3


def test_the_personas_sign_in_and_open_their_registration_and_assessment():
    result = build()
    for username in national.PERSONAS:
        client = Client()
        client.post(reverse("login"), {"username": username, "password": PASSWORD})
        user = get_user_model().objects.get(username=username)
        assert client.session.get("_auth_user_id") == str(user.pk), username
        ids = result["personas"][username]
        registration = reverse(
            "registrations:registration_detail", args=[ids["registration_pk"]]
        )
        assessment = reverse(
            "assessments:assessment_detail", args=[ids["assessment_pk"]]
        )
        assert client.get(registration).status_code == 200, username
        assert client.get(assessment).status_code == 200, username
    assert get_user_model().objects.get(username=national.ADMIN).is_superuser

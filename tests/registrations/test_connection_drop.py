"""A registration with a new organisation is one transaction: when the
database connection is lost between the organisation and the registration,
neither is left behind, and neither is the stored document."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, OperationalError, connection

from campaign.planning.selectors.periods import current_year_of_programme
from campaign.registrations.models import Registration
from campaign.registrations.services import registrations as services
from tests.factories import Personas
from tests.registrations.test_registrations import pdf_file
from tests.services import require_postgresql
from units.models import Area, Organisation

NAME = "Trường THCS Nguyễn Du"


def stored_files() -> list[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return [p for p in root.rglob("*") if p.is_file()]


def register_new_organisation(personas: Personas):
    ward = Area.objects.get(key="ag91-30307")
    return services.registration_create(
        programme=personas.programme,
        year=current_year_of_programme(personas.programme),
        new_organisation=services.NewOrganisation(name=NAME, kind="school", area=ward),
        contact_name="Võ Minh Tâm",
        contact_phone="0296 3841 234",
        plan_summary="Trường học an toàn",
        document=pdf_file(),
        by=personas.officer_ward,
    )


def drop_own_connection() -> None:
    """Terminate this process's PostgreSQL session from another connection, as
    a network failure or a restarted server would."""
    pid = connection.connection.info.backend_pid
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_leaves_neither_organisation_nor_registration_nor_file():
    require_postgresql()
    personas = Personas()
    save = Registration.save

    def save_after_the_connection_is_gone(self, *args, **kwargs):
        # The organisation is saved and the document stored by now.
        assert Organisation.objects.filter(name=NAME).exists()
        assert any(p.parent.name == "registrations" for p in stored_files())
        drop_own_connection()
        return save(self, *args, **kwargs)

    with (
        mock.patch.object(Registration, "save", save_after_the_connection_is_gone),
        pytest.raises(DatabaseError),
    ):
        register_new_organisation(personas)
    connection.close()  # the next query opens a new connection

    assert not Organisation.objects.filter(name=NAME).exists()
    assert not Registration.objects.exists()
    assert stored_files() == []
    # And the same registration goes through once the database is back.
    registration = register_new_organisation(personas)
    assert registration.organisation.name == NAME
    assert len(stored_files()) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failure_after_the_file_is_stored_removes_the_file():
    """The same on any database: an error after the document was written."""
    personas = Personas()

    def fail(self, *args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    with (
        mock.patch.object(Registration, "save", fail),
        pytest.raises(OperationalError),
    ):
        register_new_organisation(personas)
    assert not Organisation.objects.filter(name=NAME).exists()
    assert not Registration.objects.exists()
    assert stored_files() == []

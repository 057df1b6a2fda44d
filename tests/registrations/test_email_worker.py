"""Notification e-mails with their real components: PostgreSQL, Redis and a
Celery worker process — one message per recipient, and none lost when the
broker loses the messages."""

from __future__ import annotations

import email
from pathlib import Path

import pytest

from campaign.registrations.choices import EmailStatus
from campaign.registrations.models import Notification
from campaign.registrations.services import notifications as notification_services
from campaign.registrations.services import registrations as services
from tests.factories import Personas
from tests.registrations.test_registrations import pdf_file
from tests.services import (
    CeleryWorker,
    process_env,
    purge_broker,
    require_broker,
    require_postgresql,
    wait_for,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mailbox(tmp_path) -> Path:
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


@pytest.fixture
def worker(settings, tmp_path, mailbox):
    require_postgresql()
    broker = require_broker()
    purge_broker(broker)
    started = CeleryWorker(
        process_env(
            settings,
            broker,
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(mailbox),
            SITE_URL="https://bcd138.example",
        ),
        tmp_path / "worker.log",
    )
    yield started
    started.stop()


def messages(mailbox: Path) -> list[email.message.Message]:
    found = []
    for path in sorted(mailbox.glob("*.log")):
        # The file backend writes each message followed by a line of dashes.
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                found.append(email.message_from_string(chunk.strip()))
    return found


def submit(personas: Personas):
    from campaign.planning.selectors.periods import current_year_of_programme
    from units.models import Area

    registration = services.registration_create(
        programme=personas.programme,
        year=current_year_of_programme(personas.programme),
        area=Area.objects.get(key="ag91-30307"),
        contact_name="Võ Minh Tâm",
        contact_phone="0296 3841 234",
        plan_summary="Khu phố an toàn",
        document=pdf_file(),
        by=personas.officer_ward,
    )
    return services.registration_submit(
        registration=registration, by=personas.officer_ward
    )


def test_the_worker_sends_one_message_per_recipient_with_a_link(worker, mailbox):
    personas = Personas()
    for user, address in ((personas.staff, "c1@example.invalid"),):
        user.email = address
        user.save()
    worker.start()
    submit(personas)
    wait_for(
        lambda: (
            not Notification.objects.filter(
                email_status__in=(EmailStatus.PENDING, EmailStatus.SENDING)
            ).exists()
        ),
        60,
        "the e-mails to be sent",
    )
    sent = messages(mailbox)
    assert [m["To"] for m in sent] == ["c1@example.invalid"]
    body = sent[0].get_payload()
    assert "https://bcd138.example/notifications/" in body
    assert Notification.objects.get(recipient=personas.staff).email_status == (
        EmailStatus.SENT
    )


def test_messages_the_broker_lost_are_sent_by_the_reconciler(worker, mailbox):
    personas = Personas()
    personas.staff.email = "c1@example.invalid"
    personas.staff.save()
    # No worker yet: the messages wait in Redis, which then loses them.
    submit(personas)
    purge_broker(require_broker())
    assert Notification.objects.filter(email_status=EmailStatus.PENDING).count() == 1
    worker.start()
    Notification.objects.update(
        created_at=Notification.objects.get().created_at
        - notification_services.EMAIL_RESEND_AFTER * 2
    )
    assert notification_services.notification_emails_reconcile() == 1
    wait_for(
        lambda: Notification.objects.filter(email_status=EmailStatus.SENT).exists(),
        60,
        "the lost e-mail to be sent again",
    )
    assert [m["To"] for m in messages(mailbox)] == ["c1@example.invalid"]

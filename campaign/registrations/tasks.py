"""Celery tasks of the registrations room: each takes ids only and calls one
service."""

from celery import shared_task

from campaign import uploads
from campaign.registrations.services import notifications

# 1, 2, 4, 8 minutes between attempts.
RETRY_BASE_SECONDS = 60


@shared_task(
    name="registrations.tasks.notification_email_send",
    ignore_result=True,
    # A failed attempt (the service has logged it and put the row back to
    # pending) is sent again after 1, 2, 4 and 8 minutes; the service marks the
    # fifth failure final itself. The message is acknowledged only once the
    # task has run, so a worker that dies mid-send hands it back.
    autoretry_for=(notifications.EmailNotSent,),
    retry_backoff=RETRY_BASE_SECONDS,
    retry_backoff_max=16 * RETRY_BASE_SECONDS,
    retry_jitter=False,
    max_retries=notifications.EMAIL_MAX_ATTEMPTS - 1,
    acks_late=True,
)
def notification_email_send_task(notification_id: int) -> None:
    notifications.notification_email_send(notification_id=notification_id)


@shared_task(
    name="registrations.tasks.notification_emails_reconcile", ignore_result=True
)
def notification_emails_reconcile_task() -> None:
    notifications.notification_emails_reconcile()


@shared_task(name="registrations.tasks.pending_uploads_sweep", ignore_result=True)
def pending_uploads_sweep_task() -> None:
    uploads.pending_uploads_sweep()

"""Celery tasks of the registrations room: each takes ids only and calls one
service."""

from celery import shared_task

from campaign import uploads
from campaign.registrations.services import notifications

# 1, 2, 4, 8 minutes between attempts.
RETRY_BASE_SECONDS = 60


@shared_task(
    bind=True,
    name="registrations.tasks.notification_email_send",
    ignore_result=True,
    max_retries=notifications.EMAIL_MAX_ATTEMPTS - 1,
)
def notification_email_send_task(self, notification_id: int) -> None:
    try:
        notifications.notification_email_send(notification_id=notification_id)
    except notifications.EmailNotSent as error:
        raise self.retry(
            exc=error, countdown=RETRY_BASE_SECONDS * 2**self.request.retries
        ) from error


@shared_task(
    name="registrations.tasks.notification_emails_reconcile", ignore_result=True
)
def notification_emails_reconcile_task() -> None:
    notifications.notification_emails_reconcile()


@shared_task(name="registrations.tasks.pending_uploads_sweep", ignore_result=True)
def pending_uploads_sweep_task() -> None:
    uploads.pending_uploads_sweep()

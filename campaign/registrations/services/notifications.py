"""Notifications: who is told what when a registration moves, and the e-mail
copy of each notification.

A notification is stored as a kind and its parameters and worded when shown, in
the reader's language. Its e-mail goes to its one recipient (never a list of
addresses that would show each other's), in Vietnamese, with a link to the page,
sent by a Celery task after the transaction commits. The notification row is the
source of truth for the delivery: the task claims it by a conditional update (a
second delivery sends nothing), a failed attempt is logged and retried with a
growing delay, the last failure is kept with its reason, and the reconciler
sends again what the broker lost.
"""

from __future__ import annotations

import datetime
import logging
import re
import unicodedata
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaign.committees.choices import CommitteeLevel, MembershipRole
from campaign.committees.models import SteeringCommittee, User
from campaign.registrations.choices import EmailStatus, NotificationKind
from campaign.registrations.models import Notification, Registration
from campaign.registrations.selectors.registrations import notification_get_for_user

logger = logging.getLogger(__name__)

# Who hears about each step: the reviewers of the province, or the officers of
# the registering committee and the registration's author.
TO_REVIEWERS = {
    NotificationKind.SUBMITTED,
    NotificationKind.RESUBMITTED,
    NotificationKind.WITHDRAWN,
}
EMAIL_MAX_ATTEMPTS = 5
# A claimed e-mail whose worker vanished is sent again after this long.
EMAIL_CLAIM_TIMEOUT = datetime.timedelta(minutes=10)
# A pending e-mail no worker picked up (its message lost) is sent again after this.
EMAIL_RESEND_AFTER = datetime.timedelta(minutes=2)
# Unicode categories that have no place in a header: controls (Cc: CR, LF, NUL,
# ESC…), format characters (Cf: bidi overrides, zero-width…), line and
# paragraph separators (Zl, Zp), unassigned, private-use and surrogates.
_NOT_IN_A_HEADER = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp"})
# An address inside an error message (SMTP refusals quote them): kept on the
# notification for staff, masked in the log.
_ADDRESS = re.compile(r"[^\s<>()\[\]'\",;:]+@[^\s<>()\[\]'\",;:]+")


class EmailNotSent(Exception):
    """An attempt to send failed and may be retried."""


def reviewers() -> QuerySet[User]:
    """The provincial staff who review registrations and assessments."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__role=MembershipRole.PROVINCIAL_STAFF,
            memberships__committee__level=CommitteeLevel.PROVINCE,
        )
        .distinct()
    )


def _registrants(registration: Registration) -> QuerySet[User]:
    return committee_officers(registration.committee, also=registration.created_by)


def notify(registration: Registration, kind: str) -> list[Notification]:
    """Tell the right people that ``registration`` moved (``kind``): one
    notification each, and its e-mail sent after the transaction commits."""
    recipients = list(
        reviewers() if kind in TO_REVIEWERS else _registrants(registration)
    )
    params = {
        "unit": registration.unit_name,
        "year": registration.year,
        "committee": registration.committee.short_name,
        "reason": registration.return_reason,
    }
    return notify_users(recipients, kind, params, registration=registration)


def committee_officers(
    committee: SteeringCommittee, *, also: User | None = None
) -> QuerySet[User]:
    """The active local officers of ``committee`` (and the user ``also``)."""
    users = get_user_model().objects
    officers = users.filter(
        is_active=True,
        memberships__committee=committee,
        memberships__role=MembershipRole.LOCAL_OFFICER,
    )
    if also is not None:
        officers = officers | users.filter(pk=also.pk, is_active=True)
    return officers.distinct()


def notify_users(
    recipients: Iterable[User],
    kind: str,
    params: dict,
    *,
    registration: Registration | None = None,
    link: tuple[str, int] | None = None,
) -> list[Notification]:
    """One notification per recipient (a registration's, or one leading to the
    page ``link``), and each e-mail sent after the transaction commits."""
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=kind,
            params=params,
            registration=registration,
            link_name=link[0] if link else "",
            link_pk=link[1] if link else None,
            email_status=EmailStatus.PENDING if user.email else EmailStatus.NOT_NEEDED,
        )
        for user in recipients
    )
    to_send = [n.pk for n in notifications if n.email_status == EmailStatus.PENDING]
    if to_send:
        transaction.on_commit(lambda: _enqueue(to_send))
    return notifications


def _enqueue(notification_ids: list[int]) -> None:
    from campaign.registrations.tasks import notification_email_send_task

    for pk in notification_ids:
        try:
            notification_email_send_task.delay(pk)
        except Exception:
            # The broker is down: the row stays pending and the reconciler
            # sends it later. The registration step itself has succeeded.
            logger.exception("Could not queue the e-mail of notification %s", pk)


@transaction.atomic
def notification_open(*, user: User, pk: int) -> Notification:
    """The user's notification, marked read (opening it is reading it)."""
    notification = notification_get_for_user(user=user, pk=pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def _claim(notification_id: int) -> bool:
    """Take the e-mail for sending; false when it is not (or no longer) due —
    already sent, failed for good, or being sent by another worker."""
    return bool(
        Notification.objects.filter(
            pk=notification_id, email_status=EmailStatus.PENDING
        ).update(email_status=EmailStatus.SENDING, email_claimed_at=timezone.now())
    )


def _email_for(notification: Notification) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        text = notification.message
        path = reverse(
            "registrations:notification_open", kwargs={"pk": notification.pk}
        )
        body = "\n\n".join(
            [
                text,
                _("Open the registration: %(url)s") % {"url": settings.SITE_URL + path},
                _(
                    "This message was sent by the registry of the An Giang Province "
                    "Steering Committee 138; do not reply to it."
                ),
            ]
        )
        subject = f"[BCĐ 138] {text}"
    # A subject is one line, and short: a unit name or a reason holding CR/LF
    # would otherwise make Django refuse the message (BadHeaderError).
    subject = single_line(subject)[:150]
    return EmailMessage(subject, plain_text(body), None, [notification.recipient.email])


def single_line(text: str) -> str:
    """``text`` fit for a header: every control, format or line-separator
    character (CR, LF, NUL, ESC, U+2028, a bidi override…) becomes a space,
    and each run of spaces one space."""
    return " ".join(
        "".join(
            " " if unicodedata.category(char) in _NOT_IN_A_HEADER else char
            for char in text
        ).split()
    )


def plain_text(text: str) -> str:
    """``text`` fit for a plain-text body: every line break as ``\n``, and no
    other control or format character (a NUL or an ESC from a name would
    reach the mail server, which may refuse the message; a bidi override
    would show a name backwards)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(_plain_char(char) for char in text)


def _plain_char(char: str) -> str:
    if char in "\n\t":
        return char
    category = unicodedata.category(char)
    if category in ("Zl", "Zp"):
        return "\n"
    return " " if category in _NOT_IN_A_HEADER else char


def notification_email_send(*, notification_id: int) -> str:
    """Send the e-mail of one notification. Returns what happened ("sent",
    "skipped", "failed"); raises ``EmailNotSent`` when the attempt failed and
    another may succeed (the task retries it)."""
    if not _claim(notification_id):
        return "skipped"
    notification = Notification.objects.select_related("recipient").get(
        pk=notification_id
    )
    attempt = notification.email_attempts + 1
    message: EmailMessage | None = None
    try:
        message = _email_for(notification)
        message.send(fail_silently=False)
    except Exception as error:  # noqa: BLE001
        # Whatever the backend raises — a refused connection, an SMTP error, a
        # misconfiguration — is recorded on the row and retried; after the last
        # attempt the row says why it failed. Nothing is dropped silently. The
        # log names the notification and how many recipients the message had,
        # never its text or the addresses.
        reason = f"{type(error).__name__}: {error}"[:500]
        recipients = len(message.recipients()) if message is not None else 1
        logged_reason = _ADDRESS.sub("<address>", reason)
        final = attempt >= EMAIL_MAX_ATTEMPTS
        Notification.objects.filter(pk=notification_id).update(
            email_status=EmailStatus.FAILED if final else EmailStatus.PENDING,
            email_attempts=attempt,
            email_error=reason,
        )
        if final:
            logger.error(
                "E-mail of notification %s to %s recipient(s) failed for good "
                "after %s attempts: %s",
                notification_id,
                recipients,
                attempt,
                logged_reason,
            )
            return "failed"
        logger.warning(
            "E-mail of notification %s to %s recipient(s) failed (attempt %s of "
            "%s), retrying: %s",
            notification_id,
            recipients,
            attempt,
            EMAIL_MAX_ATTEMPTS,
            logged_reason,
        )
        raise EmailNotSent(reason) from error
    Notification.objects.filter(pk=notification_id).update(
        email_status=EmailStatus.SENT,
        email_attempts=attempt,
        email_sent_at=timezone.now(),
        email_error="",
    )
    return "sent"


def notification_emails_reconcile() -> int:
    """Send again what the broker lost: pending e-mails nobody picked up, and
    e-mails claimed by a worker that vanished. Returns how many were queued."""
    now = timezone.now()
    Notification.objects.filter(
        email_status=EmailStatus.SENDING, email_claimed_at__lt=now - EMAIL_CLAIM_TIMEOUT
    ).update(email_status=EmailStatus.PENDING)
    due = list(
        Notification.objects.filter(
            email_status=EmailStatus.PENDING,
            created_at__lt=now - EMAIL_RESEND_AFTER,
        ).values_list("pk", flat=True)[:500]
    )
    _enqueue(due)
    return len(due)

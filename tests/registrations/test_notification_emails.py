"""The e-mail of a notification whatever the names in it hold: one-line
subjects (CR/LF in a unit name would make Django refuse the reviewers'
message with BadHeaderError), no control characters, failures logged with the
recipient count but never the addresses or the text, and retried with a
growing delay."""

from __future__ import annotations

import smtplib
from unittest import mock

from celery.exceptions import Retry
from django.core import mail
from django.test import SimpleTestCase, override_settings

from campaign.committees.choices import MembershipRole
from campaign.committees.models import Membership
from campaign.registrations.choices import EmailStatus
from campaign.registrations.models import Notification, Registration
from campaign.registrations.services import notifications as notification_services
from campaign.registrations.services import registrations as services
from campaign.registrations.tasks import notification_email_send_task
from tests.factories import UserFactory
from tests.registrations.test_registrations_today import TodayTestCase
from tests.services import eager_tasks


class RefusingBackend:
    """A mail server that refuses every recipient, naming them (as SMTP does)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused(
            {m.to[0]: (550, b"5.1.1 mailbox unavailable") for m in messages}
        )


HOSTILE_UNIT = "Phường X\r\nBcc: ke.gian@example.invalid\r\n\r\nNội dung giả"


class NotificationEmailTests(TodayTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # Two reviewers with an address each: one message per recipient.
        cls.second_staff = UserFactory(
            username="canbo.tinh2", email="c2@example.invalid"
        )
        Membership.objects.create(
            user=cls.second_staff,
            committee=cls.p.province,
            role=MembershipRole.PROVINCIAL_STAFF,
        )
        cls.p.staff.email = "c1@example.invalid"
        cls.p.staff.save()

    def setUp(self):
        super().setUp()
        # The e-mail task runs inside the test (its real worker: test_email_worker).
        self.enterContext(eager_tasks())

    def submit_named(self, unit_name: str) -> Registration:
        registration = self.register()
        # A name as it may come from elsewhere than the registration form (the
        # areas data, an organisation edited by hand): not cleaned on the way in.
        Registration.objects.filter(pk=registration.pk).update(unit_name=unit_name)
        registration.refresh_from_db()
        with self.captureOnCommitCallbacks(execute=True):
            services.registration_submit(
                registration=registration, by=self.p.officer_ward
            )
        return registration

    def test_a_unit_name_with_cr_lf_still_reaches_every_reviewer(self):
        self.submit_named(HOSTILE_UNIT)
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox),
            ["c1@example.invalid", "c2@example.invalid"],
        )
        self.assertEqual(
            set(Notification.objects.values_list("email_status", flat=True)),
            {EmailStatus.SENT},
        )
        for message in mail.outbox:
            self.assertNotIn("\r", message.subject)
            self.assertNotIn("\n", message.subject)
            self.assertIn(
                "Phường X Bcc: ke.gian@example.invalid Nội dung giả", message.subject
            )
            headers = message.message()
            self.assertIsNone(headers["Bcc"])
            self.assertEqual(message.bcc, [])
            self.assertEqual(len(message.recipients()), 1)
            # The body keeps the name, its line breaks as plain newlines.
            self.assertIn("Phường X\nBcc: ke.gian@example.invalid", message.body)
            self.assertNotIn("\r", message.body)

    def test_control_characters_never_reach_a_header_or_the_body(self):
        # (PostgreSQL keeps no NUL in a text column; the other ones it keeps.)
        self.submit_named("Phường\x1b[31m X\u2028Y\u202e Z\x0b")
        self.assertEqual(len(mail.outbox), 2)
        message = mail.outbox[0]
        self.assertIn("Phường [31m X Y Z (năm", message.subject)
        for char in ("\x1b", "\u2028", "\u202e", "\x0b"):
            with self.subTest(char=repr(char)):
                self.assertNotIn(char, message.subject)
                self.assertNotIn(char, message.body)
        # The line separator is a line break in the body.
        self.assertIn("X\nY", message.body)

    def test_the_cleaning_itself(self):
        self.assertEqual(
            notification_services.single_line("a\r\nb\x00c\td\u0085e\u200ff  g"),
            "a b c d e f g",
        )
        self.assertEqual(
            notification_services.plain_text("a\r\nb\rc\x00d\te\u2029f\u202eg"),
            "a\nb\nc d\te\nf g",
        )

    @override_settings(
        EMAIL_BACKEND="tests.registrations.test_notification_emails.RefusingBackend"
    )
    def test_a_failure_is_logged_with_the_recipient_count_only(self):
        self.second_staff.email = ""
        self.second_staff.save()
        with self.assertLogs(
            "campaign.registrations.services.notifications", "WARNING"
        ) as logs:
            self.submit_named("Phường Bình Đức")
        self.assertEqual(
            [r.levelname for r in logs.records],
            ["WARNING"] * (notification_services.EMAIL_MAX_ATTEMPTS - 1) + ["ERROR"],
        )
        for line in logs.output:
            self.assertIn("to 1 recipient(s)", line)
            self.assertNotIn("c1@example.invalid", line)
            self.assertNotIn("Bình Đức", line)  # nothing of the text
        self.assertIn("failed for good", logs.output[-1])
        self.assertIn("SMTPRecipientsRefused: {'<address>'", logs.output[-1])
        # The in-app notification stays, with the reason of the last failure
        # (addresses included: staff read it to fix the account).
        notification = Notification.objects.get(recipient=self.p.staff)
        self.assertEqual(notification.email_status, EmailStatus.FAILED)
        self.assertIn("c1@example.invalid", notification.email_error)
        self.assertIn("mailbox unavailable", notification.email_error)


class RetryScheduleTests(SimpleTestCase):
    def test_a_failed_attempt_is_retried_after_1_2_4_then_8_minutes(self):
        task = notification_email_send_task
        self.assertTrue(task.acks_late)
        countdowns = []
        for retries in range(4):
            with (
                mock.patch.object(
                    notification_services,
                    "notification_email_send",
                    side_effect=notification_services.EmailNotSent("refused"),
                ),
                mock.patch.object(task, "retry", side_effect=Retry()) as retry,
            ):
                task.apply(args=[1], retries=retries)
            countdowns.append(retry.call_args.kwargs["countdown"])
        self.assertEqual(countdowns, [60, 120, 240, 480])
        self.assertEqual(task.max_retries, notification_services.EMAIL_MAX_ATTEMPTS - 1)

"""Notifications: stored as a kind and its parameters and worded when shown (in
English under /en/), read when opened, "resubmitted" when they are, and sent by
e-mail one message per recipient with a link, by a Celery task that logs and
retries a failure and never drops one silently."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from unittest import mock

from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from campaign.committees.choices import MembershipRole
from campaign.committees.models import Membership
from campaign.registrations.choices import EmailStatus, NotificationKind
from campaign.registrations.models import Notification
from campaign.registrations.services import notifications as notification_services
from campaign.registrations.services import registrations as services
from tests.factories import UserFactory
from tests.registrations.test_registrations_today import TodayTestCase
from tests.services import eager_tasks


class FailingBackend:
    """An SMTP server that refuses the first ``failures`` messages."""

    failures = 0
    attempts = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).attempts <= type(self).failures:
            raise smtplib.SMTPServerDisconnected("the mail server went away")
        mail.outbox.extend(messages)
        return len(messages)


class NotificationTests(TodayTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # A second reviewer, so that one message per recipient can be seen.
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

    def submit(self):
        registration = self.register()
        with self.captureOnCommitCallbacks(execute=True):
            return services.registration_submit(
                registration=registration, by=self.p.officer_ward
            )

    def test_stored_as_a_kind_and_parameters_worded_in_the_readers_language(self):
        self.submit()
        notification = Notification.objects.get(recipient=self.p.staff)
        self.assertEqual(notification.kind, NotificationKind.SUBMITTED)
        self.assertEqual(
            notification.params,
            {
                "unit": "Phường Long Xuyên",
                "year": self.year,
                "committee": "Ban Chỉ đạo 138 phường Long Xuyên",
                "reason": "",
            },
        )
        self.client.force_login(self.p.staff)
        page = self.client.get(reverse("registrations:notification_list"))
        self.assertContains(
            page,
            f"Ban Chỉ đạo 138 phường Long Xuyên đã gửi hồ sơ Phường Long Xuyên "
            f"(năm {self.year}) để xét duyệt.",
        )
        page = self.client.get("/en" + reverse("registrations:notification_list"))
        self.assertContains(
            page,
            f"Phường Long Xuyên ({self.year}) was submitted for review by "
            "Ban Chỉ đạo 138 phường Long Xuyên.",
        )

    def test_opening_one_marks_it_read_and_leads_to_its_registration(self):
        registration = self.submit()
        notification = Notification.objects.get(recipient=self.p.staff)
        self.client.force_login(self.p.staff)
        response = self.client.get(
            reverse("registrations:notification_open", args=[notification.pk])
        )
        self.assertRedirects(response, registration.get_absolute_url())
        notification.refresh_from_db()
        self.assertIsNotNone(notification.read_at)
        # Nobody opens someone else's notification.
        self.client.force_login(self.second_staff)
        response = self.client.get(
            reverse("registrations:notification_open", args=[notification.pk])
        )
        self.assertEqual(response.status_code, 404)

    def test_opening_an_assessments_notification_leads_to_the_assessment(self):
        # Assessment notifications name their page (link), not a registration.
        (notification,) = notification_services.notify_users(
            [self.p.staff],
            NotificationKind.RETURNED,
            {"unit": "Công an phường Long Xuyên"},
            link=("assessments:assessment_detail", 4242),
        )
        self.client.force_login(self.p.staff)
        response = self.client.get(
            reverse("registrations:notification_open", args=[notification.pk])
        )
        self.assertRedirects(
            response,
            reverse("assessments:assessment_detail", kwargs={"pk": 4242}),
            fetch_redirect_response=False,
        )

    def test_a_resubmission_says_it_is_one(self):
        registration = self.submit()
        services.registration_return(
            registration=registration, reason="Thiếu chữ ký", by=self.p.staff
        )
        registration.refresh_from_db()
        services.registration_submit(registration=registration, by=self.p.officer_ward)
        latest = Notification.objects.filter(recipient=self.p.staff).first()
        self.assertEqual(latest.kind, NotificationKind.RESUBMITTED)
        self.assertIn("đã gửi lại hồ sơ", latest.message)
        returned = Notification.objects.get(recipient=self.p.officer_ward)
        self.assertIn("Thiếu chữ ký", returned.message)

    def test_one_email_per_recipient_with_a_link_to_the_page(self):
        self.submit()
        self.assertEqual(len(mail.outbox), 2)
        self.assertEqual(
            sorted(tuple(m.to) for m in mail.outbox),
            [("c1@example.invalid",), ("c2@example.invalid",)],
        )
        for message in mail.outbox:
            self.assertEqual(len(message.to), 1)
            self.assertFalse(message.cc or message.bcc)
            self.assertIn("để xét duyệt", message.subject)
            self.assertRegex(message.body, r"http://\S+/notifications/\d+/")
        self.assertEqual(
            set(Notification.objects.values_list("email_status", flat=True)),
            {EmailStatus.SENT},
        )

    def test_a_recipient_without_an_address_gets_the_notification_only(self):
        self.p.staff.email = ""
        self.p.staff.save()
        self.submit()
        notification = Notification.objects.get(recipient=self.p.staff)
        self.assertEqual(notification.email_status, EmailStatus.NOT_NEEDED)
        self.assertEqual(len(mail.outbox), 1)

    @override_settings(
        EMAIL_BACKEND="tests.registrations.test_notifications.FailingBackend"
    )
    def test_a_failed_email_is_logged_and_retried_until_it_is_sent(self):
        FailingBackend.failures, FailingBackend.attempts = 2, 0
        self.second_staff.email = ""
        self.second_staff.save()
        with self.assertLogs(
            "campaign.registrations.services.notifications", "WARNING"
        ) as logs:
            self.submit()
        notification = Notification.objects.get(recipient=self.p.staff)
        self.assertEqual(notification.email_status, EmailStatus.SENT)
        self.assertEqual(notification.email_attempts, 3)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(len(logs.records), 2)
        self.assertIn("went away", logs.output[0])

    @override_settings(
        EMAIL_BACKEND="tests.registrations.test_notifications.FailingBackend"
    )
    def test_an_email_that_keeps_failing_is_kept_with_its_reason(self):
        FailingBackend.failures, FailingBackend.attempts = 99, 0
        self.second_staff.email = ""
        self.second_staff.save()
        with self.assertLogs(
            "campaign.registrations.services.notifications", "ERROR"
        ) as logs:
            self.submit()
        notification = Notification.objects.get(recipient=self.p.staff)
        self.assertEqual(notification.email_status, EmailStatus.FAILED)
        self.assertEqual(
            notification.email_attempts, notification_services.EMAIL_MAX_ATTEMPTS
        )
        self.assertIn("went away", notification.email_error)
        self.assertIn("failed for good", logs.output[-1])

    def test_the_reconciler_sends_what_the_broker_lost(self):
        with mock.patch.object(notification_services, "_enqueue"):
            self.submit()  # the messages never reach a worker
        self.assertEqual(len(mail.outbox), 0)
        pending = Notification.objects.filter(email_status=EmailStatus.PENDING)
        self.assertEqual(pending.count(), 2)
        # Too recent: a worker may still pick them up.
        self.assertEqual(notification_services.notification_emails_reconcile(), 0)
        pending.update(created_at=timezone.now() - timedelta(minutes=5))
        self.assertEqual(notification_services.notification_emails_reconcile(), 2)
        self.assertEqual(len(mail.outbox), 2)

    def test_an_email_claimed_by_a_vanished_worker_is_sent_again(self):
        with mock.patch.object(notification_services, "_enqueue"):
            self.submit()
        stale = timezone.now() - timedelta(minutes=30)
        Notification.objects.update(
            email_status=EmailStatus.SENDING, email_claimed_at=stale, created_at=stale
        )
        notification_services.notification_emails_reconcile()
        self.assertEqual(len(mail.outbox), 2)

    def test_a_second_delivery_sends_nothing(self):
        self.submit()
        notification = Notification.objects.get(recipient=self.p.staff)
        self.assertEqual(
            notification_services.notification_email_send(
                notification_id=notification.pk
            ),
            "skipped",
        )
        self.assertEqual(len(mail.outbox), 2)

"""Registrations of candidate units (đăng ký xây dựng điển hình), their workflow
log and the notifications they send."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from campaign.committees.models import SteeringCommittee
from campaign.planning.choices import UnitKind
from campaign.planning.models import Phase, Programme
from campaign.registrations.choices import (
    EmailStatus,
    NotificationKind,
    RegistrationStatus,
    notification_message,
)
from units.models import Area, Organisation


def registration_document_upload_to(instance: Registration, filename: str) -> str:
    # A generated name; the uploader's file name is kept for display only.
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"registrations/{uuid.uuid4().hex}.{extension}"


class Registration(models.Model):
    """A registration to build an exemplary unit of the movement (đăng ký xây dựng
    xã, phường, thị trấn, cơ quan, doanh nghiệp, cơ sở giáo dục điển hình): a
    commune-level area or an organisation, put forward by a local committee for a
    phase and a year, with its signed registration document. ``version`` guards
    against lost updates: every change must name the version it was made on."""

    committee = models.ForeignKey(
        SteeringCommittee,
        verbose_name=_("registering committee"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("commune, ward or township"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("agency, enterprise or school"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
    )
    unit_kind = models.CharField(
        _("unit kind"), max_length=16, choices=UnitKind.choices
    )
    unit_name = models.CharField(_("unit"), max_length=250)
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    phase = models.ForeignKey(
        Phase,
        verbose_name=_("phase"),
        on_delete=models.PROTECT,
        related_name="registrations",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    contact_name = models.CharField(_("contact person"), max_length=120)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    plan_summary = models.TextField(_("what the unit will do"), max_length=4000)
    document = models.FileField(
        _("signed registration document"),
        upload_to=registration_document_upload_to,
        blank=True,
    )
    document_name = models.CharField(
        _("original file name"), max_length=255, blank=True
    )
    document_size = models.PositiveIntegerField(_("file size"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.DRAFT,
        db_index=True,
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    over_quota_confirmed = models.BooleanField(
        _("approved beyond the quota, confirmed"), default=False
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    search_name = models.CharField(max_length=250, db_index=True, editable=False)
    # The contact person's name folded (no accents, lower case): "tu" finds "Tư".
    contact_search = models.CharField(
        max_length=120, db_index=True, editable=False, default=""
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    history = HistoricalRecords(
        excluded_fields=["search_name", "contact_search"],
        verbose_name=_("registration history"),
    )

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-year", "unit_kind", "unit_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(area__isnull=False) & Q(organisation__isnull=True))
                | (Q(area__isnull=True) & Q(organisation__isnull=False)),
                name="%(app_label)s_%(class)s_area_or_organisation",
                violation_error_message=_(
                    "A registration is for either an area or an organisation."
                ),
            ),
            # One live registration per unit and year (a withdrawn one does not count).
            models.UniqueConstraint(
                fields=["programme", "year", "area"],
                condition=~Q(status=RegistrationStatus.WITHDRAWN)
                & Q(area__isnull=False),
                name="%(app_label)s_%(class)s_one_per_area_and_year",
                violation_error_message=_(
                    "This unit is already registered for that year."
                ),
            ),
            models.UniqueConstraint(
                fields=["programme", "year", "organisation"],
                condition=~Q(status=RegistrationStatus.WITHDRAWN)
                & Q(organisation__isnull=False),
                name="%(app_label)s_%(class)s_one_per_organisation_and_year",
                violation_error_message=_(
                    "This unit is already registered for that year."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["year", "unit_kind", "status"]),
            # The quota table: counts per programme, year, kind and status.
            models.Index(fields=["programme", "year", "unit_kind", "status"]),
            models.Index(fields=["committee", "status"]),
            # The list's order (Meta.ordering), so that a page, even a deep
            # one, is read from the index instead of sorting every row. The
            # trailing status, committee and phase let the list's filters and
            # a local officer's scope be checked in the index too (index-only
            # scan); after the unique id they change nothing in the order.
            models.Index(
                fields=["-year", "unit_kind", "unit_name", "id"]
                + ["status", "committee", "phase"],
                name="registration_list_order_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_name} ({self.year})"

    def get_absolute_url(self) -> str:
        return reverse("registrations:registration_detail", kwargs={"pk": self.pk})


class RegistrationTransition(models.Model):
    """One step of a registration's workflow (submitted, returned, approved…): who,
    when, from which state to which, and why."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    from_status = models.CharField(
        _("from"), max_length=12, choices=RegistrationStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("to"), max_length=12, choices=RegistrationStatus.choices
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.registration}: {self.from_status} → {self.to_status}"


class Notification(models.Model):
    """An in-app notification (thông báo) to one user about a registration (or
    another record of the campaign, through ``link_name``/``link_pk``),
    stored as a kind and its parameters and worded when shown, in the reader's
    language. When the recipient has an e-mail address, the notification is
    also sent to them by e-mail, alone (one message per recipient), by a Celery
    task; ``email_status`` follows that delivery so that none is dropped
    silently: a failed attempt is logged and retried, a message Redis lost is
    sent again by the reconciler, and one that failed for good says why."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registration"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    # The page of what the notification is about when it is not a registration
    # (an assessment): a URL name and the pk it takes.
    link_name = models.CharField(max_length=80, blank=True, editable=False)
    link_pk = models.BigIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(
        _("e-mail"),
        max_length=10,
        choices=EmailStatus.choices,
        default=EmailStatus.NOT_NEEDED,
    )
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    email_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    email_sent_at = models.DateTimeField(_("e-mail sent at"), null=True, blank=True)
    email_error = models.CharField(_("e-mail error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["email_status", "created_at"]),
            # A user's notification list in its order: provincial staff are
            # told of every submission, thousands at national scale, which
            # the page would otherwise sort on every request.
            models.Index(
                fields=["recipient", "-created_at", "-id"],
                name="notification_list_order_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        """The notification worded in the active language."""
        return notification_message(self.kind, self.params)

    def target_url(self) -> str:
        """The page the notification leads to."""
        if self.link_name and self.link_pk is not None:
            return reverse(self.link_name, kwargs={"pk": self.link_pk})
        if self.registration_id is None:
            return reverse("registrations:notification_list")
        return reverse(
            "registrations:registration_detail", kwargs={"pk": self.registration_id}
        )

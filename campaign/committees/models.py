"""Steering committees, their members, and the users acting for them."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from campaign.committees.choices import (
    AuditAction,
    CommitteeLevel,
    CommitteeRole,
    MembershipRole,
)
from units.models import Area


class User(AbstractUser):
    """A person with an account (tài khoản người dùng): provincial staff, a local
    officer, a leader or a viewer, by their memberships in committees.

    ``session_epoch`` is part of the session hash: raising it ends every open
    session of the user, as a password change does — used when an account is
    deactivated or reactivated, so that reactivating it never revives a session
    opened before.
    """

    session_epoch = models.PositiveIntegerField(_("session epoch"), default=0)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def get_session_auth_hash(self) -> str:
        return self._session_hash(settings.SECRET_KEY)

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(fallback_secret)

    def _session_hash(self, secret: str) -> str:
        # Django's own salt, with the epoch beside the password hash.
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(
            key_salt,
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class SteeringCommittee(models.Model):
    """A steering committee (Ban Chỉ đạo phòng, chống tội phạm, … và xây dựng phong
    trào toàn dân bảo vệ an ninh Tổ quốc — "Ban Chỉ đạo 138") of the province, a
    district-level unit (until 1 July 2025) or a commune-level unit, over a span of
    dates. Its official name is stored per period, as local names vary."""

    level = models.CharField(_("level"), max_length=10, choices=CommitteeLevel.choices)
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="committees",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent committee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("official name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=120)
    standing_office = models.CharField(_("standing office"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("steering committee")
        verbose_name_plural = _("steering committees")
        ordering = ["level", "short_name"]
        indexes = [
            # The order of the report forms' committee lists
            # (reporting.selectors.report_scope_committees): the first 200
            # of 3,550 committees are read from it instead of sorting them all.
            models.Index(
                fields=["level", "-valid_from", "short_name"],
                name="committee_scope_order_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="%(app_label)s_%(class)s_valid_to_after_valid_from",
                violation_error_message=_("The end date must be after the start date."),
            ),
            models.UniqueConstraint(
                fields=["area", "valid_from"],
                name="%(app_label)s_%(class)s_one_per_area_and_start",
                violation_error_message=_(
                    "This area already has a committee starting on that date."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.short_name

    def get_absolute_url(self) -> str:
        return reverse("committees:committee_detail", kwargs={"pk": self.pk})

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


class CommitteeMember(models.Model):
    """A member of a steering committee (thành viên Ban Chỉ đạo): a person, their
    position in their own body and their role in the committee (Trưởng ban, Phó
    Trưởng ban thường trực, Phó Trưởng ban, Ủy viên)."""

    committee = models.ForeignKey(
        SteeringCommittee,
        verbose_name=_("committee"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    full_name = models.CharField(_("full name"), max_length=120)
    position = models.CharField(_("position"), max_length=200)
    role = models.CharField(
        _("committee role"), max_length=20, choices=CommitteeRole.choices
    )
    valid_from = models.DateField(_("member from"))
    valid_to = models.DateField(_("member until"), null=True, blank=True)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["committee", "role", "full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                name="%(app_label)s_%(class)s_valid_to_after_valid_from",
                violation_error_message=_("The end date must be after the start date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_role_display()})"


class Membership(models.Model):
    """A user's role in a committee (phân quyền người dùng): the committee a user
    acts for and what they may do there. A user's data scope is the union of the
    scopes of their committees."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    committee = models.ForeignKey(
        SteeringCommittee,
        verbose_name=_("committee"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=MembershipRole.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user", "committee"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "committee"],
                name="%(app_label)s_%(class)s_one_per_user_and_committee",
                violation_error_message=_(
                    "This user already has a role in this committee."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.committee} ({self.get_role_display()})"


class AuditEntry(models.Model):
    """An entry of the audit trail (nhật ký thao tác): who did what, to which
    record, when, and what changed — for everything that grants access or
    defines the campaign (roles, accounts, committees and members, documents,
    targets) and for the registrations' workflow. Written by the services in
    the same transaction as the change; never changed afterwards.

    ``actor`` is empty for the system (a management command such as
    ``load_reference_data``). ``object_label`` names the record as it was then,
    so the entry still reads well after the record is gone. ``link_name`` and
    ``link_pk`` point to the page where the record is shown. ``changes`` lists
    ``{"field", "old", "new"}`` with field labels kept untranslated, so that
    they are translated when shown.
    """

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices)
    object_label = models.CharField(_("record"), max_length=300)
    search_text = models.CharField(max_length=300, editable=False, db_index=True)
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account concerned"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries_about",
    )
    link_name = models.CharField(max_length=80, blank=True, editable=False)
    link_pk = models.BigIntegerField(null=True, blank=True, editable=False)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["action", "-at"]),
            models.Index(fields=["subject_user", "-at"]),
            models.Index(fields=["actor", "-at"]),
            # An assessment's history (its page's timeline and kept stamp).
            models.Index(fields=["link_pk", "link_name"], name="audit_link_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.object_label}"

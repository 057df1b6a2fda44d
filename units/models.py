from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from units.choices import AREA_KIND_PREFIX, AreaKind, OrganisationKind, level_of_kind


class Area(models.Model):
    """An administrative unit (đơn vị hành chính): tỉnh, thành phố, thị xã, huyện,
    phường, xã, thị trấn or đặc khu, valid over a span of dates.

    GSO codes (mã đơn vị hành chính) are reused across eras — 30307 was phường Mỹ
    Hòa before 1 July 2025 and is phường Long Xuyên after — so a unit is
    identified by its stable fixture ``key``, never by its code alone.
    ``valid_to`` is exclusive: the first day the unit no longer exists.
    """

    key = models.SlugField(_("key"), max_length=40, unique=True)
    code = models.CharField(_("GSO code"), max_length=10, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=AreaKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    valid_from = models.DateField(
        _("valid from"),
        null=True,
        blank=True,
        help_text=_("Empty: in force before the data's coverage begins."),
    )
    valid_to = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("First day the unit no longer exists; empty while it exists."),
    )
    search_name = models.CharField(
        _("search key"), max_length=140, db_index=True, editable=False
    )

    class Meta:
        verbose_name = _("administrative area")
        verbose_name_plural = _("administrative areas")
        # Units in force before the data's coverage (no start date) come first,
        # on SQLite and PostgreSQL alike.
        ordering = ["code", models.F("valid_from").asc(nulls_first=True)]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gt=models.F("valid_from")),
                name="%(app_label)s_%(class)s_valid_to_after_valid_from",
                violation_error_message=_("The end date must be after the start date."),
            ),
        ]
        indexes = [models.Index(fields=["valid_from", "valid_to"])]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("units:area_detail", kwargs={"pk": self.pk})

    @property
    def full_name(self) -> str:
        return f"{AREA_KIND_PREFIX[AreaKind(self.kind)]} {self.name}"

    @property
    def level(self) -> str:
        return level_of_kind(self.kind)

    def is_valid_on(self, day: datetime.date) -> bool:
        started = self.valid_from is None or self.valid_from <= day
        return started and (self.valid_to is None or day < self.valid_to)


class AreaSuccession(models.Model):
    """A succession (kế thừa) between administrative units on a reorganisation date:
    a merger (sáp nhập), an upgrade (huyện → thị xã) or a split, with its legal basis.
    """

    predecessor = models.ForeignKey(
        Area,
        verbose_name=_("predecessor"),
        on_delete=models.CASCADE,
        related_name="successions_out",
    )
    successor = models.ForeignKey(
        Area,
        verbose_name=_("successor"),
        on_delete=models.CASCADE,
        related_name="successions_in",
    )
    date = models.DateField(_("effective date"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("area succession")
        verbose_name_plural = _("area successions")
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"],
                name="%(app_label)s_%(class)s_unique_pair",
                violation_error_message=_("This succession is already recorded."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.date:%d/%m/%Y})"


class Organisation(models.Model):
    """An agency, enterprise or school (cơ quan, doanh nghiệp, cơ sở giáo dục) that
    can take part in the movement. It is located in an area and managed by the
    committee of ``managed_by`` — the province for provincial bodies, a district
    (until July 2025) for the ones the district managed.
    """

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    area = models.ForeignKey(
        Area,
        verbose_name=_("located in"),
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    managed_by = models.ForeignKey(
        Area,
        verbose_name=_("managed by the committee of"),
        on_delete=models.PROTECT,
        related_name="managed_organisations",
    )
    search_name = models.CharField(
        _("search key"), max_length=200, db_index=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "kind", "area"],
                name="%(app_label)s_%(class)s_unique_name_kind_area",
                violation_error_message=_(
                    "An organisation of this kind with this name already exists here."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class WardPolice(models.Model):
    """A ward police (Công an phường): the police of one ward, a unit of the
    "model ward police" programme (Công an phường điển hình, kiểu mẫu về an ninh,
    trật tự và văn minh đô thị). It exists exactly as long as its ward — its
    dates and successions are the ward's — so after a merger the new ward's
    police is a new unit, and its predecessors' records stay theirs."""

    area = models.OneToOneField(
        Area,
        verbose_name=_("ward"),
        on_delete=models.PROTECT,
        related_name="ward_police",
    )
    name = models.CharField(_("name"), max_length=120)
    search_name = models.CharField(
        _("search key"), max_length=120, db_index=True, editable=False
    )

    class Meta:
        verbose_name = _("ward police")
        verbose_name_plural = _("ward police")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def valid_from(self) -> datetime.date | None:
        return self.area.valid_from

    @property
    def valid_to(self) -> datetime.date | None:
        return self.area.valid_to

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.area.is_valid_on(day)

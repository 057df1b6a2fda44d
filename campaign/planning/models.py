"""Legal documents, the plan, its programmes, phases and targets."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campaign.committees.models import SteeringCommittee
from campaign.planning.choices import (
    DocumentType,
    ProgrammeKind,
    RoundingRule,
    TargetGrouping,
    TargetKind,
    UnitKind,
)


def legal_document_upload_to(instance: LegalDocument, filename: str) -> str:
    # A generated name: the uploader's file name is kept for display only.
    return f"documents/{uuid.uuid4().hex}.pdf"


class LegalDocument(models.Model):
    """A legal or guiding document (văn bản): Kế hoạch, Công văn, Nghị quyết, Quyết
    định, Đề án…, identified by its number and symbol (số, ký hiệu) such as
    "10/KH-BCĐ-CAT"."""

    reference_key = models.SlugField(
        _("reference data key"),
        max_length=40,
        blank=True,
        editable=False,
        help_text=_("Set for the documents loaded from the reference data."),
    )
    number_symbol = models.CharField(
        _("number and symbol"),
        max_length=60,
        blank=True,
        help_text=_("For example 10/KH-BCĐ-CAT. Leave empty while it is unknown."),
    )
    doc_type = models.CharField(_("type"), max_length=4, choices=DocumentType.choices)
    issued_on = models.DateField(_("date of issue"), null=True, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200)
    title = models.CharField(_("title (trích yếu)"), max_length=500)
    file = models.FileField(
        _("file (PDF)"), upload_to=legal_document_upload_to, blank=True
    )
    file_name = models.CharField(_("original file name"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        ordering = [F("issued_on").desc(nulls_last=True), "number_symbol"]
        constraints = [
            models.UniqueConstraint(
                fields=["number_symbol"],
                condition=~Q(number_symbol=""),
                name="%(app_label)s_%(class)s_unique_number_symbol",
                violation_error_message=_(
                    "A document with this number and symbol is already registered."
                ),
            ),
            models.UniqueConstraint(
                fields=["reference_key"],
                condition=~Q(reference_key=""),
                name="%(app_label)s_%(class)s_unique_reference_key",
            ),
        ]

    def __str__(self) -> str:
        return (
            self.number_symbol or f"{self.get_doc_type_display()} — {self.title[:60]}"
        )

    def get_absolute_url(self) -> str:
        return reverse("planning:document_detail", kwargs={"pk": self.pk})


class Plan(models.Model):
    """A plan of the steering committee (Kế hoạch), e.g. Kế hoạch 10/KH-BCĐ-CAT of
    08/02/2023 on building exemplary units of the movement."""

    document = models.OneToOneField(
        LegalDocument,
        verbose_name=_("plan document"),
        on_delete=models.PROTECT,
        related_name="plan",
    )
    committee = models.ForeignKey(
        SteeringCommittee,
        verbose_name=_("issuing committee"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    title = models.CharField(_("title"), max_length=300)
    legal_basis = models.ManyToManyField(
        LegalDocument,
        verbose_name=_("legal basis"),
        related_name="plans_based_on",
        blank=True,
    )

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("planning:plan_detail", kwargs={"pk": self.pk})


class Programme(models.Model):
    """One of the plan's programmes (chương trình): exemplary units of the movement,
    or model ward police (Công an phường điển hình, kiểu mẫu)."""

    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="programmes",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ProgrammeKind.choices)
    name = models.CharField(_("name"), max_length=300)
    legal_basis = models.ManyToManyField(
        LegalDocument,
        verbose_name=_("legal basis"),
        related_name="programmes_based_on",
        blank=True,
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["plan", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind"],
                name="%(app_label)s_%(class)s_one_per_kind",
                violation_error_message=_("The plan already has this programme."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Phase(models.Model):
    """A phase of the plan (giai đoạn), e.g. 2023–2025 or 2026–2030."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="phases"
    )
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["plan", "start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=F("start_year")),
                name="%(app_label)s_%(class)s_end_not_before_start",
                violation_error_message=_("The last year cannot be before the first."),
            ),
            models.UniqueConstraint(
                fields=["plan", "start_year"],
                name="%(app_label)s_%(class)s_unique_start",
                violation_error_message=_(
                    "The plan already has a phase starting that year."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start_year}–{self.end_year}"

    def contains_year(self, year: int) -> bool:
        return self.start_year <= year <= self.end_year


class Target(models.Model):
    """A target (chỉ tiêu) of a programme in a phase, as data: a number of units of
    a kind in a year (2023: 6 xã, 2 phường…), a minimum share by a year per
    grouping (≥ 30 % of ward police in each city and town by 2025, with its
    rounding rule), or at least N more each year (2026–2030)."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="targets",
    )
    phase = models.ForeignKey(
        Phase, verbose_name=_("phase"), on_delete=models.CASCADE, related_name="targets"
    )
    kind = models.CharField(
        _("kind of target"), max_length=20, choices=TargetKind.choices
    )
    year = models.PositiveSmallIntegerField(_("year"))
    unit_kind = models.CharField(
        _("unit kind"), max_length=16, choices=UnitKind.choices, blank=True
    )
    count = models.PositiveIntegerField(_("number of units"), null=True, blank=True)
    share_percent = models.DecimalField(
        _("minimum share (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    grouping = models.CharField(
        _("applies to"),
        max_length=20,
        choices=TargetGrouping.choices,
        default=TargetGrouping.PROVINCE,
    )
    rounding = models.CharField(
        _("rounding"),
        max_length=10,
        choices=RoundingRule.choices,
        default=RoundingRule.UP,
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["programme", "phase", "year", "kind", "unit_kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(share_percent__isnull=True)
                | Q(share_percent__gte=0, share_percent__lte=100),
                name="%(app_label)s_%(class)s_share_between_0_and_100",
                violation_error_message=_("The share must be between 0 and 100 %."),
            ),
            models.UniqueConstraint(
                fields=["programme", "phase", "kind", "year", "unit_kind", "grouping"],
                name="%(app_label)s_%(class)s_no_duplicate",
                violation_error_message=_("This target already exists."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} — {self.get_kind_display()} {self.year}"

"""Criteria sets, yearly assessments with their answers and evidence, and what
the campaign gives: recognitions, commendations, emulation pledges, reviews."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campaign.assessments.choices import (
    AssessmentStatus,
    Classification,
    CommendationForm,
    CriteriaSubject,
    RecipientKind,
    ReviewKind,
)
from campaign.committees.models import SteeringCommittee
from campaign.planning.models import LegalDocument
from campaign.registrations.models import Registration
from units.models import WardPolice


def _exactly_one_subject() -> Q:
    return (Q(registration__isnull=False) & Q(ward_police__isnull=True)) | (
        Q(registration__isnull=True) & Q(ward_police__isnull=False)
    )


class CriteriaSet(models.Model):
    """A criteria set (bộ tiêu chí), versioned: the criteria an assessment of a
    kind of unit is made against. A new version is published, never edited in
    place, so an assessment keeps the version it was made against. Seeded with
    placeholders ("Tiêu chí tạm — chờ văn bản chính thức") while the official
    wordings (QĐ 9745/QĐ-BCA-V05, the province's scheme) are not public."""

    subject = models.CharField(_("for"), max_length=20, choices=CriteriaSubject.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=300)
    basis = models.ForeignKey(
        LegalDocument,
        verbose_name=_("issued by the document"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="criteria_sets",
    )
    is_placeholder = models.BooleanField(
        _("placeholder texts"),
        default=False,
        help_text=_("The texts wait for the official wording."),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    reference_key = models.SlugField(max_length=40, blank=True, editable=False)
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("criteria set")
        verbose_name_plural = _("criteria sets")
        ordering = ["subject", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "version"],
                name="%(app_label)s_%(class)s_one_per_subject_and_version",
                violation_error_message=_("This version of the set already exists."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def get_absolute_url(self) -> str:
        return reverse("assessments:criteria_set_detail", kwargs={"pk": self.pk})


class CriterionGroup(models.Model):
    """A group of criteria (nhóm tiêu chí) of a set, e.g. "I. Công tác lãnh đạo,
    chỉ đạo"."""

    criteria_set = models.ForeignKey(
        CriteriaSet,
        verbose_name=_("criteria set"),
        on_delete=models.CASCADE,
        related_name="groups",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.CharField(_("code"), max_length=10)
    title = models.CharField(_("title"), max_length=300)

    class Meta:
        verbose_name = _("criterion group")
        verbose_name_plural = _("criterion groups")
        ordering = ["criteria_set", "position"]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class Criterion(models.Model):
    """One criterion (tiêu chí): its code, text, what evidence shows it, and
    whether a unit must meet it to "meet all criteria"."""

    group = models.ForeignKey(
        CriterionGroup,
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    code = models.CharField(_("code"), max_length=10)
    text = models.TextField(_("criterion"), max_length=2000)
    evidence_hint = models.CharField(_("evidence"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["group__position", "position"]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"


class Assessment(models.Model):
    """A yearly assessment (đánh giá theo tiêu chí) of a unit — an approved
    registration or a ward police — against a version of its criteria set:
    filled in and submitted by the local officer, verified criterion by
    criterion and accepted or returned by provincial staff. "Met N of M" and
    "meets all criteria" are derived from the answers, never typed. ``version``
    guards against lost updates, as for registrations."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registered unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
    )
    ward_police = models.ForeignKey(
        WardPolice,
        verbose_name=_("ward police"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    criteria_set = models.ForeignKey(
        CriteriaSet,
        verbose_name=_("criteria set"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    committee = models.ForeignKey(
        SteeringCommittee,
        verbose_name=_("assessing committee"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    unit_name = models.CharField(_("unit"), max_length=250)
    search_name = models.CharField(max_length=250, db_index=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
        db_index=True,
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
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

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-year", "unit_name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one_subject(),
                name="%(app_label)s_%(class)s_registration_or_ward_police",
                violation_error_message=_(
                    "An assessment is of a registered unit or of a ward police."
                ),
            ),
            models.UniqueConstraint(
                fields=["registration", "year"],
                condition=Q(registration__isnull=False),
                name="%(app_label)s_%(class)s_one_per_registration_and_year",
                violation_error_message=_(
                    "This unit is already assessed for that year."
                ),
            ),
            models.UniqueConstraint(
                fields=["ward_police", "year"],
                condition=Q(ward_police__isnull=False),
                name="%(app_label)s_%(class)s_one_per_ward_police_and_year",
                violation_error_message=_(
                    "This unit is already assessed for that year."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["committee", "status"]),
            models.Index(fields=["year", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.unit_name} ({self.year})"

    def get_absolute_url(self) -> str:
        return reverse("assessments:assessment_detail", kwargs={"pk": self.pk})


class Answer(models.Model):
    """The answer to one criterion in an assessment: met or not (unanswered
    while empty), a note, its evidence; once verified by provincial staff it is
    locked for the officer."""

    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    criterion = models.ForeignKey(
        Criterion,
        verbose_name=_("criterion"),
        on_delete=models.PROTECT,
        related_name="answers",
    )
    met = models.BooleanField(_("met"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["criterion__group__position", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"],
                name="%(app_label)s_%(class)s_one_per_criterion",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} — {self.criterion.code}"

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # A generated name; the uploader's file name is kept for display only.
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"evidence/{uuid.uuid4().hex}.{extension}"


class Evidence(models.Model):
    """An evidence file (tài liệu minh chứng) for one answer, checked like the
    registration documents and downloaded only through a scoped view."""

    answer = models.ForeignKey(
        Answer,
        verbose_name=_("answer"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to)
    file_name = models.CharField(_("original file name"), max_length=255)
    file_size = models.PositiveIntegerField(_("file size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.file_name


class AssessmentTransition(models.Model):
    """One step of an assessment's workflow: who, when, from and to, why."""

    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    from_status = models.CharField(
        _("from"), max_length=12, choices=AssessmentStatus.choices, blank=True
    )
    to_status = models.CharField(
        _("to"), max_length=12, choices=AssessmentStatus.choices
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
        verbose_name = _("assessment step")
        verbose_name_plural = _("assessment steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.from_status} → {self.to_status}"


class Recognition(models.Model):
    """A recognition (quyết định công nhận) of a unit as exemplary — or of a
    ward police as a model — for one year, on its accepted assessment; a later
    year needs its own, so a recognition can lapse."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registered unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recognitions",
    )
    ward_police = models.ForeignKey(
        WardPolice,
        verbose_name=_("ward police"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recognitions",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    assessment = models.OneToOneField(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.PROTECT,
        related_name="recognition",
    )
    decision_number = models.CharField(_("decision number"), max_length=60)
    decided_on = models.DateField(_("decision date"))
    authority = models.CharField(_("issued by"), max_length=200)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recognition")
        verbose_name_plural = _("recognitions")
        ordering = ["-year", "-decided_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one_subject(),
                name="%(app_label)s_%(class)s_registration_or_ward_police",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} ({self.year})"


class Commendation(models.Model):
    """A commendation (khen thưởng): its form — public praise, certificate or
    letter of merit, emulation flag, commemorative medal — the authority, a
    collective or an individual, the decision and the reason."""

    form = models.CharField(_("form"), max_length=12, choices=CommendationForm.choices)
    authority = models.CharField(_("awarded by"), max_length=200)
    recipient_kind = models.CharField(
        _("recipient"), max_length=12, choices=RecipientKind.choices
    )
    recipient_name = models.CharField(_("recipient's name"), max_length=250)
    # The recipient's name folded (no accents, lower case): "hung" finds "Hùng".
    recipient_search = models.CharField(
        max_length=250, db_index=True, editable=False, default=""
    )
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registered unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commendations",
    )
    ward_police = models.ForeignKey(
        WardPolice,
        verbose_name=_("ward police"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commendations",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    decision_number = models.CharField(_("decision number"), max_length=60)
    decided_on = models.DateField(_("decision date"))
    reason = models.TextField(_("reason"), max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        ordering = ["-decided_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~(
                    Q(registration__isnull=False) & Q(ward_police__isnull=False)
                ),
                name="%(app_label)s_%(class)s_one_unit_at_most",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_form_display()} — {self.recipient_name}"


class EmulationPledge(models.Model):
    """An emulation pledge (giao ước thi đua) signed by steering committees on
    a date for a year, its pledged items, and the year-end result."""

    title = models.CharField(_("title"), max_length=300)
    signed_on = models.DateField(_("signed on"))
    year = models.PositiveSmallIntegerField(_("year"))
    committees = models.ManyToManyField(
        SteeringCommittee, verbose_name=_("signing committees"), related_name="pledges"
    )
    year_end_result = models.TextField(_("year-end result"), blank=True)
    result_recorded_on = models.DateField(
        _("result recorded on"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("emulation pledge")
        verbose_name_plural = _("emulation pledges")
        ordering = ["-signed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.signed_on:%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return reverse("assessments:pledge_detail", kwargs={"pk": self.pk})


class PledgeItem(models.Model):
    """One pledged item (nội dung giao ước) and how it was achieved."""

    pledge = models.ForeignKey(
        EmulationPledge,
        verbose_name=_("pledge"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("pledged item"), max_length=500)
    result = models.CharField(_("result"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("pledged item")
        verbose_name_plural = _("pledged items")
        ordering = ["pledge", "position"]

    def __str__(self) -> str:
        return self.text


class Review(models.Model):
    """A review (sơ kết or tổng kết) of the campaign over a period: its date,
    notes and the classification of each model reviewed."""

    kind = models.CharField(_("kind"), max_length=10, choices=ReviewKind.choices)
    title = models.CharField(_("title"), max_length=300)
    held_on = models.DateField(_("held on"))
    period_start = models.PositiveSmallIntegerField(_("from year"))
    period_end = models.PositiveSmallIntegerField(_("to year"))
    notes = models.TextField(_("notes"), max_length=8000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-held_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="%(app_label)s_%(class)s_period_in_order",
                violation_error_message=_("The last year cannot be before the first."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessments:review_detail", kwargs={"pk": self.pk})


class ReviewClassification(models.Model):
    """How a review graded one model (xếp loại): xuất sắc, khá, trung bình, yếu."""

    review = models.ForeignKey(
        Review,
        verbose_name=_("review"),
        on_delete=models.CASCADE,
        related_name="classifications",
    )
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("registered unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_classifications",
    )
    ward_police = models.ForeignKey(
        WardPolice,
        verbose_name=_("ward police"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_classifications",
    )
    unit_name = models.CharField(_("unit"), max_length=250)
    classification = models.CharField(
        _("classification"), max_length=10, choices=Classification.choices
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("classification")
        verbose_name_plural = _("classifications")
        ordering = ["review", "unit_name"]
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one_subject(),
                name="%(app_label)s_%(class)s_registration_or_ward_police",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_name}: {self.get_classification_display()}"

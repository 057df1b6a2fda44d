from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reporting.choices import (
    FINISHED_STATUSES,
    UNFINISHED_STATUSES,
    FailureReason,
    ReportKind,
    ReportStatus,
)


class ReportJob(models.Model):
    """A requested report (yêu cầu lập báo cáo) and the source of truth for its
    progress: the Celery message only says "look at job N", so a message lost by
    the broker or a worker that died loses nothing — the reconciler re-sends
    from this table.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=40, choices=ReportKind.choices)
    params = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReportStatus.choices,
        default=ReportStatus.PENDING,
        db_index=True,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The worker holding the job proves it with this token; a job whose lease ran
    # out may be claimed again, and the old holder can then no longer finish it.
    lease_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", blank=True)
    file_size = models.PositiveIntegerField(
        _("file size (bytes)"), null=True, blank=True
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    # Why it failed, as a code shown in the reader's language
    # (``FailureReason``), its parameters, and the technical detail for staff.
    error_code = models.CharField(
        _("failure reason"), max_length=20, choices=FailureReason.choices, blank=True
    )
    error_params = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The committee whose scope the report covers (null: the whole province),
    # kept as a column so the province's history can be listed by scope.
    scope_committee = models.ForeignKey(
        "committees.SteeringCommittee",
        verbose_name=_("scope"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The parameters in a canonical form, hashed: two requests with the same
    # key are the same report (a second one reuses the running job).
    params_key = models.CharField(max_length=64, blank=True, db_index=True)
    # The worker's last sign of life while it renders (the heartbeat).
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="report_jobs",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    enqueued_at = models.DateTimeField(
        _("last sent to the queue"), null=True, blank=True
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="%(app_label)s_%(class)s_progress_at_most_100",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.DONE) | ~Q(sha256=""),
                name="%(app_label)s_%(class)s_done_has_checksum",
            ),
            # One unfinished job per person and parameters: asking again while
            # it is being prepared (or twice at once) reuses that job.
            models.UniqueConstraint(
                fields=["requested_by", "params_key"],
                condition=Q(status__in=UNFINISHED_STATUSES) & ~Q(params_key=""),
                name="%(app_label)s_%(class)s_one_unfinished_per_params",
            ),
        ]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"]),
            models.Index(fields=["-created_at"], name="reporting_job_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:report_detail", kwargs={"public_id": self.public_id})

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def is_stalled(self) -> bool:
        """Being prepared, but its worker has stopped renewing the lease (no
        heartbeat for a lease's length): interrupted, waiting for the
        reconciler to send it again — not working."""
        return (
            self.status == ReportStatus.RUNNING
            and self.lease_until is not None
            and self.lease_until < timezone.now()
        )

    @property
    def as_of(self) -> datetime.date | None:
        value = self.params.get("as_of")
        return datetime.date.fromisoformat(value) if value else None

    @property
    def failure_reason(self) -> str:
        """The failure in the active language (empty when it did not fail)."""
        if not self.error_code:
            return ""
        label = str(FailureReason(self.error_code).label)
        try:
            return label % {"attempts": self.attempts, **self.error_params}
        except (KeyError, TypeError, ValueError):
            return label

    @property
    def download_name(self) -> str:
        as_of = self.params.get("as_of", "")
        phase = self.params.get("phase", "")
        parts = [self.kind.replace("_", "-"), phase, as_of]
        return "-".join(p for p in parts if p) + ".pdf"


class ReportTexts(models.Model):
    """The written parts of a phase report that staff enter (nội dung báo cáo do
    cơ quan thường trực soạn): the situation (Đặc điểm tình hình), the overall
    assessment (Đánh giá chung), the directions (Phương hướng), the proposals
    (Đề xuất, kiến nghị), and who signs. One per phase and committee; a
    request copies them into the job's parameters, so a report keeps the texts
    it was made with."""

    committee = models.ForeignKey(
        "committees.SteeringCommittee",
        verbose_name=_("committee"),
        on_delete=models.CASCADE,
        related_name="report_texts",
    )
    phase = models.ForeignKey(
        "planning.Phase",
        verbose_name=_("phase"),
        on_delete=models.CASCADE,
        related_name="report_texts",
    )
    situation = models.TextField(_("situation"), max_length=8000, blank=True)
    assessment = models.TextField(_("overall assessment"), max_length=8000, blank=True)
    directions = models.TextField(_("directions"), max_length=8000, blank=True)
    proposals = models.TextField(
        _("proposals and recommendations"), max_length=8000, blank=True
    )
    signer_name = models.CharField(_("signer's name"), max_length=120, blank=True)
    signer_title = models.CharField(
        _("signer's title"), max_length=120, blank=True, default="TRƯỞNG BAN"
    )
    recipients = models.TextField(
        _("recipients (one per line)"), max_length=2000, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)

    class Meta:
        verbose_name = _("report texts")
        verbose_name_plural = _("report texts")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "phase"],
                name="%(app_label)s_%(class)s_one_per_committee_phase",
            )
        ]

    def __str__(self) -> str:
        return f"{self.committee} {self.phase}"

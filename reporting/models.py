from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reporting.choices import FINISHED_STATUSES, ReportKind, ReportStatus


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
    error = models.TextField(_("error"), blank=True)
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
        ]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:report_detail", kwargs={"public_id": self.public_id})

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def as_of(self) -> datetime.date | None:
        value = self.params.get("as_of")
        return datetime.date.fromisoformat(value) if value else None

    @property
    def download_name(self) -> str:
        as_of = self.params.get("as_of", "")
        return f"{self.kind.replace('_', '-')}-{as_of}.pdf"

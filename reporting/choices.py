from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    AREA_CATALOGUE = "area_catalogue", _("Catalogue of administrative units")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


FINISHED_STATUSES = (ReportStatus.DONE, ReportStatus.FAILED)

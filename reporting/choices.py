from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    """The kinds of the registry (``reporting.kinds``): one module each."""

    PHASE_PROGRESS = "phase_progress", _("Progress report of a phase")
    AREA_CATALOGUE = "area_catalogue", _("Catalogue of administrative units")


class ReportLanguage(models.TextChoices):
    VI = "vi", "Tiếng Việt"
    EN = "en", "English"


class FailureReason(models.TextChoices):
    """Why a report failed, stored as a code and shown in the reader's
    language; the technical detail is kept apart for staff."""

    WORKER_LOST = (
        "worker_lost",
        _("The worker preparing it stopped %(attempts)s times."),
    )
    NEVER_STARTED = (
        "never_started",
        _(
            "It could not be started after %(attempts)s attempts: the queue did not "
            "deliver it."
        ),
    )
    RENDER_FAILED = (
        "render_failed",
        _("An error occurred while preparing the document."),
    )
    TIMED_OUT = "timed_out", _("Preparing it took longer than allowed.")
    INVALID = "invalid", _("Its parameters are no longer valid.")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


FINISHED_STATUSES = (ReportStatus.DONE, ReportStatus.FAILED)
UNFINISHED_STATUSES = (ReportStatus.PENDING, ReportStatus.RUNNING)

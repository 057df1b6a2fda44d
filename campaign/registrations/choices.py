from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistrationStatus(models.TextChoices):
    """Where a registration (đăng ký xây dựng điển hình) stands."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", _("A registration was submitted")
    RETURNED = "returned", _("A registration was returned")
    APPROVED = "approved", _("A registration was approved")

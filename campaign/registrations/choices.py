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
    RESUBMITTED = "resubmitted", _("A returned registration was submitted again")
    RETURNED = "returned", _("A registration was returned")
    APPROVED = "approved", _("A registration was approved")
    WITHDRAWN = "withdrawn", _("A registration was withdrawn")
    # The yearly assessments (campaign.assessments) use the same notifications.
    ASSESSMENT_SUBMITTED = "a_submitted", _("An assessment was submitted")
    ASSESSMENT_RETURNED = "a_returned", _("An assessment was returned")
    ASSESSMENT_ACCEPTED = "a_accepted", _("An assessment was accepted")


# How each kind of notification reads; the parameters are stored with it, the
# words are chosen when it is shown, in the reader's language.
NOTIFICATION_MESSAGES = {
    NotificationKind.SUBMITTED: _(
        "%(unit)s (%(year)s) was submitted for review by %(committee)s."
    ),
    NotificationKind.RESUBMITTED: _(
        "%(unit)s (%(year)s) was submitted again by %(committee)s after it was "
        "returned for changes."
    ),
    NotificationKind.RETURNED: _(
        "%(unit)s (%(year)s) was returned for changes: %(reason)s"
    ),
    NotificationKind.APPROVED: _("%(unit)s (%(year)s) was approved."),
    NotificationKind.WITHDRAWN: _("%(unit)s (%(year)s) was withdrawn."),
    NotificationKind.ASSESSMENT_SUBMITTED: _(
        "The assessment of %(unit)s for %(year)s was submitted for verification by "
        "%(committee)s."
    ),
    NotificationKind.ASSESSMENT_RETURNED: _(
        "The assessment of %(unit)s for %(year)s was returned for changes: %(reason)s"
    ),
    NotificationKind.ASSESSMENT_ACCEPTED: _(
        "The assessment of %(unit)s for %(year)s was verified and accepted: %(result)s."
    ),
}
NOTIFICATION_PARAMS = ("unit", "year", "committee", "reason", "result")


def notification_message(kind: str, params: dict) -> str:
    template = NOTIFICATION_MESSAGES.get(kind)
    values = {name: params.get(name, "") for name in NOTIFICATION_PARAMS}
    if template is None:
        return str(values["unit"])
    return str(template) % values


class EmailStatus(models.TextChoices):
    """Where the e-mail copy of a notification stands."""

    NOT_NEEDED = "none", _("No e-mail address")
    PENDING = "pending", _("To be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")

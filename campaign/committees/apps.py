from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitteesConfig(AppConfig):
    """Steering committees, their members, the accounts acting for them, the
    access module and the audit trail of everything that grants or defines."""

    name = "campaign.committees"
    label = "committees"
    verbose_name = _("Committees and access")

    def ready(self) -> None:
        # The security log's receivers of the sign-in signals (issue 10).
        from campaign.committees import signals  # noqa: F401

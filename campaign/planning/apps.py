from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    """Legal documents, the plan, its programmes, phases and targets, and the
    reference data that a real install loads."""

    name = "campaign.planning"
    label = "planning"
    verbose_name = _("Plan and targets")

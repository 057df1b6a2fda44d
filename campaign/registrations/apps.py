from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    """Registrations of candidate exemplary units, their workflow, uploads and
    notifications."""

    name = "campaign.registrations"
    label = "registrations"
    verbose_name = _("Registrations")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo people and records of ``manage.py seed_demo``; no models."""

    name = "campaign.demo"
    label = "demo"
    verbose_name = _("Demo data")

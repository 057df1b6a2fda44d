"""Values every page's layout (templates/base.html) needs."""

from __future__ import annotations

import functools

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils import translation

# The addresses the layout links to on every page (header, menu, footer).
SITE_URL_NAMES = (
    "set_language",
    "home",
    "logout",
    "admin:index",
    "committees:profile",
    "committees:committee_list",
    "committees:account_list",
    "committees:audit_list",
    "registrations:notification_list",
    "registrations:registration_list",
    "assessments:assessment_list",
    "assessments:ward_police_overview",
    "assessments:progress",
    "planning:plan_list",
    "planning:document_list",
    "units:area_list",
    "reporting:dashboard",
    "reporting:report_list",
)


@functools.lru_cache(maxsize=32)
def _site_urls(language: str | None, script_prefix: str) -> dict[str, str]:
    # The URLs depend only on the language (its /en/ prefix) and the script
    # prefix: reversing the two dozen of them once per process instead of on
    # every page saves about a tenth of a simple page's time.
    return {name.replace(":", "_"): reverse(name) for name in SITE_URL_NAMES}


def site_urls(request: HttpRequest) -> dict[str, dict[str, str]]:
    """``site_urls.home``, ``site_urls.reporting_dashboard``…: the layout's
    links in the active language (``:`` of a namespaced name written ``_``)."""
    return {"site_urls": _site_urls(translation.get_language(), get_script_prefix())}

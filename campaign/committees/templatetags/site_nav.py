"""``{% site_nav_items %}``: the main menu's entries, written out in Python.

Why: every page draws the menu, and the template language spent about 0.6 ms
a page on its fifteen entries (a capability test, a translation, a link and a
"current page" test each) — a fifth of a bare view. The markup is the one the
layout wrote: ``<li class="nav-item"><a class="nav-link" href="…">…</a></li>``,
``aria-current="page"`` on the entry of the page's section, entries shown only
to those who may use them. The links come from ``site_urls`` (reversed once
per language by ``config.context_processors``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from campaign.committees import access
from campaign.committees.access import Capability
from units.html import html_format, html_join

register = template.Library()

# Whom an entry is for: a capability, everyone signed in (None), or admin users.
STAFF_ONLY = "is_staff"


@dataclass(frozen=True)
class NavEntry:
    url_key: str  # a key of ``site_urls``
    label: str
    shown_to: str | None
    # Whether the page (its view name and namespace) belongs to this entry.
    current: Callable[[str, str], bool]


def _within(*prefixes: str) -> Callable[[str, str], bool]:
    return lambda view_name, _namespace: any(p in view_name for p in prefixes)


NAV: tuple[NavEntry, ...] = (
    NavEntry("home", _("Home"), None, lambda v, _n: v == "home"),
    NavEntry(
        "reporting_dashboard",
        _("Dashboard"),
        Capability.VIEW,
        _within("reporting:dashboard"),
    ),
    NavEntry(
        "units_area_list",
        _("Administrative units"),
        None,
        lambda _v, namespace: namespace == "units",
    ),
    NavEntry(
        "registrations_registration_list",
        _("Registrations"),
        Capability.VIEW,
        _within("registrations:registration"),
    ),
    NavEntry(
        "assessments_assessment_list",
        _("Assessments"),
        Capability.VIEW,
        _within(
            "assessments:assessment",
            "assessments:criteria",
            "assessments:recognition_create",
        ),
    ),
    NavEntry(
        "assessments_ward_police_overview",
        _("Model ward police"),
        Capability.VIEW,
        _within("assessments:ward_police"),
    ),
    NavEntry(
        "assessments_progress",
        _("Progress and awards"),
        Capability.VIEW,
        lambda v, n: (
            v == "assessments:progress"
            or _within(
                "assessments:recognition_list",
                "assessments:commendation",
                "assessments:pledge",
                "assessments:review",
                "assessments:unit_history",
            )(v, n)
        ),
    ),
    NavEntry(
        "committees_committee_list",
        _("Committees"),
        Capability.VIEW,
        _within("committees:committee", "committees:member"),
    ),
    NavEntry(
        "planning_plan_list",
        _("Plan and targets"),
        Capability.VIEW,
        _within("planning:plan", "planning:target"),
    ),
    NavEntry(
        "planning_document_list",
        _("Documents"),
        Capability.VIEW,
        _within("planning:document"),
    ),
    NavEntry(
        "reporting_report_list",
        _("Reports"),
        None,
        lambda v, n: n == "reporting" and "reporting:dashboard" not in v,
    ),
    NavEntry(
        "committees_account_list",
        _("Accounts"),
        Capability.MANAGE_ACCOUNTS,
        _within("committees:account", "committees:membership"),
    ),
    NavEntry(
        "committees_audit_list",
        _("Audit log"),
        Capability.VIEW_AUDIT,
        lambda v, _n: v == "committees:audit_list",
    ),
    NavEntry(
        "admin_index",
        _("Administration"),
        STAFF_ONLY,
        lambda _v, namespace: namespace == "admin",
    ),
)


def _shown(entry: NavEntry, user) -> bool:
    if entry.shown_to is None:
        return True
    if entry.shown_to == STAFF_ONLY:
        return bool(user.is_staff)
    return access.can(user, entry.shown_to)


@register.simple_tag(takes_context=True)
def site_nav_items(context) -> SafeString:
    """The ``<li>`` entries of the main menu for the signed-in user."""
    request = context["request"]
    match = request.resolver_match
    view_name = (match.view_name if match else "") or ""
    namespace = (match.namespace if match else "") or ""
    urls = context["site_urls"]
    user = request.user
    current = html_format(' aria-current="{}"', "page")
    return html_join(
        "\n",
        '<li class="nav-item"><a class="nav-link" href="{}"{}>{}</a></li>',
        (
            (
                urls[entry.url_key],
                current if entry.current(view_name, namespace) else "",
                entry.label,
            )
            for entry in NAV
            if _shown(entry, user)
        ),
    )

"""Reads of the audit trail: the history page of provincial staff and the
history of one account."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from campaign.committees import access
from campaign.committees.access import Capability
from campaign.committees.choices import AUDIT_GROUPS
from campaign.committees.models import AuditEntry
from campaign.committees.models import User as Account
from units.text import fold

User = access.Reader


def audit_list_for_user(
    *,
    user: User,
    group: str = "",
    query: str = "",
    actor: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> QuerySet[AuditEntry]:
    """Entries of the trail, newest first, narrowed by the filters: a group of
    actions, words of the record's name (accents ignored), the acting user's
    name, a span of days. Provincial staff only."""
    access.require(user, Capability.VIEW_AUDIT)
    entries = AuditEntry.objects.select_related("actor").order_by("-at", "-pk")
    if group in AUDIT_GROUPS:
        entries = entries.filter(action__in=AUDIT_GROUPS[group][1])
    for word in fold(query).split():
        entries = entries.filter(search_text__contains=word)
    if actor:
        entries = entries.filter(actor__username__iexact=actor.strip())
    if since:
        entries = entries.filter(at__date__gte=since)
    if until:
        entries = entries.filter(at__date__lte=until)
    return entries


def audit_list_for_account(
    *, user: User, account: Account, limit: int = 20
) -> list[AuditEntry]:
    """The latest entries about one account (roles, activation, passwords)."""
    access.require(user, Capability.VIEW_AUDIT)
    return list(
        AuditEntry.objects.filter(subject_user=account)
        .select_related("actor")
        .order_by("-at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class ShownChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class ShownEntry:
    """An entry as the page shows it, in the active language."""

    entry: AuditEntry
    url: str
    changes: tuple[ShownChange, ...]


def _shown(value: str, is_label: bool) -> str:
    return gettext(value) if (is_label and value) else value


def shown_entries(entries: Iterable[AuditEntry]) -> list[ShownEntry]:
    """Translate the stored field labels and choice values, and resolve each
    entry's link, for the entries of one page."""
    rows = []
    for entry in entries:
        url = ""
        if entry.link_name and entry.link_pk is not None:
            try:
                url = reverse(entry.link_name, kwargs={"pk": entry.link_pk})
            except NoReverseMatch:
                url = ""
        changes = tuple(
            ShownChange(
                field=gettext(change.get("field", "")),
                old=_shown(change.get("old", ""), change.get("labels", False)),
                new=_shown(change.get("new", ""), change.get("labels", False)),
            )
            for change in entry.changes or ()
        )
        rows.append(ShownEntry(entry=entry, url=url, changes=changes))
    return rows

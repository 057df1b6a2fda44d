"""The committees a user may report on (``report_scope_committees``) as a
searchable choice list (units/widgets.py): the dashboard's locality filter,
the report request's scope and the report texts' committee, and their search
endpoint ``reporting:scope_search``, read the same ``ReportScopeChoices`` —
so the endpoint never offers what the forms would refuse. A national
database holds thousands of committees: they are read a few at a time and
searched by name, never listed whole."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Case, F, IntegerField, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext

from campaign.committees import access, kept
from campaign.committees.access import Actor
from campaign.committees.models import AuditEntry, SteeringCommittee
from reporting.selectors import report_scope_committees
from units.selectors import folded_name_search
from units.widgets import Option

_COLUMNS = ("pk", "short_name", "valid_from", "valid_to")
# What the scope's list is made of: the committees (a new one moves the
# stamp) and the audit trail (every committee service writes it).
SCOPE_STAMPED = ((SteeringCommittee, None), (AuditEntry, "at"))
Row = tuple[int, str, datetime.date, datetime.date | None]


def _day(day: datetime.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def period_label(name: str, start: datetime.date, end: datetime.date | None) -> str:
    """A committee named with its period: the provincial committee before and
    after 01/07/2025 share a name."""
    if end is None:
        return gettext("%(name)s (since %(start)s)") % {
            "name": name,
            "start": _day(start),
        }
    return gettext("%(name)s (%(start)s–%(end)s)") % {
        "name": name,
        "start": _day(start),
        "end": _day(end),
    }


def _around_name(
    start: datetime.date, end: datetime.date | None
) -> tuple[str, str] | None:
    """What ``period_label`` writes before and after the name for this
    period (the name then goes between them as it comes, as ``%`` puts it);
    ``None`` if a translation does not hold the name exactly once."""
    marker = "\x00"
    label = period_label(marker, start, end)
    if label.count(marker) != 1:
        return None
    before, _, after = label.partition(marker)
    return before, after


def scope_committee_search(
    *, committees: QuerySet[SteeringCommittee], query: str, limit: int
) -> QuerySet[SteeringCommittee]:
    """The committees of ``committees`` (already scoped) whose area's name
    holds every word of ``query``, accents ignored: those starting with the
    phrase, or having it at a word start, first; then as the list orders
    them. ``__contains`` on the folded ``Area.search_name`` (trigram index)."""
    return folded_name_search(
        committees,
        query,
        limit=limit,
        then=("level", "-valid_from", "area__search_name", "pk"),
        column="area__search_name",
    )


def scope_rows_own_first(
    *, committees: QuerySet[SteeringCommittee], own_ids: Iterable[int], limit: int
) -> list[Row]:
    """At most ``limit`` rows of ``committees`` in one query, the user's own
    committees (``own_ids``) first, then in the list's order; returned in
    the list's order. Whether the list is longer than ``limit`` - 1 and which
    committee is the user's own are then known from the same read, whatever
    the list's length (the dashboard's filter)."""
    own_ids = list(own_ids)
    order = [
        F(name[1:]).desc() if name.startswith("-") else F(name).asc()
        for name in committees.query.order_by
    ]
    mine = (
        Case(
            When(pk__in=own_ids, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        if own_ids
        else Value(1, output_field=IntegerField())
    )
    rows = (
        committees.annotate(
            position=Window(RowNumber(), order_by=order or [F("pk").asc()]),
            mine=mine,
        )
        .order_by("mine", "position")
        .values_list(*_COLUMNS, "position")[:limit]
    )
    return [row[:4] for row in sorted(rows, key=lambda row: row[4])]


class ReportScopeChoices:
    """``report_scope_committees(user)``: value the id, label the short name
    with its period, ungrouped, in the list's order (one query a read; the
    scope's own query once). The committees behind the values checked are
    kept (``objects``): a form returns them without reading them again.

    With ``stamp`` (naming the committees and the audit trail) the list's
    first entries are kept between requests for the user's scope: reading
    them was a third of the report centre's CPU at national scale."""

    def __init__(self, *, user: Actor, stamp: kept.Stamp | None = None) -> None:
        if stamp is not None:
            stamp.require(SteeringCommittee, AuditEntry)
        self.user = user
        self.stamp = stamp
        self._queryset: QuerySet[SteeringCommittee] | None = None
        self.objects: dict[str, SteeringCommittee] = {}

    def committees(self) -> QuerySet[SteeringCommittee]:
        if self._queryset is None:
            # Reads the province's root committees once, not at every use.
            self._queryset = report_scope_committees(user=self.user)
        return self._queryset

    @staticmethod
    def label(row: Row) -> str:
        _pk, name, start, end = row
        return period_label(name, start, end)

    @classmethod
    def _options(cls, rows: Iterable[Row]) -> list[Option]:
        """``period_label`` of each row, built once per distinct period (the
        committees of a reform share theirs): the page reads up to threshold
        + 1 rows to learn whether the list is long, and a gettext and two
        dates written per row were a fifth of the report centre's CPU."""
        written: dict[tuple[datetime.date, datetime.date | None], tuple | None] = {}
        options = []
        for pk, name, start, end in rows:
            period = (start, end)
            if period not in written:
                written[period] = _around_name(start, end)
            parts = written[period]
            label = (
                f"{parts[0]}{name}{parts[1]}"
                if parts is not None
                else period_label(name, start, end)
            )
            options.append((str(pk), label, ""))
        return options

    def options(self, *, limit: int) -> list[Option]:
        if self.stamp is None:
            return self._first(limit)
        return kept.kept_value(
            (
                "report-scope-options",
                access.scope_key(self.user),
                ",".join(settings.CAMPAIGN_PROVINCE_CODES),
                limit,
            ),
            lambda: self._first(limit),
            stamp=self.stamp,
        )

    def _first(self, limit: int) -> list[Option]:
        # Not ``first_in_order``: measured, its subquery cost more CPU to
        # compile than the top-N sort it saves (demo and national).
        return self._options(self.committees().values_list(*_COLUMNS)[:limit])

    def options_for(self, values: Iterable[str]) -> list[Option]:
        ids = [int(v) for v in values if str(v).isdigit() and len(str(v)) < 12]
        if not ids:
            return []
        found = list(self.committees().filter(pk__in=ids))
        self.objects.update({str(c.pk): c for c in found})
        return self._options(
            (c.pk, c.short_name, c.valid_from, c.valid_to) for c in found
        )

    def search(self, query: str, *, limit: int) -> list[Option]:
        found = scope_committee_search(
            committees=self.committees(), query=query, limit=limit
        )
        return self._options(found.values_list(*_COLUMNS))

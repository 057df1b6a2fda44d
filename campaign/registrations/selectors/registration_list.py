"""Reads behind the registration list: filters, counts by status and export rows.

Every function takes a queryset that is already scoped to the user
(``registration_list_for_user``) and only narrows or reads it, so nothing here
can widen what a user sees.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from campaign.committees import access, kept
from campaign.committees.access import Capability
from campaign.committees.models import AuditEntry, SteeringCommittee
from campaign.planning.choices import UnitKind
from campaign.planning.models import Phase, Programme
from campaign.planning.selectors.periods import (
    current_period,
    exemplary_programme,
    today,
)
from campaign.registrations.choices import RegistrationStatus
from campaign.registrations.models import Registration, RegistrationTransition
from campaign.registrations.selectors.registrations import QuotaTable, quota_table
from units.text import fold

EXPORT_CHUNK_SIZE = 2000

# A spreadsheet treats a cell starting with one of these as a formula (or, for
# tab and CR, may shift it into one): "=HYPERLINK(...)", "+cmd", "-1+1",
# "@SUM(...)". The full-width forms are read as formulas by some locales too.


def registration_filter(
    queryset: QuerySet[Registration],
    *,
    q: str = "",
    phase: int | None = None,
    year: int | None = None,
    unit_kind: str = "",
    status: str = "",
    locality: int | None = None,
) -> QuerySet[Registration]:
    """Narrow ``queryset`` by the list's filters; empty ones are ignored.

    ``q``: every word must appear in the folded unit name, accents and case
    ignored ("my binh" finds "Phường Mỹ Bình"), or the whole query in the
    folded name of the contact person ("van tu" finds "Nguyễn Văn Tư"). ``locality``: a committee; its registrations and
    those of the committees under it (a district's communes).
    """
    if phase:
        queryset = queryset.filter(phase_id=phase)
    if year:
        queryset = queryset.filter(year=year)
    if unit_kind:
        queryset = queryset.filter(unit_kind=unit_kind)
    if status:
        queryset = queryset.filter(status=status)
    if locality:
        # A subquery, not a join: the page and count queries stay as simple.
        under = SteeringCommittee.objects.filter(
            Q(pk=locality) | Q(parent_id=locality) | Q(parent__parent_id=locality)
        ).values("pk")
        queryset = queryset.filter(committee_id__in=under)
    words = fold(q).split()
    if words:
        in_name = Q()
        for word in words:
            # search_name is folded (lowercase, no accents): a plain LIKE.
            in_name &= Q(search_name__contains=word)
        # The contact person's name is folded too: "tu" finds "Nguyễn Văn Tư".
        queryset = queryset.filter(in_name | Q(contact_search__contains=fold(q)))
    return queryset


def registration_counts(queryset: QuerySet[Registration]) -> dict[str, int]:
    """How many of the (filtered) registrations there are in all (``"total"``)
    and in each status (keyed by the status value): one query with conditional
    aggregation."""
    # COUNT(status) rather than COUNT(id): only the status column is read,
    # which lets PostgreSQL answer from the status index (index-only scan).
    return queryset.order_by().aggregate(
        total=Count("status"),
        **{
            status: Count("status", filter=Q(status=status))
            for status in RegistrationStatus.values
        },
    )


# The tables the list's counts are made of: the registrations, their workflow
# steps (every change of status) and the audit trail (every other change);
# and those of its filter form's phases and localities, kept under the same
# stamp (``registration_list_stamp``).
COUNTS_STAMPED = (
    (Registration, "updated_at"),
    (RegistrationTransition, "at"),
    (SteeringCommittee, None),
    (Phase, None),
    (AuditEntry, "at"),
)


def registration_list_stamp() -> kept.Stamp:
    """The stamp of one request of the list (or its export): its counts, its
    filter form's phases and localities kept under one stamp query."""
    return kept.Stamp(COUNTS_STAMPED)


@dataclass(frozen=True)
class ListFigures:
    """The figures above the list: its counts by status (``total`` and one
    per status) and the quota table of the year shown."""

    counts: dict[str, int]
    quotas: QuotaTable


def registration_list_figures(
    queryset: QuerySet[Registration],
    *,
    user: access.Reader,
    filters: dict,
    phases: Sequence[Phase],
    chosen_year: int | None,
    stamp: kept.Stamp | None = None,
) -> ListFigures:
    """``registration_counts(queryset)`` and the quota table of the chosen
    year (by default the plan's current year), kept between requests while
    no registration, workflow step or audited record has changed
    (``campaign.committees.kept``): at national scale they cost four queries
    and about 4 ms on every request of the list. A target or a phase is
    changed by the planning services, which write the audit trail: the
    stamp moves with them too.

    ``queryset`` must be ``registration_list_for_user(user)`` narrowed by
    ``registration_filter(**filters)``, and ``phases`` every plan's phases
    (the filter form's): the kept figures are named by the user's scope (the
    whole province, or their committees), the filters, the chosen year and
    today's date, so nobody is ever shown counts made on someone else's
    scope, and a new year starts with its own quotas. ``stamp``: the
    request's ``registration_list_stamp()``, shared with its filter form.
    """
    scope = access.scope_key(user) if access.can(user, Capability.VIEW) else "none"
    named = tuple(sorted((key, str(value)) for key, value in filters.items()))
    day = today()

    def make() -> ListFigures:
        programme = exemplary_programme()
        own = [
            phase
            for phase in phases
            if programme is not None and phase.plan_id == programme.plan_id
        ]
        period = current_period(phases=own, on=day)
        year = chosen_year or (period.year if period else day.year)
        return ListFigures(
            counts=registration_counts(queryset),
            quotas=quota_table(year=year, programme=programme),
        )

    return kept.kept_value(
        ("registration-list", scope, named, chosen_year, day.isoformat()),
        make,
        stamp=stamp or registration_list_stamp(),
    )


def quota_table_kept(*, year: int, programme: Programme | None) -> QuotaTable:
    """``quota_table(year=…, programme=…)`` kept while nothing it is made of
    has changed (the same stamp as the list's figures): one query instead
    of two on every registration's page. Province-wide figures, the same for
    everyone who may see a registration."""
    return kept.kept_value(
        ("quota-table", year, programme.pk if programme is not None else None),
        lambda: quota_table(year=year, programme=programme),
        stamped=COUNTS_STAMPED,
    )


class RegistrationRow(NamedTuple):
    """One row of the list, as it is shown: the labels in the active
    language, the committee's short name and the row's link."""

    pk: int
    unit_name: str
    unit_kind_label: str
    year: int
    committee_name: str
    contact_name: str
    status_label: str
    submitted_at: datetime.datetime | None
    url: str


# What a row of the list shows: the page query reads only these columns.
LIST_COLUMNS = (
    "pk",
    "unit_name",
    "unit_kind",
    "year",
    "committee__short_name",
    "contact_name",
    "status",
    "submitted_at",
)


def registration_page(
    queryset: QuerySet[Registration], *, start: int, stop: int
) -> list[RegistrationRow]:
    """Rows ``start``..``stop`` of ``queryset``, in its order, with their
    committee's name: one query, a "deferred join", read as plain values
    (building 50 registrations and 50 committees cost a tenth of the page).
    The kind and status labels are translated once, not per row.

    The page is chosen on the registration table alone (sort and LIMIT over
    narrow rows), and only its rows are joined. Joining first, as a plain
    slice of a ``select_related`` queryset does, makes PostgreSQL join and sort
    every matching row: about 40 ms instead of 4 ms at 20,000 registrations
    (docs/benchmarks.md). Only the columns the list shows are read.

    The rows are chosen with OFFSET along ``registration_list_order_idx``
    (the list's order, with the filtered columns): on PostgreSQL a deep page
    reads that many index entries instead of sorting the table (page 200 of
    20,000: about 2 ms instead of 53–85 ms, bench/exports.py). A search sorts
    only its matches, found through the trigram indexes.
    """
    ordering = queryset.query.order_by or Registration._meta.ordering or ()
    chosen = queryset.values("pk")[start:stop]
    values = (
        Registration.objects.filter(pk__in=chosen)
        .order_by(*ordering)
        .values_list(*LIST_COLUMNS)
    )
    kinds = {k.value: str(k.label) for k in UnitKind}
    statuses = {s.value: str(s.label) for s in RegistrationStatus}
    # The detail page's address reversed once, with a placeholder id filled
    # in per row: reverse() per row cost about 2 ms a page.
    placeholder = "2147483647"
    detail_url = reverse("registrations:registration_detail", args=[placeholder])
    return [
        RegistrationRow(
            pk,
            unit_name,
            kinds.get(kind, kind),
            year,
            committee_name,
            contact_name,
            statuses.get(status, status),
            submitted_at,
            detail_url.replace(placeholder, str(pk)),
        )
        for (
            pk,
            unit_name,
            kind,
            year,
            committee_name,
            contact_name,
            status,
            submitted_at,
        ) in values
    ]


EXPORT_FIELDS = (
    "pk",
    "year",
    "phase__start_year",
    "phase__end_year",
    "unit_kind",
    "unit_name",
    "committee__short_name",
    "contact_name",
    "contact_phone",
    "status",
    "submitted_at",
    "decided_at",
)


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    # Naive local time: spreadsheets have no time zones (openpyxl refuses aware
    # datetimes) and the readers are all in Asia/Ho_Chi_Minh.
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None)


def registration_export_rows(queryset: QuerySet[Registration]) -> Iterator[tuple]:
    """One tuple per registration, in the list's order: id, year, phase, unit
    kind (label), unit, registering committee, contact person, phone, status
    (label), submitted at, decided at (naive local datetimes or ``None``).

    Reads only those columns (``values_list``) in chunks (``iterator``): no
    model instances, one query (server-side cursor on PostgreSQL) whatever the
    number of rows. Labels are in the language active when this is called,
    even if the rows are consumed later (a streamed response).
    """
    kinds = {k.value: str(k.label) for k in UnitKind}
    statuses = {s.value: str(s.label) for s in RegistrationStatus}
    rows = queryset.values_list(*EXPORT_FIELDS).iterator(chunk_size=EXPORT_CHUNK_SIZE)
    return _export_rows(rows, kinds, statuses)


def _export_rows(
    rows: Iterator[tuple], kinds: dict[str, str], statuses: dict[str, str]
) -> Iterator[tuple]:
    for (
        pk,
        year,
        phase_start,
        phase_end,
        unit_kind,
        unit_name,
        committee,
        contact_name,
        contact_phone,
        status,
        submitted_at,
        decided_at,
    ) in rows:
        yield (
            pk,
            year,
            f"{phase_start}–{phase_end}",
            kinds.get(unit_kind, unit_kind),
            unit_name,
            committee,
            contact_name,
            contact_phone,
            statuses.get(status, status),
            _local(submitted_at),
            _local(decided_at),
        )

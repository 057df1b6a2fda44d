"""The committees a user may see, as a searchable choice list (the locality
filters): one ``ChoiceSource`` for the form and its search endpoint alike."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from campaign.committees import access, kept
from campaign.committees.choices import CommitteeLevel
from campaign.committees.models import AuditEntry, SteeringCommittee
from campaign.committees.selectors.committee_search import (
    committee_choice_list_for_user,
    committee_choices_by_pk,
    committee_search,
)
from units.widgets import Option, first_in_order

_COLUMNS = ("pk", "short_name", "level")


class LocalityChoices:
    """Committees of ``committee_list_for_user``'s scope: value the id,
    label the short name, grouped by level (the province first).

    With ``stamp`` (a page's ``kept.Stamp``, naming the committees and the
    audit trail that every committee service writes) the list's first
    entries are kept between requests for the user's scope: at national
    scale reading 201 committees to learn that the list is long was a sixth
    of the registration list's time."""

    def __init__(self, *, user: access.Reader, stamp: kept.Stamp | None = None) -> None:
        if stamp is not None:
            stamp.require(SteeringCommittee, AuditEntry)
        self.user = user
        self.stamp = stamp
        self._scope: Q | None = None

    def _committees(self) -> QuerySet[SteeringCommittee]:
        if self._scope is None:
            self._scope = access.committee_scope_q(self.user)
        return committee_choice_list_for_user(user=self.user, scope=self._scope)

    @staticmethod
    def _options(rows: Iterable[tuple[int, str, str]]) -> list[Option]:
        # Each level's name translated once, not once per committee.
        levels = {value: str(label) for value, label in CommitteeLevel.choices}
        return [
            (str(pk), short_name, levels.get(level, level))
            for pk, short_name, level in rows
        ]

    def options(self, *, limit: int) -> list[Option]:
        if self.stamp is None:
            return self._first(limit)
        return kept.kept_value(
            ("locality-options", access.scope_key(self.user), limit),
            lambda: self._first(limit),
            stamp=self.stamp,
        )

    def _first(self, limit: int) -> list[Option]:
        committees = first_in_order(self._committees(), limit)
        return self._options(committees.values_list(*_COLUMNS))

    def options_for(self, values: Iterable[str]) -> list[Option]:
        committees = committee_choices_by_pk(
            committees=self._committees(), values=values
        )
        return self._options(committees.values_list(*_COLUMNS))

    def search(self, query: str, *, limit: int) -> list[Option]:
        found = committee_search(
            committees=self._committees(), query=query, limit=limit
        )
        return self._options(found.values_list(*_COLUMNS))

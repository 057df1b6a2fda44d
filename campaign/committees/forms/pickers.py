"""Pickers of one committee or area among a scoped queryset, for the staff's
forms (a membership's committee, a committee's parent and area): the whole
list when short, else the chosen one and a search endpoint
(units/widgets.py). Cleaned to the model instance, read once with the check
that it is in the queryset."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Model, QuerySet

from campaign.committees.models import SteeringCommittee
from campaign.committees.selectors.committee_pick import committee_pick_search
from units.models import Area
from units.selectors import area_search
from units.widgets import Option, SearchableChoiceField

Search = Callable[..., QuerySet]


def ended_committee_label(committee: SteeringCommittee) -> str:
    """The short name, with its last day when it has ended (the committees
    before and after 01/07/2025 share names)."""
    if committee.valid_to:
        last = committee.valid_to - datetime.timedelta(days=1)
        return f"{committee.short_name} (đến {last:%d/%m/%Y})"
    return committee.short_name


def area_label(area: Area) -> str:
    parent = f" — {area.parent.full_name}" if area.parent_id else ""
    last = area.valid_to - datetime.timedelta(days=1) if area.valid_to else None
    period = f" (đến {last:%d/%m/%Y})" if last else ""
    return f"{area.full_name}{parent}{period}"


class QuerysetChoices:
    """A ``ChoiceSource`` over a scoped queryset: value the id, label
    ``label(obj)``, searched with ``search(queryset, query=, limit=)``; the
    objects read are kept (``objects``)."""

    def __init__(
        self, queryset: QuerySet, *, label: Callable[[Any], str], search: Search
    ) -> None:
        self.queryset = queryset
        self.label = label
        self._search = search
        self.objects: dict[str, Model] = {}

    def _options(self, objects: Iterable[Model]) -> list[Option]:
        options = []
        for obj in objects:
            self.objects[str(obj.pk)] = obj
            options.append((str(obj.pk), self.label(obj), ""))
        return options

    def options(self, *, limit: int) -> list[Option]:
        return self._options(self.queryset[:limit])

    def options_for(self, values: Iterable[str]) -> list[Option]:
        ids = [int(v) for v in values if str(v).isdigit() and len(str(v)) < 12]
        return self._options(self.queryset.filter(pk__in=ids)) if ids else []

    def search(self, query: str, *, limit: int) -> list[Option]:
        return self._options(self._search(self.queryset, query=query, limit=limit))


def committee_search_in(queryset: QuerySet, *, query: str, limit: int) -> QuerySet:
    return committee_pick_search(committees=queryset, query=query, limit=limit)


def area_search_in(queryset: QuerySet, *, query: str, limit: int) -> QuerySet:
    return area_search(areas=queryset, query=query, limit=limit)


def committee_choices(
    queryset: QuerySet[SteeringCommittee], *, label=ended_committee_label
) -> QuerysetChoices:
    return QuerysetChoices(queryset, label=label, search=committee_search_in)


def area_choices(queryset: QuerySet[Area]) -> QuerysetChoices:
    return QuerysetChoices(queryset, label=area_label, search=area_search_in)


class InstanceChoiceField(SearchableChoiceField):
    """One object of a ``QuerysetChoices`` (set with ``set_choices`` when the
    form is built): cleaned to the instance (or ``None``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, empty_value=None, **kwargs)
        self.source: QuerysetChoices | None = None

    def set_choices(
        self,
        source: QuerysetChoices,
        *,
        url: str,
        empty_label: str | None,
        threshold: int | None = None,
    ) -> None:
        self.source = source
        self.set_source(source, url=url, empty_label=empty_label, threshold=threshold)

    def prepare_value(self, value: Any) -> Any:
        # An instance as the initial value (an edit form's): its id.
        return value.pk if isinstance(value, Model) else value

    def clean(self, value: Any) -> Model | None:
        pk = super().clean(value)
        if pk is None or self.source is None:
            return None
        if str(pk) not in self.source.objects:
            self.source.options_for([str(pk)])
        return self.source.objects[str(pk)]

"""The units a user may register for a year — communes, wards, townships and
special zones of their area, and the organisations their committees manage —
as a searchable choice list (units/widgets.py): the registration form's unit
pickers and their search endpoint read the same ``RegistrableUnits``."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from campaign.committees import access
from campaign.registrations.selectors.registrations import (
    registrable_areas_for_user,
    registrable_organisations_for_user,
)
from units.choices import AreaKind
from units.models import Area, Organisation
from units.selectors import area_search, organisation_search
from units.text import fold
from units.widgets import Option, first_in_order, prefixed_ids

AREA = "area"
ORGANISATION = "org"
Unit = Area | Organisation


def area_label(area: Area) -> str:
    parent = area.parent
    if parent is not None and parent.kind != AreaKind.PROVINCE:
        return f"{area.full_name} — {parent.full_name}"
    return area.full_name


def organisation_label(organisation: Organisation) -> str:
    return (
        f"{organisation.name} ({organisation.get_kind_display()}) — "
        f"{organisation.area.full_name}"
    )


class _UnitOptions:
    """Values ``area:<id>`` and ``org:<id>``, the areas first, each kind under
    its heading; the objects behind the values read are kept (``objects``)."""

    def __init__(self, *, areas_only: bool) -> None:
        self.areas_only = areas_only
        self.objects: dict[str, Unit] = {}

    def _area_option(self, area: Area) -> Option:
        value = f"{AREA}:{area.pk}"
        self.objects[value] = area
        return (value, area_label(area), _("Communes, wards and special zones"))

    def _organisation_option(self, organisation: Organisation) -> Option:
        value = f"{ORGANISATION}:{organisation.pk}"
        self.objects[value] = organisation
        return (
            value,
            organisation_label(organisation),
            _("Agencies, enterprises and schools"),
        )

    def _options(
        self, areas: Iterable[Area], organisations: Iterable[Organisation]
    ) -> list[Option]:
        options = [self._area_option(a) for a in areas]
        if not self.areas_only:
            options.extend(self._organisation_option(o) for o in organisations)
        return options


class RegistrableUnits(_UnitOptions):
    """The units ``user`` may register for ``year`` (the registrations'
    scoped selectors): one query per kind for each read."""

    def __init__(self, *, user: access.Reader, year: int, areas_only: bool = False):
        super().__init__(areas_only=areas_only)
        self.user = user
        self.year = year

    def _areas(self) -> QuerySet[Area]:
        return registrable_areas_for_user(user=self.user, year=self.year)

    def _organisations(self) -> QuerySet[Organisation]:
        return registrable_organisations_for_user(user=self.user, year=self.year)

    def options(self, *, limit: int) -> list[Option]:
        areas = list(first_in_order(self._areas(), limit))
        organisations = (
            []
            if self.areas_only or len(areas) >= limit
            else first_in_order(self._organisations(), limit - len(areas))
        )
        return self._options(areas, organisations)

    def options_for(self, values: Iterable[str]) -> list[Option]:
        values = list(values)
        area_ids = prefixed_ids(values, AREA)
        organisation_ids = [] if self.areas_only else prefixed_ids(values, ORGANISATION)
        return self._options(
            self._areas().filter(pk__in=area_ids) if area_ids else [],
            self._organisations().filter(pk__in=organisation_ids)
            if organisation_ids
            else [],
        )

    def search(self, query: str, *, limit: int) -> list[Option]:
        areas = list(area_search(areas=self._areas(), query=query, limit=limit))
        organisations: list[Organisation] = []
        if not self.areas_only and len(areas) < limit:
            organisations = list(
                organisation_search(
                    organisations=self._organisations(),
                    query=query,
                    limit=limit - len(areas),
                )
            )
        return self._options(areas, organisations)

    def count(self) -> int:
        """How many units there are (two COUNT queries)."""
        total = self._areas().count()
        return total if self.areas_only else total + self._organisations().count()


class ListedUnits(_UnitOptions):
    """The same list over units already read (a caller that has them)."""

    def __init__(
        self,
        *,
        areas: Iterable[Area],
        organisations: Iterable[Organisation] = (),
        areas_only: bool = False,
    ):
        super().__init__(areas_only=areas_only)
        self.areas = list(areas)
        self.organisations = [] if areas_only else list(organisations)

    def options(self, *, limit: int) -> list[Option]:
        return self._options(self.areas, self.organisations)[:limit]

    def options_for(self, values: Iterable[str]) -> list[Option]:
        wanted = set(values)
        return [o for o in self.options(limit=len(self)) if o[0] in wanted]

    def search(self, query: str, *, limit: int) -> list[Option]:
        words = fold(query).split()
        return [
            o
            for o in self.options(limit=len(self))
            if all(word in fold(o[1]) for word in words)
        ][:limit]

    def count(self) -> int:
        return len(self)

    def __len__(self) -> int:
        return len(self.areas) + len(self.organisations)

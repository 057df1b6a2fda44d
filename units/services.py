"""Writes for the units app."""

from __future__ import annotations

import datetime
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from django.core.cache import cache
from django.db import transaction

from units.choices import AreaKind
from units.models import Area, AreaSuccession
from units.selectors import AREAS_GENERATION_KEY
from units.text import fold

logger = logging.getLogger(__name__)

AREA_DATA_FILE = Path(__file__).resolve().parent / "data" / "an_giang_areas.json"


def _new_area_generation() -> None:
    try:
        cache.set(AREAS_GENERATION_KEY, time.time_ns(), None)
    except Exception:  # noqa: BLE001 - the kept counts expire within the hour anyway
        logger.warning("the cache did not answer: area generation", exc_info=True)


@dataclass(frozen=True)
class AreaLoadResult:
    version: str
    created: int
    updated: int
    unchanged: int
    successions_created: int


def _parse_day(value: str | None) -> datetime.date | None:
    return None if value is None else datetime.date.fromisoformat(value)


def area_data_read(path: Path = AREA_DATA_FILE) -> dict:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


@transaction.atomic
def areas_load(*, data: dict) -> AreaLoadResult:
    """Insert or update every area and succession of ``data``; safe to run again.

    Areas are matched by their stable ``key``. An area that has disappeared from
    the data is left in place, since campaign records may point to it.
    """
    existing = {area.key: area for area in Area.objects.all()}
    created = updated = unchanged = 0
    by_key: dict[str, Area] = {}
    for row in data["areas"]:
        fields = {
            "code": row["code"],
            "name": row["name"],
            "kind": AreaKind(row["kind"]).value,
            "valid_from": _parse_day(row.get("valid_from")),
            "valid_to": _parse_day(row.get("valid_to")),
        }
        parent_key = row.get("parent")
        fields["parent"] = by_key[parent_key] if parent_key else None
        area = existing.get(row["key"]) or Area(key=row["key"])
        is_new = area.pk is None
        changed = False
        for name, value in fields.items():
            if getattr(area, name) != value:
                setattr(area, name, value)
                changed = True
        search_name = fold(area.full_name)
        if area.search_name != search_name:
            area.search_name = search_name
            changed = True
        if is_new or changed:
            area.full_clean()
            area.save()
            if is_new:
                created += 1
            else:
                updated += 1
        else:
            unchanged += 1
        by_key[area.key] = area

    known_pairs = set(
        AreaSuccession.objects.values_list("predecessor__key", "successor__key")
    )
    successions_created = 0
    for row in data.get("successions", []):
        pair = (row["predecessor"], row["successor"])
        succession, was_created = AreaSuccession.objects.update_or_create(
            predecessor=by_key[pair[0]],
            successor=by_key[pair[1]],
            defaults={"date": _parse_day(row["date"]), "note": row.get("note", "")},
        )
        if was_created and pair not in known_pairs:
            successions_created += 1
    if created or updated:
        # Counts kept for the areas list were made on the old rows: start a
        # new generation once the new rows are visible to other requests.
        transaction.on_commit(_new_area_generation)
    return AreaLoadResult(
        version=data["version"],
        created=created,
        updated=updated,
        unchanged=unchanged,
        successions_created=successions_created,
    )

"""What the dashboard keeps between requests: the rendered figures of a
phase and a locality, and the user's list of localities — each under a key
naming everything it depends on, and a *stamp* of the data.

The figures take the target engine and a pass over every registration of the
phase (at national scale some 40–70 times a bare view's CPU); the same
figures are asked for again and again by everyone of the same scope. They are
kept in Django's cache (Redis in production, shared by every web process)
under a key made of

* the language, the phase, the day counted on, the locality chosen;
* the asking user's scope (the whole province, or their committees): two
  people of the same scope see the same figures, nobody else's;

together with the *stamp* of the data they were counted on and when. The
stamp is one query reading, for each table the figures are made of, its
newest row (its id and when it was written) — registrations and their
workflow steps, assessments and theirs, recognitions, targets, committees,
and the audit trail, which every service writes when it changes or deletes a
record.

A kept part whose stamp is not today's stamp (something was recorded since),
or older than ``DASHBOARD_CACHE_SECONDS`` (300 s by default; 0 turns the
keeping off), is *stale*: it is still shown, marked with the time it was
counted, and the worker counts it again (``reporting.tasks.dashboard_refresh``,
one at a time per user and page). So no request waits for the counting but
the very first of a page after the cache was emptied. With Celery in eager
mode (the embedded default) the counting runs before the page is written.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.utils import timezone, translation

# The stamp is the progress page's too, defined with it; read here by
# ``reporting.dashboard_page``.
from campaign.assessments.selectors.kept import data_stamp as data_stamp
from campaign.committees import access, kept
from campaign.committees.access import Actor
from campaign.committees.kept import cache_call

logger = logging.getLogger(__name__)

# How long a part is kept at all: served (marked stale) while it is counted
# again, so only a page nobody opened for a week is counted in the request.
KEEP_SECONDS = 7 * 24 * 3600
# A refresh that never ended (its worker died) is asked for again after this.
REFRESH_CLAIM_SECONDS = 120
T = TypeVar("T")


# How long figures count as current: the same setting as every kept value.
cache_seconds = kept.kept_seconds


def scope_signature(user: Actor) -> str:
    """Who may see the same figures: the province's people, or the holders of
    the same committees."""
    grants = access.access_for(user)
    if grants.whole_province:
        return "province"
    return ",".join(
        f"{g.committee_id}:{g.area_id}"
        for g in sorted(grants.grants, key=lambda g: g.committee_id)
    )


def _key(prefix: str, parts: tuple) -> str:
    raw = "|".join(str(p) for p in (translation.get_language(), *parts))
    return f"{prefix}:" + hashlib.sha256(raw.encode()).hexdigest()


class Keeper:
    """The kept parts of one page, read with the stamp of the data at the
    start of the request. ``stale`` tells whether any part shown was counted
    before the latest change (or too long ago), ``counted_at`` when the
    oldest part shown was counted. With ``force`` (the worker's refresh)
    every part is counted again and kept."""

    def __init__(self, stamp: str, *, force: bool = False) -> None:
        self.stamp = stamp
        self.force = force
        self.stale = False
        self.counted_at: datetime.datetime | None = None
        self._fetched: dict[str, tuple] = {}

    def prefetch(self, *many: tuple) -> None:
        """Read the entries of several parts in one round trip (each later
        ``get`` of them uses what was read)."""
        if self.force or cache_seconds() <= 0:
            return
        keys = [_key("dashboard", parts) for parts in many]
        self._fetched.update(cache_call(cache.get_many, keys) or {})

    def get(self, parts: tuple, compute: Callable[[], T]) -> T:
        seconds = cache_seconds()
        if seconds <= 0:
            return compute()
        key = _key("dashboard", parts)
        now = timezone.now()
        if self.force:
            entry = None
        elif key in self._fetched:
            entry = self._fetched.pop(key)
        else:
            entry = cache_call(cache.get, key)
        if entry is not None:
            stamp, counted_at, value = entry
            if stamp != self.stamp or (now - counted_at).total_seconds() > seconds:
                self.stale = True
            if self.counted_at is None or counted_at < self.counted_at:
                self.counted_at = counted_at
            return value
        value = compute()
        cache_call(cache.set, key, (self.stamp, now, value), KEEP_SECONDS)
        return value


def refresh_claim(parts: tuple) -> bool:
    """Whether the caller is the one to ask for a refresh of these parts (the
    first since the last one ended, or since ``REFRESH_CLAIM_SECONDS``)."""
    claimed = cache_call(
        cache.add, _key("dashboard-refresh", parts), 1, REFRESH_CLAIM_SECONDS
    )
    return bool(claimed)


def refresh_release(parts: tuple) -> None:
    cache_call(cache.delete, _key("dashboard-refresh", parts))

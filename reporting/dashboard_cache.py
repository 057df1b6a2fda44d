"""What the dashboard keeps between requests: the rendered figures of a
phase and a locality, and the user's list of localities — each under a key
naming everything it depends on, and a *stamp* of the data.

The figures take the target engine and a pass over every registration of the
phase; the same figures are asked for again and again by everyone of the
same scope. They are kept (Django's cache, ``DASHBOARD_CACHE_SECONDS``,
300 s by default, 0 to turn it off) under a key made of

* the language, the phase, the day counted on, the locality chosen;
* the asking user's scope (the whole province, or their committees): two
  people of the same scope see the same figures, nobody else's;
* the stamp: one query reading, for each table the figures are made of, its
  newest row (its id and when it was written) — registrations and their
  workflow steps, assessments and theirs, recognitions, targets, committees,
  and the audit trail, which every service writes when it changes or
  deletes a record. Anything recorded since the figures were counted changes
  the key, so they are counted again.

A change made outside the services (the admin site, a shell) to an existing
record shows at the latest when the entry expires.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import translation

from campaign.assessments.models import Assessment, AssessmentTransition, Recognition
from campaign.committees import access
from campaign.committees.access import Actor
from campaign.committees.models import AuditEntry, SteeringCommittee
from campaign.planning.models import Target
from campaign.registrations.models import Registration, RegistrationTransition

DEFAULT_SECONDS = 300
T = TypeVar("T")

# (model, the field that says when its newest row was written)
STAMPED = (
    (Registration, "updated_at"),
    (RegistrationTransition, "at"),
    (Assessment, "updated_at"),
    (AssessmentTransition, "at"),
    (Recognition, "created_at"),
    (Target, None),
    (SteeringCommittee, None),
    (AuditEntry, "at"),
)


def cache_seconds() -> int:
    return int(getattr(settings, "DASHBOARD_CACHE_SECONDS", DEFAULT_SECONDS))


def data_stamp() -> str:
    """The newest row of each table the figures are made of, in one query
    (each an index lookup on the primary key)."""
    # The SQL is made of the models' own table and column names, quoted by
    # the backend: nothing comes from outside (hence the noqa S608).
    quote = connection.ops.quote_name
    columns = []
    for model, when in STAMPED:
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        columns.append(f"(SELECT MAX({pk}) FROM {table})")  # noqa: S608
        if when is not None:
            column = quote(model._meta.get_field(when).column)
            columns.append(
                f"(SELECT {column} FROM {table} ORDER BY {pk} DESC LIMIT 1)"  # noqa: S608
            )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns))
        row = cursor.fetchone()
    return "|".join(str(value) for value in row)


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


def cached(parts: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, kept under the key made of ``parts`` and the active
    language (or computed each time when the cache is turned off)."""
    seconds = cache_seconds()
    if seconds <= 0:
        return compute()
    raw = "|".join(str(p) for p in (translation.get_language(), *parts))
    key = "dashboard:" + hashlib.sha256(raw.encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value

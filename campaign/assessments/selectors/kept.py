"""Figures kept between requests while the data they were counted on have not
changed: the *stamp* of the data, and a rendered text kept under it.

The stamp is one query reading, for each table the campaign's figures are
made of, its newest row (its id and when it was written) — registrations and
their workflow steps, assessments and theirs, recognitions, targets,
committees, and the audit trail, which every service writes when it changes
or deletes a record (an answer saved, a criterion verified). The dashboard
(``reporting.dashboard_cache``) keeps its parts under the same stamp.

A kept text is used while the stamp is the same and it is younger than
``DASHBOARD_CACHE_SECONDS`` (300 s by default; 0 turns the keeping off), so a
change the stamp cannot see (areas reloaded) shows within that time. It is
shared by everyone who asks with the same ``parts``: only keep what does not
depend on who asks, or name their scope in the parts.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Field
from django.utils import timezone, translation

from campaign.assessments.models import Assessment, AssessmentTransition, Recognition
from campaign.committees.models import AuditEntry, SteeringCommittee
from campaign.planning.models import Target
from campaign.registrations.models import Registration, RegistrationTransition

logger = logging.getLogger(__name__)

DEFAULT_SECONDS = 300
# Kept at most this long, so that the cache does not fill with old days.
KEEP_SECONDS = 24 * 3600

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


def kept_seconds() -> int:
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
        columns.append(f"(SELECT MAX({pk}) FROM {table})")  # noqa: S608 - quoted model names  # nosec B608
        if when is not None:
            column = quote(cast(Field, model._meta.get_field(when)).column)
            columns.append(
                f"(SELECT {column} FROM {table} ORDER BY {pk} DESC LIMIT 1)"  # noqa: S608 - quoted model names  # nosec B608
            )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns))
        row = cursor.fetchone()
    return "|".join(str(value) for value in row)


def _cache_call(method: Callable[..., Any], *args: Any) -> Any:
    """A cache operation that cannot take the page down: with the cache
    unreachable (Redis restarting) the text is made in the request."""
    try:
        return method(*args)
    except Exception:  # noqa: BLE001 - any backend's connection error
        logger.warning("the cache did not answer: %s", method.__name__, exc_info=True)
        return None


def kept_text(parts: tuple, make: Callable[[], str]) -> str:
    """``make()``, or the text it made before for the same ``parts`` (and
    language) on data with today's stamp, less than ``kept_seconds()`` ago."""
    seconds = kept_seconds()
    if seconds <= 0:
        return make()
    raw = "|".join(str(p) for p in (translation.get_language(), *parts))
    key = "kept:" + hashlib.sha256(raw.encode()).hexdigest()
    stamp = data_stamp()
    now = timezone.now()
    entry = _cache_call(cache.get, key)
    if entry is not None:
        kept_stamp, made_at, text = entry
        age: datetime.timedelta = now - made_at
        if kept_stamp == stamp and age.total_seconds() <= seconds:
            return text
    text = make()
    _cache_call(cache.set, key, (stamp, now, text), KEEP_SECONDS)
    return text

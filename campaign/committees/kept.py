"""Values kept between requests while the data they were made of have not
changed: the *stamp* of some tables, and a value kept in the cache under it.

The stamp is one query reading, for each table named, its newest row (its id
and, where given, when it was written) — each an index lookup on the primary
key. The audit trail is always worth naming: every service writes an entry
when it changes or deletes a record, so a change the other tables cannot
show (an edit of an older row) still moves the stamp.

A page that keeps several values reads the stamp once: a ``Stamp`` made for
the request is read on first use and passed to each ``kept_value``.

A kept value is used while the stamp is the same and it is younger than
``DASHBOARD_CACHE_SECONDS`` (300 s by default; 0 turns the keeping off). It
is shared by everyone who asks with the same ``parts``: keep only what does
not depend on who asks, or name their scope in the parts. Used by the
progress page (``campaign.assessments.selectors.kept``) and the registration
list's counts; the rooms above name their own tables (this room imports
none of them).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

DEFAULT_SECONDS = 300
# Kept at most this long, so that the cache does not fill with old days.
KEEP_SECONDS = 24 * 3600

# (model, the field that says when its newest row was written, or None)
Stamped = Sequence[tuple[type[Model], str | None]]
T = TypeVar("T")


def kept_seconds() -> int:
    return int(getattr(settings, "DASHBOARD_CACHE_SECONDS", DEFAULT_SECONDS))


def data_stamp(stamped: Stamped) -> str:
    """The newest row of each table of ``stamped``, in one query."""
    # The SQL is made of the models' own table and column names, quoted by
    # the backend: nothing comes from outside (hence the noqa S608).
    quote = connection.ops.quote_name
    columns = []
    for model, when in stamped:
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


class Stamp:
    """The stamp of ``stamped``, read once, on first use: the values one page
    keeps under the same tables cost one stamp query, not one each. Made for
    one request's reads; a stamp read before a write does not see it."""

    def __init__(self, stamped: Stamped) -> None:
        self.stamped = tuple(stamped)
        self._value: str | None = None

    @property
    def value(self) -> str:
        if self._value is None:
            self._value = data_stamp(self.stamped)
        return self._value

    def covers(self, *models: type[Model]) -> bool:
        """Whether the stamp moves with each of ``models`` (it names its
        table): what a value is made of must be covered by its stamp."""
        named = {model for model, _when in self.stamped}
        return all(model in named for model in models)

    def require(self, *models: type[Model]) -> None:
        """Refuse (``ValueError``) to keep a value made of ``models`` under a
        stamp that does not move with each of them."""
        missing = [m._meta.label for m in models if not self.covers(m)]
        if missing:
            raise ValueError(f"the stamp does not name {', '.join(missing)}")


class ReadStamp(Stamp):
    """A stamp that ``read()`` makes from one record's own marks (its version,
    its last change), not from whole tables: a value about one record is
    then kept while that record is unchanged, whatever else is written."""

    def __init__(self, read: Callable[[], str]) -> None:
        super().__init__(())
        self._read = read

    @property
    def value(self) -> str:
        if self._value is None:
            self._value = self._read()
        return self._value


def cache_call(method: Callable[..., Any], *args: Any) -> Any:
    """A cache operation that cannot take the page down: with the cache
    unreachable (Redis restarting) the value is made in the request."""
    try:
        return method(*args)
    except Exception:  # noqa: BLE001 - any backend's connection error
        name = getattr(method, "__name__", repr(method))
        logger.warning("the cache did not answer: %s", name, exc_info=True)
        return None


def kept_value(
    parts: tuple,
    make: Callable[[], T],
    *,
    stamped: Stamped | None = None,
    stamp: Stamp | None = None,
) -> T:
    """``make()``, or what it made before for the same ``parts`` (and
    language) on data with today's stamp of ``stamped`` (or the ``Stamp``
    ``stamp`` already made for the request), less than ``kept_seconds()``
    ago."""
    seconds = kept_seconds()
    if seconds <= 0:
        return make()
    if stamp is None:
        if stamped is None:
            raise TypeError("kept_value needs stamped or stamp")
        stamp = Stamp(stamped)
    raw = "|".join(str(p) for p in (translation.get_language(), *parts))
    key = "kept:" + hashlib.sha256(raw.encode()).hexdigest()
    # Read before the value is made: a change made meanwhile then moves the
    # stamp past the one the value is kept under, never the other way round.
    current = stamp.value
    now = timezone.now()
    entry = cache_call(cache.get, key)
    if entry is not None:
        kept_stamp, made_at, value = entry
        age: datetime.timedelta = now - made_at
        if kept_stamp == current and age.total_seconds() <= seconds:
            return cast(T, value)
    value = make()
    cache_call(cache.set, key, (current, now, value), KEEP_SECONDS)
    return value

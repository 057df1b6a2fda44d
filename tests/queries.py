"""Helpers for tests that look at the SQL a page ran (``CaptureQueriesContext``)."""

from __future__ import annotations

# How ``campaign.committees.kept.data_stamp`` starts its one query.
STAMP_PREFIX = "SELECT (SELECT MAX("


def stamp_queries(queries) -> int:
    """How many data-stamp queries ran."""
    return sum(1 for q in queries if q["sql"].startswith(STAMP_PREFIX))


def reads(queries, table: str) -> bool:
    """Whether a query other than a data stamp read rows of ``table``."""
    return any(
        f'FROM "{table}"' in q["sql"]
        for q in queries
        if not q["sql"].startswith(STAMP_PREFIX)
    )

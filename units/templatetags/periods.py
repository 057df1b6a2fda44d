"""Showing periods to people: dates are stored with an exclusive end (the first
day a thing no longer exists) but read best as the last day it did."""

import datetime

from django import template

register = template.Library()


@register.filter
def last_day(end: datetime.date | None) -> datetime.date | None:
    """The last day of a period whose stored end is exclusive."""
    return None if end is None else end - datetime.timedelta(days=1)

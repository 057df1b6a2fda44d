"""The last-day field (a period's end as people say it) refuses the very last
day a calendar has with a message, instead of failing on the day after it."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from units.forms import LastDayField


class LastDayFieldTests(SimpleTestCase):
    def test_the_last_day_is_stored_as_the_day_after(self):
        self.assertEqual(
            LastDayField(required=False).clean("30/06/2025"), datetime.date(2025, 7, 1)
        )

    def test_the_end_of_the_calendar_is_refused_with_a_message(self):
        with self.assertRaises(ValidationError) as refused:
            LastDayField(required=False).clean("9999-12-31")
        self.assertEqual(refused.exception.code, "invalid")

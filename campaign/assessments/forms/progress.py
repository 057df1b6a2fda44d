"""The progress page's choices: the phase and the day the figures are counted
on (shape validation only; a bad value is explained and its default used)."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from campaign.planning.models import Phase
from units.forms import AsOfDateField

AS_OF_IN_FUTURE = _(
    "The figures are counted up to today: choose a day no later than %(today)s."
)
AS_OF_BEFORE_PLAN = _(
    "The plan begins in %(year)s: choose a day from 01/01/%(year)s to %(today)s."
)
UNKNOWN_PHASE = _("Choose one of the plan's phases: %(phases)s.")


def phase_value(phase: Phase) -> str:
    """A phase as written in the query string: ``2023-2025``."""
    return f"{phase.start_year}-{phase.end_year}"


class ProgressFilterForm(forms.Form):
    """``?phase=2026-2030&as_of=2026-06-30``; both optional. The phases are
    given by the view (read once), so cleaning runs no query."""

    phase = forms.ChoiceField(label=_("Phase"), required=False)
    as_of = AsOfDateField(
        label=_("Counted on"),
        required=False,
        help_text=_("Leave empty for today."),
    )

    def __init__(
        self,
        data=None,
        *,
        phases: list[Phase],
        default_phase: Phase | None,
        today: datetime.date,
        **kwargs,
    ):
        if data is not None and not data.get("phase") and default_phase is not None:
            # The choice shown is the phase the figures are for.
            data = data.copy()
            data["phase"] = phase_value(default_phase)
        super().__init__(data, **kwargs)
        self.phases = phases
        self.default_phase = default_phase
        self.today = today
        self.fields["phase"].choices = [(phase_value(p), str(p)) for p in phases]
        self.fields["as_of"].widget.attrs["max"] = today.isoformat()
        if phases:
            self.fields["as_of"].widget.attrs["min"] = f"{phases[0].start_year}-01-01"
        self.fields["phase"].error_messages["invalid_choice"] = UNKNOWN_PHASE % {
            "phases": ", ".join(str(p) for p in phases)
        }
        if default_phase is not None:
            self.fields["phase"].initial = phase_value(default_phase)

    def clean_phase(self) -> Phase | None:
        value = self.cleaned_data.get("phase")
        if not value:
            return None
        # The field has checked the value against these phases.
        return next(p for p in self.phases if phase_value(p) == value)

    def clean_as_of(self) -> datetime.date | None:
        day = self.cleaned_data.get("as_of")
        if day is None:
            return None
        shown_today = date_format(self.today, "d/m/Y")
        if day > self.today:
            raise ValidationError(
                AS_OF_IN_FUTURE, code="future", params={"today": shown_today}
            )
        if self.phases and day.year < self.phases[0].start_year:
            raise ValidationError(
                AS_OF_BEFORE_PLAN,
                code="before_plan",
                params={"year": self.phases[0].start_year, "today": shown_today},
            )
        return day

    def chosen(self) -> tuple[Phase | None, datetime.date]:
        """The phase and day to show: the valid choices, the defaults (today's
        phase, today) for what is missing or wrong."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        phase = cleaned.get("phase") if "phase" not in self.errors else None
        day = cleaned.get("as_of") if "as_of" not in self.errors else None
        return phase or self.default_phase, day or self.today

"""Báo cáo kết quả thực hiện giai đoạn: the progress report of a phase
(2023–2025 or 2026–2030) in the layout of Decree 30/2020, for the province or
for one committee inside the asking user's scope, as the data stood on the
as-of date (see ``reporting.phase_data``)."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.committees.access import Actor, access_for
from reporting.choices import ReportKind
from reporting.forms import CommitteeChoiceField
from reporting.kinds import ReportKindSpec, register
from reporting.kinds.common import ReportParamsForm, common_params
from reporting.selectors import (
    phase_choices,
    report_texts_snapshot,
)
from units.forms import AsOfDateField

AS_OF_BEFORE_PHASE = _(
    "The phase %(phase)s starts on 01/01/%(start)s: choose a date from then on."
)
AS_OF_IN_FUTURE = _("The report cannot be as of a day that has not come yet.")
UNKNOWN_PHASE = _("There is no phase %(phase)s in the plan.")
SCOPE_REQUIRED = _(
    "Choose your committee: you can ask for reports of your own locality only."
)


class ScopeChoiceField(CommitteeChoiceField):
    """The committee a report is about, among those the user may report on
    (``reporting.forms.CommitteeChoiceField``): with thousands of committees
    (a national database) the page holds the chosen one only and the combobox
    searches ``reporting:scope_search``; a short list is written whole."""


class PhaseProgressForm(ReportParamsForm):
    phase = forms.ChoiceField(label=_("Phase"))
    as_of = AsOfDateField(
        label=_("As of"),
        help_text=_("The report shows the data as they stood at the end of this day."),
    )
    scope = ScopeChoiceField(
        label=_("Scope"),
        required=False,
        error_messages={
            "invalid_choice": _(
                "That committee is not in your scope: choose one from the list."
            )
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        today = timezone.localdate()
        self.phases = phase_choices()
        self.fields["phase"].choices = [(p.key, p.label) for p in self.phases]
        current = next(
            (p for p in self.phases if p.start_year <= today.year <= p.end_year),
            self.phases[-1] if self.phases else None,
        )
        if current is not None:
            self.fields["phase"].initial = current.key
            self.fields["as_of"].initial = min(
                today, datetime.date(current.end_year, 12, 31)
            )
        self.whole_province = access_for(user).whole_province
        self.fields["scope"].set_user(
            user, empty_label=_("The whole province") if self.whole_province else None
        )
        if not self.whole_province:
            self.fields["scope"].required = True
            self.fields["scope"].error_messages["required"] = SCOPE_REQUIRED

    def clean(self):
        cleaned = super().clean()
        key = cleaned.get("phase")
        as_of = cleaned.get("as_of")
        phase = next((p for p in self.phases if p.key == key), None)
        if key and phase is None:
            self.add_error(
                "phase",
                ValidationError(
                    UNKNOWN_PHASE, code="unknown_phase", params={"phase": key}
                ),
            )
        if phase is not None and as_of is not None:
            if as_of < datetime.date(phase.start_year, 1, 1):
                self.add_error(
                    "as_of",
                    ValidationError(
                        AS_OF_BEFORE_PHASE,
                        code="before_phase",
                        params={"phase": phase.label, "start": phase.start_year},
                    ),
                )
        if as_of is not None and as_of > timezone.localdate():
            self.add_error(
                "as_of", ValidationError(AS_OF_IN_FUTURE, code="future_as_of")
            )
        return cleaned


@register
class PhaseProgress(ReportKindSpec):
    key = ReportKind.PHASE_PROGRESS
    label = ReportKind.PHASE_PROGRESS.label
    description = _(
        "Exemplary units and model ward police of a phase: quotas, shares, "
        "recognitions, commendations, pledges and reviews, with the standing "
        "office's assessment."
    )
    template = "reporting/pdf/phase_progress.html"
    form_class = PhaseProgressForm

    def to_params(self, *, cleaned_data: dict, user: Actor) -> dict:
        as_of = cleaned_data["as_of"]
        phase = cleaned_data["phase"]
        # The phase may end before the as-of date: nothing after its end.
        end_year = int(phase.split("-")[1])
        as_of = min(as_of, datetime.date(end_year, 12, 31))
        scope = cleaned_data.get("scope")
        return {
            "phase": phase,
            "as_of": as_of.isoformat(),
            "scope": scope.pk if scope else None,
            **common_params(cleaned_data),
            # The texts as they read when the report was asked for.
            "texts": report_texts_snapshot(
                phase_key=phase, committee_id=scope.pk if scope else None
            ),
        }

    def build_context(self, job, user: Actor) -> dict:
        from reporting.phase_data import phase_report_context

        return phase_report_context(params=job.params, user=user)

    def title(self, params) -> str:
        return f"{self.label} {params.get('phase', '')}".strip()

"""The dashboard's filter: a phase of the plan and a locality inside the
user's scope, sent by GET. Shape validation only: the figures are read by
``reporting.phase_data`` as the user, which checks the scope again."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from campaign.committees import access
from campaign.committees.access import Actor
from campaign.committees.models import SteeringCommittee
from reporting.forms import CommitteeChoiceField
from reporting.selectors import PhaseChoice, phase_choices, report_scope_committees

UNKNOWN_PHASE = _("There is no phase %(value)s in the plan: choose one from the list.")
OUTSIDE_SCOPE = _(
    "That locality is not in your scope: choose one from the list. You can see "
    "the figures of your own committee and of those under it only."
)


@dataclass(frozen=True)
class DashboardChoice:
    """What the dashboard shows: a phase, a committee (``None``: the whole
    province) and the day the figures are counted on — today, or the last
    day of a phase that has ended."""

    phase: PhaseChoice
    committee_id: int | None
    as_of: datetime.date

    @property
    def query(self) -> dict[str, str | int]:
        """The choice as GET parameters (for the links that keep it)."""
        query: dict[str, str | int] = {"phase": self.phase.key}
        if self.committee_id is not None:
            query["scope"] = self.committee_id
        return query


def current_phase(
    phases: list[PhaseChoice], today: datetime.date
) -> PhaseChoice | None:
    """The phase of today, or the last one (none before the plan: the first)."""
    if not phases:
        return None
    running = next(
        (p for p in phases if p.start_year <= today.year <= p.end_year), None
    )
    if running is not None:
        return running
    if today.year < phases[0].start_year:
        return phases[0]
    return phases[-1]


class DashboardFilterForm(forms.Form):
    """``?phase=2026-2030&scope=<committee id>``; both may be left out: today's
    phase, and the whole province for the province's people or the user's
    own committee for anyone else."""

    phase = forms.ChoiceField(
        label=_("Phase"),
        required=False,
        error_messages={"invalid_choice": UNKNOWN_PHASE},
    )
    scope = CommitteeChoiceField(
        label=_("Locality"),
        queryset=SteeringCommittee.objects.none(),
        required=False,
        empty_label=_("The whole province"),
        error_messages={"invalid_choice": OUTSIDE_SCOPE},
    )

    def __init__(self, *args, user: Actor, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.today = today
        self.phases = phase_choices()
        self.default_phase = current_phase(self.phases, today)
        self.fields["phase"].choices = [(p.key, p.label) for p in self.phases]
        if self.default_phase is not None:
            self.fields["phase"].initial = self.default_phase.key
        self.whole_province = access.access_for(user).whole_province
        self.fields["scope"].queryset = report_scope_committees(user=user)
        if not self.whole_province:
            # A local officer always looks at a committee of theirs.
            self.fields["scope"].empty_label = None

    def _own_committee_id(self) -> int | None:
        """A local officer's default: their committee in force (the latest one
        when they have several)."""
        own = access.access_for(self.user).committee_ids
        committee = (
            report_scope_committees(user=self.user)
            .filter(pk__in=own)
            .order_by(F("valid_to").desc(nulls_first=True), "-valid_from", "pk")
            .first()
        )
        return committee.pk if committee else None

    def chosen(self) -> DashboardChoice | None:
        """The phase, committee and day to show, from a valid form (the form
        then shows them selected, defaults included); ``None`` when the plan
        has no phase or the user no committee."""
        phase_key = self.cleaned_data.get("phase") or ""
        phase = next((p for p in self.phases if p.key == phase_key), None)
        phase = phase or self.default_phase
        if phase is None:
            return None
        committee = self.cleaned_data.get("scope")
        committee_id = committee.pk if committee is not None else None
        if committee_id is None and not self.whole_province:
            committee_id = self._own_committee_id()
            if committee_id is None:
                return None
        self.data = self.data.copy()
        self.data["phase"] = phase.key
        if committee_id is not None:
            self.data["scope"] = str(committee_id)
        as_of = min(self.today, datetime.date(phase.end_year, 12, 31))
        return DashboardChoice(phase=phase, committee_id=committee_id, as_of=as_of)

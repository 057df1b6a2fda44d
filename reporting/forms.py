"""Forms of the report pages. The parameters of each kind of report are the
kind's own form (``reporting.kinds``); here are only the forms of the page
where staff write the texts of the phase reports."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.committees import kept
from campaign.committees.access import Actor
from campaign.committees.models import SteeringCommittee
from campaign.forms import StrictForm
from reporting.scope_choices import SCOPE_STAMPED, ReportScopeChoices
from reporting.selectors import PhaseChoice, phase_choices
from units.widgets import SearchableChoiceField

TEXT_MAX_LENGTH = 8000


class CommitteeChoiceField(SearchableChoiceField):
    """A committee of the user's report scope, named with its period (the
    provincial committee before and after 01/07/2025 share a name): the whole
    list when short, else the chosen one and ``reporting:scope_search``
    (units/widgets.py). Cleaned to the ``SteeringCommittee`` (or ``None``),
    read once with the check that it is in the scope."""

    def __init__(self, **kwargs) -> None:
        super().__init__(coerce=int, empty_value=None, **kwargs)

    def set_user(self, user: Actor, *, empty_label: str | None) -> None:
        # Its first entries kept between requests (one stamp query).
        self.source = ReportScopeChoices(user=user, stamp=kept.Stamp(SCOPE_STAMPED))
        self.set_source(
            self.source, url=reverse("reporting:scope_search"), empty_label=empty_label
        )

    def clean(self, value) -> SteeringCommittee | None:
        committee_id = super().clean(value)
        if committee_id is None:
            return None
        if str(committee_id) not in self.source.objects:
            # Checked against the whole list already read: read it now.
            self.source.options_for([str(committee_id)])
        return self.source.objects[str(committee_id)]


class ReportTextsChoiceForm(forms.Form):
    """Which texts to open: a phase of the plan and a committee in the user's
    scope (empty: the provincial committee, which signs whole-province
    reports). Sent by GET."""

    phase = forms.ChoiceField(label=_("Phase"))
    committee = CommitteeChoiceField(
        label=_("Committee"),
        required=False,
        help_text=_(
            "A report on one committee's locality uses that committee's texts."
        ),
        error_messages={
            "invalid_choice": _(
                "That committee is not in your scope: choose one from the list."
            )
        },
    )

    def __init__(self, *args, user: Actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.phases = phase_choices()
        self.fields["phase"].choices = [(p.key, p.label) for p in self.phases]
        self.fields["committee"].set_user(
            user, empty_label=_("The provincial committee (whole-province reports)")
        )
        if self.current_phase is not None:
            self.fields["phase"].initial = self.current_phase.key

    @property
    def current_phase(self) -> PhaseChoice | None:
        """The phase of today, or the last one."""
        year = timezone.localdate().year
        return next(
            (p for p in self.phases if p.start_year <= year <= p.end_year),
            self.phases[-1] if self.phases else None,
        )


def _text_area(label, help_text, rows=8) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=TEXT_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ReportTextsForm(StrictForm):
    """The texts of a phase report. ``version`` is the version the page was
    opened at: a save from an older one is refused (no lost update)."""

    situation = _text_area(
        _("I. Situation"),
        _("The situation of the locality in the phase, before the figures."),
    )
    assessment = _text_area(
        _("III. Overall assessment"),
        _("Strengths, shortcomings and their causes, after the figures."),
    )
    directions = _text_area(
        _("IV. Directions"),
        _("The directions and tasks for the time to come."),
    )
    proposals = _text_area(
        _("V. Proposals and recommendations"),
        _("What the committee asks of the levels above."),
        rows=5,
    )
    signer_name = forms.CharField(
        label=_("Signer's name"), required=False, max_length=120
    )
    signer_title = forms.CharField(
        label=_("Signer's title"),
        required=False,
        max_length=120,
        help_text=_("Printed in capitals above the signature, e.g. TRƯỞNG BAN."),
    )
    recipients = forms.CharField(
        label=_("Recipients"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One recipient per line, as listed under “Nơi nhận”."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    VALUE_FIELDS = (
        "situation",
        "assessment",
        "directions",
        "proposals",
        "signer_name",
        "signer_title",
        "recipients",
    )

    @classmethod
    def initial_for(cls, texts) -> dict:
        """The form's initial values from saved texts (or none yet)."""
        if texts is None:
            return {"signer_title": "TRƯỞNG BAN", "version": 0}
        return {
            **{name: getattr(texts, name) for name in cls.VALUE_FIELDS},
            "version": texts.version,
        }

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.VALUE_FIELDS}

"""Forms of the report pages. The parameters of each kind of report are the
kind's own form (``reporting.kinds``); here are only the forms of the page
where staff write the texts of the phase reports."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.committees.access import Actor
from campaign.committees.models import SteeringCommittee
from campaign.forms import StrictForm
from reporting.selectors import PhaseChoice, phase_choices, report_scope_committees

TEXT_MAX_LENGTH = 8000


class CommitteeChoiceField(forms.ModelChoiceField):
    """A committee named with its period: the provincial committee before and
    after 01/07/2025 share a name."""

    def label_from_instance(self, obj: SteeringCommittee) -> str:
        start = f"{obj.valid_from:%d/%m/%Y}"
        if obj.valid_to is None:
            return _("%(name)s (since %(start)s)") % {
                "name": obj.short_name,
                "start": start,
            }
        return _("%(name)s (%(start)s–%(end)s)") % {
            "name": obj.short_name,
            "start": start,
            "end": f"{obj.valid_to:%d/%m/%Y}",
        }


class ReportTextsChoiceForm(forms.Form):
    """Which texts to open: a phase of the plan and a committee in the user's
    scope (empty: the provincial committee, which signs whole-province
    reports). Sent by GET."""

    phase = forms.ChoiceField(label=_("Phase"))
    committee = CommitteeChoiceField(
        label=_("Committee"),
        queryset=SteeringCommittee.objects.none(),
        required=False,
        empty_label=_("The provincial committee (whole-province reports)"),
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
        self.fields["committee"].queryset = report_scope_committees(user=user)
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

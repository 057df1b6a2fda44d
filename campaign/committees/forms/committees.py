from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.committees.choices import CommitteeLevel, CommitteeRole
from campaign.committees.models import CommitteeMember, SteeringCommittee
from campaign.forms import StrictForm, StrictFormMixin
from units.forms import AsOfDateField, LastDayField
from units.models import Area


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, area: Area) -> str:
        parent = f" — {area.parent.full_name}" if area.parent_id else ""
        last = area.valid_to - datetime.timedelta(days=1) if area.valid_to else None
        period = f" (đến {last:%d/%m/%Y})" if last else ""
        return f"{area.full_name}{parent}{period}"


class CommitteeForm(StrictForm):
    """Shape of a committee; the service checks it against the areas."""

    level = forms.ChoiceField(label=_("Level"), choices=CommitteeLevel.choices)
    area = AreaChoiceField(
        label=_("Area"),
        queryset=Area.objects.select_related("parent").order_by(
            "kind", "name", "valid_from"
        ),
    )
    parent = forms.ModelChoiceField(
        label=_("Parent committee"),
        queryset=SteeringCommittee.objects.none(),
        required=False,
        help_text=_("Empty for the provincial committee."),
    )
    name = forms.CharField(
        label=_("Official name"),
        max_length=300,
        required=False,
        help_text=_("Leave empty to use the standard name for the area."),
    )
    short_name = forms.CharField(label=_("Short name"), max_length=120, required=False)
    standing_office = forms.CharField(
        label=_("Standing office"), max_length=200, required=False
    )
    valid_from = AsOfDateField(label=_("Valid from"))
    valid_to = LastDayField(
        label=_("Last day in force"),
        required=False,
        help_text=_("Empty while the committee is in force."),
    )

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["parent"].queryset = parents

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end <= start:
            self.add_error(
                "valid_to", _("The last day cannot be before the first day.")
            )
        return cleaned


class CommitteeEditForm(StrictFormMixin, forms.ModelForm):
    """What may change on an existing committee (not its level or area)."""

    valid_from = AsOfDateField(label=_("Valid from"))
    valid_to = LastDayField(
        label=_("Last day in force"),
        required=False,
        help_text=_("Empty while the committee is in force."),
    )

    class Meta:
        model = SteeringCommittee
        fields = [
            "name",
            "short_name",
            "standing_office",
            "parent",
            "valid_from",
            "valid_to",
        ]

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["parent"].queryset = parents
        # The service validates the whole object; here only the shape.
        self._validate_unique = False

    def _post_clean(self):
        # No model validation here: the service runs full_clean with the area rules.
        pass


class MemberForm(StrictFormMixin, forms.ModelForm):
    valid_from = AsOfDateField(label=_("Member from"))
    valid_to = LastDayField(
        label=_("Member until (last day)"),
        required=False,
        help_text=_("Empty while the person is a member."),
    )

    class Meta:
        model = CommitteeMember
        fields = ["full_name", "position", "role", "valid_from", "valid_to"]
        widgets = {"role": forms.Select(choices=CommitteeRole.choices)}

    def _post_clean(self):
        pass

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end <= start:
            self.add_error(
                "valid_to", _("The last day cannot be before the first day.")
            )
        return cleaned

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campaign.committees.choices import CommitteeLevel, CommitteeRole
from campaign.committees.forms.pickers import (
    InstanceChoiceField,
    area_choices,
    committee_choices,
)
from campaign.committees.models import CommitteeMember, SteeringCommittee
from campaign.committees.selectors.committee_pick import committee_area_choices
from campaign.forms import StrictForm, StrictFormMixin
from units.forms import AsOfDateField, LastDayField
from units.widgets import remote_threshold


class AreaChoiceField(InstanceChoiceField):
    """An area, with its parent and its last day when it has ended: the whole
    list when short, else the chosen one and
    ``committees:committee_area_search`` (a national database has thousands
    of communes)."""


class ParentChoiceField(InstanceChoiceField):
    """A committee that may be another's parent
    (``parent_committee_choices_for_user``): the whole list when short, else
    the chosen one and ``committees:parent_committee_search``."""


def _set_parents(field: ParentChoiceField, parents) -> None:
    field.set_choices(
        committee_choices(parents, label=str),
        url=reverse("committees:parent_committee_search"),
        empty_label="---------",
    )


class CommitteeForm(StrictForm):
    """Shape of a committee; the service checks it against the areas."""

    level = forms.ChoiceField(label=_("Level"), choices=CommitteeLevel.choices)
    area = AreaChoiceField(label=_("Area"))
    parent = ParentChoiceField(
        label=_("Parent committee"),
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
        self.fields["area"].set_choices(
            area_choices(committee_area_choices()),
            url=reverse("committees:committee_area_search"),
            empty_label="---------",
            # Every area of both periods (2023 and the 2025 reform) is listed:
            # twice the usual threshold keeps a province's (An Giang's 288)
            # a plain list that works without JavaScript.
            threshold=2 * remote_threshold(),
        )
        if parents is not None:
            _set_parents(self.fields["parent"], parents)

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

    parent = ParentChoiceField(
        label=_("Parent committee"),
        required=False,
    )
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
            _set_parents(self.fields["parent"], parents)
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

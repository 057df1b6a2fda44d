from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.committees.choices import AUDIT_GROUPS
from units.forms import AsOfDateField


class AuditFilterForm(forms.Form):
    """Filters of the history page; every field is optional."""

    group = forms.ChoiceField(
        label=_("What"),
        required=False,
        choices=[("", _("Everything"))]
        + [(key, label) for key, (label, _actions) in AUDIT_GROUPS.items()],
    )
    q = forms.CharField(
        label=_("Record"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("e.g. long xuyen")}
        ),
    )
    actor = forms.CharField(
        label=_("By"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"placeholder": _("user name")}),
    )
    since = AsOfDateField(label=_("From"), required=False)
    until = AsOfDateField(label=_("To"), required=False)

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "group": data["group"],
            "query": data["q"],
            "actor": data["actor"],
            "since": data["since"],
            "until": data["until"],
        }

"""Forms of the plan's targets (shape validation; the target rules live in
``campaign.planning.services.targets.target_check``)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from campaign.forms import StrictForm
from campaign.planning.choices import RoundingRule, TargetGrouping, TargetKind, UnitKind
from campaign.planning.models import Plan, Target
from campaign.planning.services.targets import target_check

TARGET_FIELDS = (
    "programme",
    "phase",
    "kind",
    "year",
    "unit_kind",
    "count",
    "share_percent",
    "grouping",
    "rounding",
    "note",
)
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


def _label(name: str):
    return capfirst(Target._meta.get_field(name).verbose_name)


class TargetForm(StrictForm):
    """A target of ``plan``: programme and phase are chosen among the plan's."""

    programme = forms.ModelChoiceField(label=_label("programme"), queryset=None)
    phase = forms.ModelChoiceField(label=_label("phase"), queryset=None)
    kind = forms.ChoiceField(label=_label("kind"), choices=TargetKind.choices)
    year = forms.IntegerField(
        label=_label("year"),
        min_value=EARLIEST_YEAR,
        max_value=LATEST_YEAR,
        help_text=_(
            "For a number of units, the year of the quota; for a share, the year "
            "by which it must be reached; for a yearly increase, the year concerned."
        ),
    )
    unit_kind = forms.ChoiceField(
        label=_label("unit_kind"),
        required=False,
        choices=[("", _("Any / not applicable")), *UnitKind.choices],
        help_text=_("Required for a number of units."),
    )
    count = forms.IntegerField(
        label=_label("count"),
        required=False,
        min_value=1,
        help_text=_("For a number of units or a yearly increase."),
    )
    share_percent = forms.DecimalField(
        label=_label("share_percent"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        help_text=_("For a minimum share: between 0 and 100."),
    )
    grouping = forms.ChoiceField(
        label=_label("grouping"),
        choices=TargetGrouping.choices,
        initial=TargetGrouping.PROVINCE,
    )
    rounding = forms.ChoiceField(
        label=_label("rounding"),
        choices=RoundingRule.choices,
        initial=RoundingRule.UP,
        help_text=_(
            "How a share becomes a number of units: 30 per cent of 11 wards is 4 "
            "rounding up, 3 rounding down or to nearest."
        ),
    )
    note = forms.CharField(
        label=_label("note"),
        required=False,
        max_length=Target._meta.get_field("note").max_length,
    )

    def __init__(self, *args, plan: Plan, target: Target | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.target = target
        self.fields["programme"].queryset = plan.programmes.order_by("pk")
        self.fields["phase"].queryset = plan.phases.order_by("start_year")

    @classmethod
    def initial_for(cls, target: Target) -> dict:
        return {name: getattr(target, name) for name in TARGET_FIELDS}

    def clean(self):
        cleaned_data = super().clean()
        checked = ("programme", "phase", "kind", "year", "grouping")
        if not all(cleaned_data.get(name) for name in checked):
            return cleaned_data
        try:
            target_check(
                plan=self.plan,
                programme=cleaned_data["programme"],
                phase=cleaned_data["phase"],
                kind=cleaned_data["kind"],
                year=cleaned_data["year"],
                unit_kind=cleaned_data.get("unit_kind", ""),
                count=cleaned_data.get("count"),
                share_percent=cleaned_data.get("share_percent"),
                grouping=cleaned_data["grouping"],
                exclude_pk=self.target.pk if self.target else None,
            )
        except ValidationError as error:
            # A field already refused (e.g. a share of 130) keeps its own message.
            self.add_service_error(
                ValidationError(
                    {
                        field: messages
                        for field, messages in error.error_dict.items()
                        if field not in self.errors
                    }
                )
            )
        return cleaned_data

    def target_data(self) -> dict:
        """Keyword arguments for the target services."""
        data = self.cleaned_data
        return {
            "programme": data["programme"],
            "phase": data["phase"],
            "kind": data["kind"],
            "year": data["year"],
            "unit_kind": data["unit_kind"],
            "count": data["count"],
            "share_percent": data["share_percent"],
            "grouping": data["grouping"],
            "rounding": data["rounding"],
            "note": data["note"],
        }

"""Forms of the registrations (shape validation only; the services decide)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from campaign.planning.models import Phase
from units.choices import OrganisationKind

PHONE = RegexValidator(
    r"^(\+84|0)[1-9][0-9 .]{7,12}$",
    _("Enter a Vietnamese phone number, e.g. 0296 3852 123 or 0912 345 678."),
)
UNIT_OR_NEW = _("Choose a unit from the list or enter a new organisation — not both.")
UNIT_MISSING = _("Choose the unit to register, or enter a new organisation.")
NEW_ORG_INCOMPLETE = _("A new organisation needs its name, kind and location.")


class PhaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, phase: Phase) -> str:
        return f"{phase.start_year}–{phase.end_year}"


class RegistrationForm(forms.Form):
    """A registration's fields. Anything else posted (status, committee,
    version…) is not a field here and is ignored."""

    unit = forms.ChoiceField(
        label=_("Choose from the list"),
        required=False,
        help_text=_(
            "A commune, ward or township of your area, or an organisation you manage."
        ),
    )
    new_organisation_name = forms.CharField(
        label=_("Or a new organisation: name"), max_length=200, required=False
    )
    new_organisation_kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", "---------"), *OrganisationKind.choices],
        required=False,
    )
    new_organisation_area = forms.ChoiceField(label=_("Located in"), required=False)
    phase = PhaseChoiceField(label=_("Phase"), queryset=Phase.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=2023, max_value=2030)
    contact_name = forms.CharField(label=_("Contact person"), max_length=120)
    contact_phone = forms.CharField(
        label=_("Contact phone"), max_length=20, validators=[PHONE]
    )
    plan_summary = forms.CharField(
        label=_("What the unit will do"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A short plan: the main measures and models the unit commits to."),
    )
    # Any file name is accepted: it is shortened and cleaned for display, and
    # the file is stored under a generated name.
    document = forms.FileField(label=_("Signed registration document"))
    # The version the form was opened on: a save based on an older one is refused.
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args, areas=(), organisations=(), phases=None, editing=False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["document"].help_text = document_help(settings.UPLOAD_MAX_BYTES)
        self.fields["phase"].queryset = (
            phases if phases is not None else Phase.objects.all()
        )
        if editing:
            # The unit of a registration does not change; the document is kept
            # unless a new one is chosen.
            for name in (
                "unit",
                "new_organisation_name",
                "new_organisation_kind",
                "new_organisation_area",
            ):
                del self.fields[name]
            self.fields["document"].required = False
            return
        area_choices = [
            (
                f"area:{a.pk}",
                f"{a.full_name} — {a.parent.full_name if a.parent else ''}",
            )
            for a in areas
        ]
        org_choices = [
            (f"org:{o.pk}", f"{o.name} ({o.get_kind_display()})") for o in organisations
        ]
        self.fields["unit"].choices = [
            ("", "---------"),
            (_("Communes, wards and townships"), area_choices),
            (_("Agencies, enterprises and schools"), org_choices),
        ]
        self.fields["new_organisation_area"].choices = [
            ("", "---------"),
            *area_choices,
        ]
        self.areas = {f"area:{a.pk}": a for a in areas}
        self.organisations = {f"org:{o.pk}": o for o in organisations}

    def clean(self):
        cleaned = super().clean()
        if "unit" not in self.fields:
            return cleaned
        unit = cleaned.get("unit")
        new_name = (cleaned.get("new_organisation_name") or "").strip()
        if unit and new_name:
            raise forms.ValidationError(UNIT_OR_NEW)
        if not unit and not new_name:
            self.add_error("unit", UNIT_MISSING)
        if new_name and not (
            cleaned.get("new_organisation_kind")
            and cleaned.get("new_organisation_area")
        ):
            self.add_error("new_organisation_name", NEW_ORG_INCOMPLETE)
        cleaned["area"] = self.areas.get(unit) if unit else None
        cleaned["organisation"] = self.organisations.get(unit) if unit else None
        cleaned["new_organisation_location"] = self.areas.get(
            cleaned.get("new_organisation_area") or ""
        )
        return cleaned


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for returning"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Give the reason for returning the registration.")
        },
    )


class ApproveForm(forms.Form):
    confirm_over_quota = forms.BooleanField(
        label=_("I confirm the approval beyond the year's quota"), required=False
    )


def document_help(limit_bytes: int) -> str:
    return str(
        _("PDF, JPEG, PNG or DOCX, at most %(limit)s.")
        % {"limit": filesizeformat(limit_bytes)}
    )

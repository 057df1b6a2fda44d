"""Forms of the registrations (shape validation only; the services decide)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campaign import uploads
from campaign.planning.models import Phase
from campaign.registrations.forms.unit_choices import (
    ListedUnits,
    RegistrableUnits,
    area_label,
    organisation_label,
)
from units.choices import OrganisationKind
from units.models import Area, Organisation
from units.widgets import SearchableChoiceField

__all__ = ["area_label", "organisation_label"]  # kept importable from here

PHONE = RegexValidator(
    r"^(\+84|0)[1-9][0-9 .]{7,12}$",
    _("Enter a Vietnamese phone number, e.g. 0296 3852 123 or 0912 345 678."),
)
UNIT_OR_NEW = _("Choose a unit from the list or enter a new organisation — not both.")
UNIT_MISSING = _("Choose the unit to register, or enter a new organisation.")
UNIT_UNKNOWN = _("This unit is not in the list of %(year)s: choose one from the list.")
NEW_ORG_INCOMPLETE = _("A new organisation needs its name, kind and location.")
YEAR_OUTSIDE_PHASES = _(
    "%(year)s is not a year of the plan: its phases are %(phases)s. Choose a "
    "year within them."
)
DOCUMENT_MISSING = _("Attach the signed registration document.")


def document_help(limit_bytes: int) -> str:
    return str(
        _("PDF, JPEG, PNG or DOCX, at most %(limit)s.")
        % {"limit": filesizeformat(limit_bytes)}
    )


def year_choices(phases: Iterable[Phase]) -> list:
    """The plan's years, grouped by phase: [("2023–2025", [(2023, "2023"), …]), …]."""
    return [
        (
            f"{phase.start_year}–{phase.end_year}",
            [(y, str(y)) for y in range(phase.start_year, phase.end_year + 1)],
        )
        for phase in phases
    ]


class YearForm(forms.Form):
    """The year a unit is registered for: a plain GET form of its own, so that
    choosing another year reloads the units valid that year (htmx swaps the
    unit list; without JavaScript its button reloads the page)."""

    year = forms.TypedChoiceField(label=_("Year of the registration"), coerce=int)

    def __init__(self, *args, phases: list[Phase], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices(phases)


class _DocumentMixin:
    """The signed document: a new upload, checked at once by its content, or
    the upload kept from a previous attempt of the same form (``kept``)."""

    def _init_document(self, *, kept: uploads.KeptUpload | None, required: bool):
        self.kept = kept
        self.document_required = required
        field = self.fields["document"]
        field.required = False
        field.help_text = document_help(settings.UPLOAD_MAX_BYTES)
        if kept is not None:
            self.initial["document_token"] = kept.token

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if upload:
            uploads.check_upload(upload, allowed=uploads.EVIDENCE_KINDS)
        return upload

    def _check_document_present(self):
        if (
            self.document_required
            and not self.cleaned_data.get("document")
            and self.kept is None
            and "document" not in self.errors
        ):
            self.add_error("document", DOCUMENT_MISSING)

    def document_file(self):
        """The file to give the service: the new upload, else the kept one."""
        upload = self.cleaned_data.get("document")
        if upload:
            return upload
        return self.kept.open() if self.kept is not None else None

    def checked_upload(self):
        """The new upload if it passed its checks (to keep it when the form is
        sent back for another reason)."""
        if "document" in self.errors:
            return None
        return self.cleaned_data.get("document") or None


class RegistrationForm(_DocumentMixin, forms.Form):
    """A new registration's fields. The year comes from the year form (a hidden
    copy here); the unit list holds the units valid that year. Anything else
    posted (status, committee, version…) is not a field here and is ignored."""

    year = forms.IntegerField(widget=forms.HiddenInput)
    unit = SearchableChoiceField(
        label=_("Unit"),
        required=False,
        help_text=_(
            "Type a few letters of its name, with or without accents (e.g. “my "
            "thanh”): a commune, ward or special zone of your area, or an "
            "organisation you manage."
        ),
    )
    new_organisation_name = forms.CharField(
        label=_("Name of the new organisation"), max_length=200, required=False
    )
    new_organisation_kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", "---------"), *OrganisationKind.choices],
        required=False,
    )
    new_organisation_area = SearchableChoiceField(
        label=_("Located in"),
        required=False,
    )
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
    document_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args,
        year: int,
        phases: list[Phase],
        units: RegistrableUnits | ListedUnits | None = None,
        areas: Iterable[Area] = (),
        organisations: Iterable[Organisation] = (),
        explain_area: Callable[[Area], str] | None = None,
        kept: uploads.KeptUpload | None = None,
        **kwargs,
    ):
        """``units``: the units the user may register that year
        (``RegistrableUnits``, read a few at a time: a national list is far
        too long for the page); or ``areas`` and ``organisations`` already
        read."""
        super().__init__(*args, **kwargs)
        self.year = year
        self.phases = phases
        self.explain_area = explain_area
        self.initial.setdefault("year", year)
        if isinstance(units, RegistrableUnits):
            self.units: RegistrableUnits | ListedUnits = units
            located: RegistrableUnits | ListedUnits = RegistrableUnits(
                user=units.user, year=units.year, areas_only=True
            )
        else:
            areas = list(areas)
            self.units = units or ListedUnits(areas=areas, organisations=organisations)
            located = ListedUnits(areas=areas, areas_only=True)
        search = reverse("registrations:unit_search")
        self.fields["unit"].set_source(self.units, url=f"{search}?year={year}")
        self.fields["unit"].explain = self._explain
        self.fields["new_organisation_area"].set_source(
            located, url=f"{search}?year={year}&kind=area"
        )
        self.fields["new_organisation_area"].explain = self._explain
        self._init_document(kept=kept, required=True)

    @property
    def unit_count(self) -> int:
        """How many units may be registered that year (counted only when the
        list is too long to be written in the page)."""
        searchable = self.fields["unit"].searchable
        if searchable.remote:
            return self.units.count()
        return len(searchable.displayed([]))

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not any(p.contains_year(year) for p in self.phases):
            raise ValidationError(
                YEAR_OUTSIDE_PHASES,
                code="year_outside_phases",
                params={
                    "year": year,
                    "phases": ", ".join(
                        f"{p.start_year}–{p.end_year}" for p in self.phases
                    ),
                },
            )
        return year

    def _explain(self, value: str) -> str:
        """Why a posted unit is not in the list, in words (never its id)."""
        kind, _sep, pk = value.partition(":")
        if kind == "area" and pk.isdigit() and self.explain_area is not None:
            area = Area.objects.filter(pk=int(pk)).select_related("parent").first()
            if area is not None:
                reason = self.explain_area(area)
                if reason:
                    return reason
        return str(UNIT_UNKNOWN % {"year": self.year})

    def clean(self):
        cleaned = super().clean()
        unit = cleaned.get("unit")
        new_name = (cleaned.get("new_organisation_name") or "").strip()
        if unit and new_name:
            raise ValidationError(UNIT_OR_NEW)
        if not unit and not new_name and "unit" not in self.errors:
            self.add_error("unit", UNIT_MISSING)
        if new_name and not (
            cleaned.get("new_organisation_kind")
            and cleaned.get("new_organisation_area")
        ):
            self.add_error("new_organisation_name", NEW_ORG_INCOMPLETE)
        # The objects behind the values the fields have just checked.
        chosen = self.units.objects.get(unit) if unit else None
        cleaned["area"] = chosen if isinstance(chosen, Area) else None
        cleaned["organisation"] = chosen if isinstance(chosen, Organisation) else None
        located = self.fields["new_organisation_area"].searchable.source
        cleaned["new_organisation_location"] = located.objects.get(
            cleaned.get("new_organisation_area") or ""
        )
        self._check_document_present()
        return cleaned


class RegistrationEditForm(_DocumentMixin, forms.Form):
    """What may change on a draft or returned registration: its year (the
    phase follows), contact, plan and document; the unit stays."""

    year = forms.TypedChoiceField(label=_("Year of the registration"), coerce=int)
    contact_name = RegistrationForm.base_fields["contact_name"]
    contact_phone = RegistrationForm.base_fields["contact_phone"]
    plan_summary = RegistrationForm.base_fields["plan_summary"]
    document = forms.FileField(label=_("Signed registration document"))
    document_token = forms.CharField(widget=forms.HiddenInput, required=False)
    # The version the form was opened on: a save based on an older one is refused.
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, phases: list[Phase], kept=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = year_choices(phases)
        self.fields["year"].error_messages["invalid_choice"] = _(
            "%(value)s is not a year of the plan: choose a year of one of its phases."
        )
        self._init_document(kept=kept, required=False)

    def clean(self):
        cleaned = super().clean()
        self._check_document_present()
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
    confirm_quota = forms.BooleanField(
        label=_("I confirm the approval, knowing the quota of that year"),
        required=False,
    )

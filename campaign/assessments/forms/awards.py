"""Forms of recognitions, commendations, emulation pledges and reviews (shape
validation only: the services decide, and re-check every unit and committee
through the acting user's scope)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.formsets import BaseFormSet, formset_factory
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campaign.assessments.choices import (
    Classification,
    CommendationForm,
    RecipientKind,
    ReviewKind,
)
from campaign.assessments.models import EmulationPledge, PledgeItem
from campaign.assessments.selectors.award_units import (
    AwardUnits,
    award_registration_search,
    award_ward_police_search,
)
from campaign.committees.models import SteeringCommittee
from campaign.forms import StrictForm
from campaign.planning.choices import ProgrammeKind
from campaign.registrations.forms.registration_list import QuickSelect
from campaign.registrations.models import Registration
from units.choices import AreaKind
from units.forms import AsOfDateField
from units.models import WardPolice
from units.widgets import (
    Option,
    SearchableChoiceField,
    SearchableChoices,
    first_in_order,
    prefixed_ids,
)

ALL = "---------"
UNIT_NOT_IN_LIST = _(
    "This unit cannot be chosen: choose an approved registered unit or a ward "
    "police from the list."
)
UNIT_MISSING = _("Choose the unit this row classifies.")
GRADE_MISSING = _("Choose the grade of this unit.")
NOTE_WITHOUT_UNIT = _("Choose the unit and its grade, or clear the note.")
EACH_UNIT_ONCE = _("Each unit is classified once: see the rows marked below.")
DUPLICATE_UNIT = _("%(unit)s is classified twice (rows %(first)s and %(again)s).")
ITEM_TOO_LONG = _(
    "Item %(number)s has %(length)s characters: an item has at most %(limit)s."
)
TOO_MANY_ITEMS = _("At most %(limit)s items: this list has %(count)s.")
MAX_ITEMS = 100
REGISTRATION_VALUE = "reg"
WARD_POLICE_VALUE = "wp"


# --- The unit a commendation or a classification is about ---------------------------


def registration_unit_label(registration: Registration) -> str:
    return f"{registration.unit_name} ({registration.year})"


def ward_police_unit_label(ward_police: WardPolice) -> str:
    """The ward police, told apart from a namesake of another era: "Công an
    phường Bình Đức — Thành phố Long Xuyên (until 30/06/2025)"."""
    area = ward_police.area
    label = ward_police.name
    parent = area.parent
    if parent is not None and parent.kind != AreaKind.PROVINCE:
        label = f"{label} — {parent.full_name}"
    if area.valid_to is not None:
        last = area.valid_to - datetime.timedelta(days=1)
        label = f"{label} ({_('until %(day)s') % {'day': f'{last:%d/%m/%Y}'}})"
    elif area.valid_from is not None:
        since = _("since %(day)s") % {"day": f"{area.valid_from:%d/%m/%Y}"}
        label = f"{label} ({since})"
    return label


class UnitChoices:
    """The list of a unit field — approved registrations grouped by year, then
    the ward police — as a searchable list (units/widgets.py): written whole
    when short, else only the chosen unit and the search endpoint
    ``assessments:award_unit_search``. One list for the page: the rows of a
    review share it (read once, whatever the number of rows). The objects
    behind the values read are kept (``resolve``)."""

    def __init__(self, units: AwardUnits, *, threshold: int | None = None):
        self.units = units
        self.by_value: dict[str, tuple[Registration | None, WardPolice | None]] = {}
        self.searchable = SearchableChoices(
            self,
            url=reverse("assessments:award_unit_search"),
            empty_label=ALL,
            threshold=threshold,
        )

    # --- ChoiceSource ---

    def _registration_option(self, registration: Registration) -> Option:
        value = f"{REGISTRATION_VALUE}:{registration.pk}"
        self.by_value[value] = (registration, None)
        group = _("Exemplary units of %(year)s") % {"year": registration.year}
        return (value, registration_unit_label(registration), str(group))

    def _ward_police_option(self, ward_police: WardPolice) -> Option:
        value = f"{WARD_POLICE_VALUE}:{ward_police.pk}"
        self.by_value[value] = (None, ward_police)
        group = ProgrammeKind.MODEL_WARD_POLICE.label
        return (value, ward_police_unit_label(ward_police), str(group))

    def _options(
        self, registrations: Iterable[Registration], ward_police: Iterable[WardPolice]
    ) -> list[Option]:
        return [
            *(self._registration_option(r) for r in registrations),
            *(self._ward_police_option(w) for w in ward_police),
        ]

    def options(self, *, limit: int) -> list[Option]:
        registrations = list(first_in_order(self.units.registrations, limit))
        ward_police = (
            []
            if len(registrations) >= limit
            else first_in_order(self.units.ward_police, limit - len(registrations))
        )
        return self._options(registrations, ward_police)

    def options_for(self, values: Iterable[str]) -> list[Option]:
        values = list(values)
        registration_ids = prefixed_ids(values, REGISTRATION_VALUE)
        ward_police_ids = prefixed_ids(values, WARD_POLICE_VALUE)
        return self._options(
            self.units.registrations.filter(pk__in=registration_ids)
            if registration_ids
            else [],
            self.units.ward_police.filter(pk__in=ward_police_ids)
            if ward_police_ids
            else [],
        )

    def search(self, query: str, *, limit: int) -> list[Option]:
        registrations = list(
            award_registration_search(
                registrations=self.units.registrations, query=query, limit=limit
            )
        )
        # The best matches, each year's under one heading (newest first).
        registrations.sort(key=lambda r: -r.year)
        ward_police: list[WardPolice] = []
        if len(registrations) < limit:
            ward_police = list(
                award_ward_police_search(
                    ward_police=self.units.ward_police,
                    query=query,
                    limit=limit - len(registrations),
                )
            )
        return self._options(registrations, ward_police)

    # --- The form's side ---

    def resolve(self, value: str) -> tuple[Registration | None, WardPolice | None]:
        """The registration or ward police behind a value of the list (read
        when the value was checked)."""
        if value and value not in self.by_value:
            self.searchable.lookup([value])
        return self.by_value.get(value, (None, None))

    def label_of(self, value: str) -> str:
        registration, ward_police = self.resolve(value)
        if registration is not None:
            return registration_unit_label(registration)
        return ward_police_unit_label(ward_police) if ward_police else value


class UnitField(SearchableChoiceField):
    """A unit of a ``UnitChoices`` (set with ``set_units``), cleaned to its
    value (``reg:<id>`` or ``wp:<id>``; the form resolves it)."""

    def set_units(self, units: UnitChoices) -> None:
        # The page's one list, not one per row: a review's rows read it once.
        self.searchable = units.searchable
        self.widget.searchable = units.searchable


def unit_field(*, label, help_text="") -> UnitField:
    return UnitField(
        label=label,
        required=False,
        help_text=help_text,
        error_messages={"invalid_choice": UNIT_NOT_IN_LIST},
    )


def year_field(*, label, years: Iterable[int] = ()) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        choices=[(y, str(y)) for y in years],
        error_messages={
            "invalid_choice": _("Choose a year of the plan."),
            "required": _("Choose the year."),
        },
    )


def _required(message) -> dict:
    return {"required": message}


# --- List filters ------------------------------------------------------------------


class _YearFilterMixin:
    def _set_years(self, years: list[int]) -> None:
        self.fields["year"].choices = [("", _("All years")), *((y, y) for y in years)]

    @property
    def is_filtering(self) -> bool:
        return self.is_valid() and any(
            value not in ("", None) for value in self.cleaned_data.values()
        )


def _search_field(placeholder) -> forms.CharField:
    return forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": placeholder}),
    )


def _year_filter_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=_("Year"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=QuickSelect,
    )


class RecognitionFilterForm(_YearFilterMixin, forms.Form):
    q = _search_field(_("Unit or decision number, e.g. my binh"))
    year = _year_filter_field()
    programme = forms.ChoiceField(
        label=_("Programme"),
        required=False,
        choices=[("", _("Both programmes")), *ProgrammeKind.choices],
        widget=QuickSelect,
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self._set_years(years)


class CommendationFilterForm(_YearFilterMixin, forms.Form):
    q = _search_field(_("Recipient, unit or decision number"))
    year = _year_filter_field()
    form = forms.ChoiceField(
        label=_("Form"),
        required=False,
        choices=[("", _("All forms")), *CommendationForm.choices],
        widget=QuickSelect,
    )
    recipient_kind = forms.ChoiceField(
        label=_("Recipient"),
        required=False,
        choices=[("", _("Collectives and individuals")), *RecipientKind.choices],
        widget=QuickSelect,
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self._set_years(years)


class PledgeFilterForm(_YearFilterMixin, forms.Form):
    year = _year_filter_field()

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self._set_years(years)


class ReviewFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Interim and final reviews")), *ReviewKind.choices],
        widget=QuickSelect,
    )

    @property
    def is_filtering(self) -> bool:
        return self.is_valid() and bool(self.cleaned_data["kind"])


# --- Commendation ------------------------------------------------------------------


class CommendationCreateForm(StrictForm):
    """A commendation's decision, its recipient and, optionally, the unit it
    honours (an approved registration or a ward police of the user's scope)."""

    form = forms.ChoiceField(
        label=_("Form of commendation"),
        choices=[("", ALL), *CommendationForm.choices],
        error_messages=_required(_("Choose the form of commendation.")),
    )
    authority = forms.CharField(
        label=_("Awarded by"),
        max_length=200,
        help_text=_(
            "The authority that signed the decision, e.g. Chủ tịch UBND tỉnh, "
            "Giám đốc Công an tỉnh, Bộ trưởng Bộ Công an."
        ),
        error_messages=_required(_("Name the authority that awarded it.")),
    )
    recipient_kind = forms.ChoiceField(
        label=_("Recipient"),
        choices=RecipientKind.choices,
        initial=RecipientKind.COLLECTIVE,
        widget=forms.RadioSelect,
        error_messages=_required(_("Say whether a collective or an individual.")),
    )
    recipient_name = forms.CharField(
        label=_("Recipient's name"),
        max_length=250,
        help_text=_("The collective or the person, as named in the decision."),
        error_messages=_required(_("Write the recipient's name.")),
    )
    unit = unit_field(
        label=_("Unit it honours (optional)"),
        help_text=_(
            "An approved registered unit or a ward police. Type a few letters of "
            "its name, with or without accents (e.g. “my binh”)."
        ),
    )
    year = year_field(label=_("Year of the achievement"))
    decision_number = forms.CharField(
        label=_("Decision number"),
        max_length=60,
        help_text=_("As on the decision, e.g. 1234/QĐ-UBND."),
        error_messages=_required(_("Write the decision number.")),
    )
    decided_on = AsOfDateField(
        label=_("Decision date"),
        error_messages=_required(_("Give the date of the decision.")),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The achievement the decision names."),
        error_messages=_required(_("Write the reason given in the decision.")),
    )

    def __init__(self, *args, units: AwardUnits, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.units = UnitChoices(units)
        self.fields["unit"].set_units(self.units)
        self.fields["year"].choices = [(y, str(y)) for y in years]

    def clean(self):
        cleaned = super().clean()
        registration, ward_police = self.units.resolve(cleaned.get("unit") or "")
        cleaned["registration"] = registration
        cleaned["ward_police"] = ward_police
        return cleaned


# --- Emulation pledges -------------------------------------------------------------


class PledgeCreateForm(StrictForm):
    """A pledge: title, signing date and year, the signing committees (the
    page shows those in force on the signing date) and the pledged items, one
    per line."""

    title = forms.CharField(
        label=_("Title of the pledge"),
        max_length=300,
        help_text=_(
            "E.g. Giao ước thi đua thực hiện phong trào toàn dân bảo vệ an ninh "
            "Tổ quốc năm 2023."
        ),
        error_messages=_required(_("Write the title of the pledge.")),
    )
    signed_on = AsOfDateField(
        label=_("Signed on"),
        error_messages=_required(_("Give the signing date.")),
    )
    year = year_field(label=_("Year of the pledge"))
    committees = forms.ModelMultipleChoiceField(
        label=_("Signing committees"),
        queryset=SteeringCommittee.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one signing committee."),
            "invalid_choice": _(
                "A chosen committee is not one you may choose: reload the page "
                "and choose again."
            ),
            "invalid_pk_value": _(
                "A chosen committee is not one you may choose: reload the page "
                "and choose again."
            ),
        },
    )
    items = forms.CharField(
        label=_("Pledged items"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One item per line, in the order of the pledge."),
        error_messages=_required(_("Write at least one pledged item.")),
    )

    def __init__(
        self,
        *args,
        committees: QuerySet[SteeringCommittee],
        years: list[int],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["committees"].queryset = committees
        self.fields["year"].choices = [(y, str(y)) for y in years]

    def clean_items(self) -> list[str]:
        lines = [
            " ".join(line.split()) for line in self.cleaned_data["items"].split("\n")
        ]
        items = [line for line in lines if line]
        if not items:
            raise ValidationError(_("Write at least one pledged item."))
        if len(items) > MAX_ITEMS:
            raise ValidationError(
                TOO_MANY_ITEMS, params={"limit": MAX_ITEMS, "count": len(items)}
            )
        limit = PledgeItem._meta.get_field("text").max_length
        for number, item in enumerate(items, start=1):
            if len(item) > limit:
                raise ValidationError(
                    ITEM_TOO_LONG,
                    params={"number": number, "length": len(item), "limit": limit},
                )
        return items

    def selected_committee_ids(self) -> set[int]:
        """The committees ticked (posted, or given as initial), as ids."""
        value = self["committees"].value() or []
        chosen = set()
        for item in value:
            try:
                chosen.add(int(getattr(item, "pk", item)))
            except (TypeError, ValueError):
                continue
        return chosen


class PledgeResultForm(StrictForm):
    """The year-end result of a pledge: overall, with its date, and item by
    item (one field per pledged item, ``item_<id>``)."""

    year_end_result = forms.CharField(
        label=_("Year-end result"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("How the pledge was carried out over the year, as assessed."),
        error_messages=_required(_("Write the year-end result.")),
    )
    result_recorded_on = AsOfDateField(
        label=_("Result recorded on"),
        error_messages=_required(_("Give the date the result was assessed.")),
    )

    def __init__(self, *args, pledge: EmulationPledge, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(pledge.items.all())
        limit = PledgeItem._meta.get_field("result").max_length
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.CharField(
                label=f"{item.position}. {item.text}",
                max_length=limit,
                required=False,
                initial=item.result,
            )

    def item_fields(self) -> list[forms.BoundField]:
        return [self[f"item_{item.pk}"] for item in self.items]

    def item_results(self) -> dict[int, str]:
        return {
            item.pk: self.cleaned_data.get(f"item_{item.pk}", "") for item in self.items
        }


# --- Reviews -----------------------------------------------------------------------


class ReviewCreateForm(StrictForm):
    """A review's own fields; its classifications come in a formset posted
    with it (whose fields are the only other names this form accepts)."""

    kind = forms.ChoiceField(
        label=_("Kind of review"),
        choices=ReviewKind.choices,
        initial=ReviewKind.INTERIM,
        widget=forms.RadioSelect,
        error_messages=_required(_("Choose an interim or a final review.")),
    )
    title = forms.CharField(
        label=_("Title of the review"),
        max_length=300,
        help_text=_("E.g. Hội nghị sơ kết 01 năm xây dựng điển hình."),
        error_messages=_required(_("Write the title of the review.")),
    )
    held_on = AsOfDateField(
        label=_("Held on"),
        error_messages=_required(_("Give the date the review was held.")),
    )
    period_start = year_field(label=_("From year"))
    period_end = year_field(label=_("To year"))
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the review found and decided."),
    )

    def __init__(
        self, *args, years: list[int], extra_names: Iterable[str] = (), **kwargs
    ):
        super().__init__(*args, **kwargs)
        ascending = sorted(years)
        for name in ("period_start", "period_end"):
            self.fields[name].choices = [(y, str(y)) for y in ascending]
        self.extra_names = set(extra_names)

    def expected_names(self) -> set[str]:
        return super().expected_names() | self.extra_names


class ClassificationRowForm(forms.Form):
    """One row: a unit and its grade, with a note. An empty row is skipped."""

    unit = unit_field(label=_("Unit"))
    classification = forms.ChoiceField(
        label=_("Grade"),
        required=False,
        choices=[("", ALL), *Classification.choices],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, units: UnitChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        self.fields["unit"].set_units(units)

    def clean(self):
        cleaned = super().clean()
        unit = cleaned.get("unit")
        grade = cleaned.get("classification")
        note = (cleaned.get("note") or "").strip()
        if "unit" in self.errors:
            return cleaned
        if unit and not grade:
            self.add_error("classification", GRADE_MISSING)
        elif grade and not unit:
            self.add_error("unit", UNIT_MISSING)
        elif note and not unit:
            self.add_error("unit", NOTE_WITHOUT_UNIT)
        registration, ward_police = self.units.resolve(unit or "")
        cleaned["registration"] = registration
        cleaned["ward_police"] = ward_police
        return cleaned

    @property
    def is_blank(self) -> bool:
        return not (self.cleaned_data.get("unit") or "")


class BaseClassificationFormSet(BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen: dict[str, int] = {}
        duplicated = False
        for number, form in enumerate(self.forms, start=1):
            unit = form.cleaned_data.get("unit")
            if not unit:
                continue
            if unit in seen:
                form.add_error(
                    "unit",
                    ValidationError(
                        DUPLICATE_UNIT,
                        params={
                            "unit": form.units.label_of(unit),
                            "first": seen[unit],
                            "again": number,
                        },
                    ),
                )
                duplicated = True
            else:
                seen[unit] = number
        if duplicated:
            raise ValidationError(EACH_UNIT_ONCE, code="duplicate")

    def expected_names(self) -> set[str]:
        """The names this formset posts: its management form and every row."""
        names = {
            self.management_form.add_prefix(n) for n in self.management_form.fields
        }
        for form in self.forms:
            names.update(form.add_prefix(n) for n in form.fields)
        return names

    def chosen_rows(self) -> list[dict]:
        """The filled rows, in order (call on a valid formset)."""
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.is_blank
        ]

    def posted_rows(self) -> list[dict]:
        """The rows as typed, filled ones only (to show them again unbound)."""
        rows = []
        for form in self.forms:
            row = {name: form[name].value() or "" for name in form.fields}
            if any(row.values()):
                rows.append(row)
        return rows


CLASSIFICATION_ROWS = 8
MORE_ROWS = 5
ClassificationFormSet = formset_factory(
    ClassificationRowForm,
    formset=BaseClassificationFormSet,
    extra=CLASSIFICATION_ROWS,
    max_num=500,
    absolute_max=500,
)


def classification_formset(
    data=None, *, units: UnitChoices, initial=None, extra: int | None = None
) -> BaseClassificationFormSet:
    formset = ClassificationFormSet(
        data, prefix="c", initial=initial, form_kwargs={"units": units}
    )
    if extra is not None:
        formset.extra = extra
    return formset

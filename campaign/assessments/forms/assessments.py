"""Forms of the assessment pages (shape validation only; the services decide)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cached_property

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaign.assessments.choices import AssessmentStatus
from campaign.assessments.models import Answer
from campaign.assessments.selectors.assessable_units import (
    AssessableUnitSets,
    assessable_registration_search,
    assessable_unit_count,
    assessable_ward_police_search,
    assessed_unit_ids,
)
from campaign.assessments.selectors.assessment_pages import (
    UNIT_REGISTRATION,
    UNIT_WARD_POLICE,
)
from campaign.forms import StrictForm
from campaign.registrations.models import Registration
from units.forms import AsOfDateField
from units.models import WardPolice
from units.widgets import (
    Option,
    SearchableChoiceField,
    SearchableChoices,
    first_in_order,
    prefixed_ids,
)

UNIT_MISSING = _("Choose the unit to assess.")
UNIT_UNKNOWN = _(
    "This unit is not one you may assess in %(year)s: choose one from the list."
)
YEAR_OUTSIDE_PLAN = _(
    "%(year)s is not a year of the plan: choose a year from %(first)s to %(last)s."
)
AUTHORITIES = (
    "Ban Chỉ đạo 138 tỉnh An Giang",
    "Chủ tịch Ủy ban nhân dân tỉnh An Giang",
)


# --- The list -----------------------------------------------------------------------


class AssessmentFilterForm(forms.Form):
    """Filters of the assessment list; every field is optional."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Unit, e.g. long xuyen")}
        ),
    )
    year = forms.TypedChoiceField(
        label=_("Year"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *AssessmentStatus.choices],
    )
    unit_type = forms.ChoiceField(
        label=_("Unit type"),
        required=False,
        choices=[
            ("", _("All units")),
            (UNIT_WARD_POLICE, _("Ward police")),
            (UNIT_REGISTRATION, _("Registered units")),
        ],
    )

    def __init__(self, *args, years: Iterable[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [
            ("", _("All years")),
            *((y, y) for y in sorted(years, reverse=True)),
        ]

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "q": data["q"],
            "year": data["year"],
            "status": data["status"],
            "unit_type": data["unit_type"],
        }

    @property
    def is_filtering(self) -> bool:
        return self.is_valid() and any(
            value not in ("", None) for value in self.filters().values()
        )


# --- Starting an assessment ---------------------------------------------------------


def ward_police_key(pk: int) -> str:
    return f"wp:{pk}"


def registration_key(pk: int) -> str:
    return f"reg:{pk}"


class YearForm(forms.Form):
    """The year of the assessment, in a GET form of its own: choosing another
    year reloads the units of that year."""

    year = forms.TypedChoiceField(label=_("Year of the assessment"), coerce=int)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["year"].widget.attrs["data-autosubmit"] = ""


class AssessableUnitChoices:
    """The units of the year — ward police, then approved registrations, then
    the unit asked for when it is not among them — as a searchable list
    (units/widgets.py): written whole when short, else only the chosen unit
    and the search endpoint ``assessments:assessable_unit_search`` of the
    year. "Already assessed" is looked up for the options read only, never
    for the whole list."""

    def __init__(
        self,
        units: AssessableUnitSets,
        *,
        extra_choice: tuple[str, str] | None = None,
        threshold: int | None = None,
    ):
        self.units = units
        self.extra: Option | None = (
            (extra_choice[0], str(extra_choice[1]), str(_("Asked for")))
            if extra_choice is not None
            else None
        )
        url = reverse("assessments:assessable_unit_search")
        self.searchable = SearchableChoices(
            self,
            url=f"{url}?{urlencode({'year': units.year})}",
            empty_label=str(_("— choose a unit —")),
            threshold=threshold,
        )

    def _options(
        self, ward_police: Iterable[WardPolice], registrations: Iterable[Registration]
    ) -> list[Option]:
        ward_police = list(ward_police)
        registrations = list(registrations)
        assessed_ward_police, assessed_registrations = assessed_unit_ids(
            year=self.units.year,
            ward_police_ids=[w.pk for w in ward_police],
            registration_ids=[r.pk for r in registrations],
        )
        already = f" — {gettext('already assessed')}"
        ward_group = str(_("Ward police"))
        registration_group = str(_("Registered units (approved)"))
        return [
            *(
                (
                    ward_police_key(w.pk),
                    w.name + (already if w.pk in assessed_ward_police else ""),
                    ward_group,
                )
                for w in ward_police
            ),
            *(
                (
                    registration_key(r.pk),
                    f"{r.unit_name} ({r.get_unit_kind_display()}, {r.year})"
                    + (already if r.pk in assessed_registrations else ""),
                    registration_group,
                )
                for r in registrations
            ),
        ]

    def _with_extra(self, options: list[Option], values: Iterable[str]) -> list[Option]:
        # The unit asked for is offered apart only when the year's list does
        # not hold it (the service then says why it cannot be assessed).
        if self.extra is not None and self.extra[0] in values:
            if all(option[0] != self.extra[0] for option in options):
                return [*options, self.extra]
        return options

    # --- ChoiceSource ---

    def options(self, *, limit: int) -> list[Option]:
        ward_police = list(first_in_order(self.units.ward_police, limit))
        registrations = (
            []
            if len(ward_police) >= limit
            else first_in_order(self.units.registrations, limit - len(ward_police))
        )
        options = self._options(ward_police, registrations)
        return self._with_extra(options, [self.extra[0]] if self.extra else [])

    def options_for(self, values: Iterable[str]) -> list[Option]:
        values = [str(v) for v in values]
        ward_police_ids = prefixed_ids(values, "wp")
        registration_ids = prefixed_ids(values, "reg")
        options = self._options(
            self.units.ward_police.filter(pk__in=ward_police_ids)
            if ward_police_ids
            else [],
            self.units.registrations.filter(pk__in=registration_ids)
            if registration_ids
            else [],
        )
        return self._with_extra(options, values)

    def search(self, query: str, *, limit: int) -> list[Option]:
        # Both kinds are searched, then the best matches kept whichever their
        # kind: ward police outnumber registrations, and would otherwise
        # crowd them out of the twenty results.
        ward_police = list(
            assessable_ward_police_search(
                ward_police=self.units.ward_police, query=query, limit=limit
            )
        )
        registrations = list(
            assessable_registration_search(
                registrations=self.units.registrations, query=query, limit=limit
            )
        )
        best = sorted([*ward_police, *registrations], key=lambda unit: unit.match_rank)[
            :limit
        ]
        kept = {(type(unit), unit.pk) for unit in best}
        return self._options(
            [w for w in ward_police if (WardPolice, w.pk) in kept],
            [r for r in registrations if (Registration, r.pk) in kept],
        )

    # --- The form's side ---

    @property
    def listed_count(self) -> int:
        """How many units the year's list holds (the unit asked for apart):
        counted from the options read when short, else in one query."""
        searchable = self.searchable
        if searchable.remote:
            return assessable_unit_count(self.units)
        extra = self.extra[0] if self.extra else None
        return sum(1 for option in searchable.displayed([]) if option[0] != extra)

    @property
    def has_choices(self) -> bool:
        return self.searchable.remote or bool(self.searchable.displayed([]))


class UnitChoiceField(SearchableChoiceField):
    """A choice of the year's units whose posted value is checked by the
    form's ``clean_unit`` through the officer's scope, not only against the
    list (so that a unit of another year can be explained by the service)."""

    def validate(self, value) -> None:
        # Only "required": not being in the year's list is no reason to
        # refuse here (see the class).
        forms.Field.validate(self, value)

    def set_units(self, units: AssessableUnitChoices) -> None:
        self.searchable = units.searchable
        self.widget.searchable = units.searchable


class AssessmentCreateForm(StrictForm):
    """The unit to assess for the year: a ward police or an approved
    registration of the officer's scope. A unit of the officer's scope that is
    not in the year's list (not in force that year, outside its phase) is
    accepted here so that the service can say why it cannot be assessed."""

    year = forms.IntegerField(widget=forms.HiddenInput)
    unit = UnitChoiceField(label=_("Unit to assess"))

    def __init__(
        self,
        *args,
        years: list[int],
        units: AssessableUnitSets,
        resolve: Callable[[str], object | None],
        extra_choice: tuple[str, str] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.years = years
        self.units = units
        self.resolve = resolve
        self.chosen_unit = None
        self.initial.setdefault("year", units.year)
        self.unit_choices = AssessableUnitChoices(units, extra_choice=extra_choice)
        self.fields["unit"].set_units(self.unit_choices)
        self.fields["unit"].error_messages["required"] = UNIT_MISSING

    @cached_property
    def has_choices(self) -> bool:
        return self.unit_choices.has_choices

    @cached_property
    def unit_count(self) -> int:
        return self.unit_choices.listed_count

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year not in self.years:
            raise ValidationError(
                YEAR_OUTSIDE_PLAN,
                code="year",
                params={"year": year, "first": self.years[0], "last": self.years[-1]},
            )
        return year

    def clean_unit(self):
        value = self.cleaned_data["unit"]
        unit = self.resolve(value)
        if unit is None:
            raise ValidationError(
                UNIT_UNKNOWN, code="unit_unknown", params={"year": self.units.year}
            )
        # The ward police or registration chosen (read through the scope).
        self.chosen_unit = unit
        return value


# --- Answers ------------------------------------------------------------------------

MET = "1"
NOT_MET = "0"
# The answers form is one <form> element at the end of the criteria; each
# criterion's fields belong to it through their ``form`` attribute, so that
# the evidence upload forms can sit between them (forms cannot be nested).
ANSWERS_FORM_ID = "answers-form"


def met_value(met: bool | None) -> str:
    return "" if met is None else (MET if met else NOT_MET)


@dataclass
class AnswerRow:
    """One criterion on the detail page: the stored answer, and the fields of
    the answers form for it (``None`` when the answer is locked or the form is
    not shown)."""

    answer: Answer
    met_field: BoundField | None = None
    note_field: BoundField | None = None
    # The row takes an evidence file (its answer is not verified) ...
    takes_upload: bool = False
    # ... and this is the form posted for it, refused with its errors.
    posted_upload: forms.Form | None = None
    # The value stored now differs from the one the officer sent (a conflict).
    changed_meanwhile: bool = False
    # The radio buttons of ``met_field`` as plain values (see ``met_options``).
    met_options: list[RadioOption] | None = None
    # Written once per row by the view rather than per use by the template:
    # "Criterion 1.1", "Result of criterion 1.1", "criterion 1.1" (for the
    # buttons' hidden text) and the addresses of the row's forms.
    title: str = ""
    legend: str = ""
    hint: str = ""
    upload_url: str = ""
    verify_url: str = ""
    unverify_url: str = ""

    # The empty evidence form, once ``upload_form`` has made it.
    _empty_upload: forms.Form | None = dataclass_field(default=None, repr=False)

    @property
    def upload_prefix(self) -> str:
        return evidence_prefix(self.answer.pk)

    @property
    def upload_form(self) -> forms.Form | None:
        """The row's evidence form: the one posted, else an empty one made on
        first use (the rows written in Python need none: 22 forms built for
        nothing were a tenth of the page)."""
        if not self.takes_upload:
            return None
        if self.posted_upload is not None:
            return self.posted_upload
        if self._empty_upload is None:
            self._empty_upload = EvidenceForm(
                prefix=self.upload_prefix, code=self.answer.criterion.code
            )
        return self._empty_upload


@dataclass(frozen=True)
class RadioOption:
    """One radio button of a result field, as the template writes it."""

    value: str
    label: str
    id: str
    checked: bool


def met_options(field: BoundField) -> list[RadioOption]:
    """The radio buttons of a result field without errors, with the ids and
    the checked state Django's ``RadioSelect`` gives them: the detail page
    writes each one itself, 44 Django widget renderings fewer for 22
    criteria (a field with errors is rendered by Django, which marks it)."""
    value = field.value()
    chosen = "" if value is None else str(value)
    return [
        RadioOption(
            value=str(key),
            label=str(label),
            id=f"{field.auto_id}_{index}",
            checked=str(key) == chosen,
        )
        for index, (key, label) in enumerate(field.field.choices)
    ]


class AnswersForm(StrictForm):
    """The officer's answers: for each criterion not yet verified, met or
    not met (or not answered yet while it has no answer) and a note. Verified
    answers are no fields of this form: they are locked, and a posted value
    for one is refused as a field that is not on the form."""

    based_on_version = forms.IntegerField(widget=forms.HiddenInput)
    form_id = ANSWERS_FORM_ID

    def __init__(self, *args, answers: list[Answer], **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = [a for a in answers if not a.verified]
        for answer in self.answers:
            code = answer.criterion.code
            choices = [(MET, _("Met")), (NOT_MET, _("Not met"))]
            if answer.met is None:
                choices.insert(0, ("", _("Not answered yet")))
            self.fields[f"met_{answer.pk}"] = forms.ChoiceField(
                label=_("Criterion %(code)s: result") % {"code": code},
                choices=choices,
                required=answer.met is not None,
                initial=met_value(answer.met),
                widget=forms.RadioSelect(
                    attrs={"class": "form-check-input", "form": ANSWERS_FORM_ID}
                ),
                error_messages={
                    "required": _("Criterion %(code)s: choose met or not met.")
                    % {"code": code}
                },
            )
            self.fields[f"note_{answer.pk}"] = forms.CharField(
                label=_("Note on criterion %(code)s") % {"code": code},
                max_length=2000,
                required=False,
                initial=answer.note,
                widget=forms.Textarea(attrs={"rows": 2, "form": ANSWERS_FORM_ID}),
            )

    def met_field(self, answer: Answer) -> BoundField | None:
        name = f"met_{answer.pk}"
        return self[name] if name in self.fields else None

    def note_field(self, answer: Answer) -> BoundField | None:
        name = f"note_{answer.pk}"
        return self[name] if name in self.fields else None

    def answer_values(self) -> dict[int, tuple[bool | None, str]]:
        """The answers sent, by answer id (call on a valid form)."""
        values = {}
        for answer in self.answers:
            met = self.cleaned_data[f"met_{answer.pk}"]
            values[answer.pk] = (
                None if met == "" else met == MET,
                self.cleaned_data[f"note_{answer.pk}"],
            )
        return values


# --- Evidence, verification, workflow ------------------------------------------------


def evidence_help() -> str:
    return str(
        _("PDF, JPEG, PNG or DOCX, at most %(limit)s.")
        % {"limit": filesizeformat(settings.UPLOAD_MAX_BYTES)}
    )


# The evidence field's label on a criterion, and the files it offers to pick.
EVIDENCE_LABEL = _("Add an evidence file to criterion %(code)s")
EVIDENCE_ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx"


def evidence_prefix(answer_pk: int) -> str:
    """The prefix of an answer's evidence form (``ev<answer id>``)."""
    return f"ev{answer_pk}"


class EvidenceForm(StrictForm):
    """One evidence file for one criterion (checked by the service, by its
    content, like every upload)."""

    file = forms.FileField(
        label=_("Add an evidence file"),
        max_length=None,
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
        error_messages={"required": _("Choose the file to attach.")},
    )

    def __init__(self, *args, code: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = evidence_help()
        if code:
            self.fields["file"].label = EVIDENCE_LABEL % {"code": code}


class VerifyForm(StrictForm):
    met = forms.TypedChoiceField(
        choices=[(MET, _("Met")), (NOT_MET, _("Not met"))],
        coerce=lambda value: value == MET,
    )


class ReturnForm(StrictForm):
    reason = forms.CharField(
        label=_("Reason for returning"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for returning the assessment.")},
    )


class RecognitionForm(StrictForm):
    decision_number = forms.CharField(
        label=_("Decision number"),
        max_length=60,
        help_text=_("For example 125/QĐ-BCĐ."),
    )
    decided_on = AsOfDateField(label=_("Decision date"))
    authority = forms.CharField(
        label=_("Issued by"),
        max_length=200,
        initial=AUTHORITIES[0],
        widget=forms.TextInput(attrs={"list": "authority-suggestions"}),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

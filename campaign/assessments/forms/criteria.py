"""The form that publishes a new version of a criteria set: its heading
fields, and its criteria as editable rows (a formset). Shape validation only:
the service decides whether the set can be published."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from campaign.assessments.services.criteria import CriterionSpec, GroupSpec
from campaign.forms import StrictFormMixin
from campaign.planning.models import LegalDocument

ROWS_PREFIX = "rows"
ADD_ROWS = "add_rows"
ROWS_ADDED = 5
MAX_ROWS = 400
GROUP_TITLES_DIFFER = _(
    "The rows of group %(code)s give it different titles (“%(first)s”, "
    "“%(other)s”): write the same title, or leave it empty after the first row."
)
TOO_MANY_ROWS = _("A criteria set has at most %(num)d rows.")


class CriteriaSetPublishForm(StrictFormMixin, forms.Form):
    """The set's own fields. It refuses posted names that are neither its
    fields nor the rows' (``also_allowed``), like every form of the project."""

    title = forms.CharField(label=_("Title of the set"), max_length=300)
    basis = forms.ModelChoiceField(
        label=_("Issued by the document"),
        queryset=LegalDocument.objects.none(),
        required=False,
        empty_label=_("— no document yet —"),
        help_text=_("The document that lays down these criteria, if there is one."),
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    is_placeholder = forms.BooleanField(
        label=_("Placeholder texts — waiting for the official document"),
        required=False,
        help_text=_(
            "Untick it once the texts are the official wording of the document."
        ),
    )

    def __init__(self, *args, also_allowed: frozenset[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.also_allowed = also_allowed
        self.fields["basis"].queryset = LegalDocument.objects.order_by(
            "-issued_on", "number_symbol", "pk"
        )

    def expected_names(self) -> set[str]:
        return super().expected_names() | set(self.also_allowed)


class CriterionRowForm(forms.Form):
    """One criterion, with the group it belongs to. Every field may be empty
    here: an empty row is skipped, and a row lacking its code or text is
    refused by the service in words."""

    group_code = forms.CharField(label=_("Group code"), max_length=10, required=False)
    group_title = forms.CharField(
        label=_("Group title"), max_length=300, required=False
    )
    code = forms.CharField(label=_("Criterion code"), max_length=10, required=False)
    text = forms.CharField(
        label=_("Criterion"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence_hint = forms.CharField(label=_("Evidence"), max_length=500, required=False)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)

    TEXT_FIELDS = ("group_code", "group_title", "code", "text", "evidence_hint")

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not any((data.get(name) or "").strip() for name in self.TEXT_FIELDS)


class BaseCriterionRowFormSet(forms.BaseFormSet):
    """The criteria as rows, in order. Rows ticked "Remove" and empty rows are
    left out; rows are grouped by their group code, groups in the order they
    first appear."""

    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": TOO_MANY_ROWS,
    }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this row")

    def expected_names(self) -> frozenset[str]:
        """Every name the rows may post (for the strict heading form)."""
        names = {
            self.management_form.add_prefix(name)
            for name in self.management_form.fields
        }
        for index in range(self.total_form_count()):
            form = self.forms[index]
            names.update(form.add_prefix(name) for name in form.fields)
        return frozenset(names)

    def kept_rows(self) -> list[CriterionRowForm]:
        return [
            form
            for form in self.forms
            if not self._should_delete_form(form) and not form.is_blank()
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        titles: dict[str, str] = {}
        for form in self.kept_rows():
            code = " ".join(form.cleaned_data["group_code"].split())
            title = " ".join(form.cleaned_data["group_title"].split())
            if not title:
                continue
            first = titles.setdefault(code, title)
            if first != title:
                raise ValidationError(
                    GROUP_TITLES_DIFFER,
                    code="group_titles",
                    params={"code": code or "?", "first": first, "other": title},
                )

    def group_specs(self) -> list[GroupSpec]:
        """The rows as the service's specs (call on a valid formset)."""
        groups: dict[str, dict] = {}
        for form in self.kept_rows():
            data = form.cleaned_data
            code = " ".join(data["group_code"].split())
            group = groups.setdefault(code, {"title": "", "criteria": []})
            if not group["title"]:
                group["title"] = data["group_title"]
            group["criteria"].append(
                CriterionSpec(
                    code=data["code"],
                    text=data["text"],
                    evidence_hint=data["evidence_hint"],
                    required=data["required"],
                )
            )
        return [
            GroupSpec(code=code, title=group["title"], criteria=group["criteria"])
            for code, group in groups.items()
        ]


CriterionRowFormSet = formset_factory(
    CriterionRowForm,
    formset=BaseCriterionRowFormSet,
    extra=ROWS_ADDED,
    can_delete=True,
    max_num=MAX_ROWS,
    absolute_max=MAX_ROWS,
    validate_max=True,
)


def rows_initial(groups: list[GroupSpec]) -> list[dict]:
    """A published set's specs as the rows' initial values."""
    return [
        {
            "group_code": group.code,
            "group_title": group.title,
            "code": criterion.code,
            "text": criterion.text,
            "evidence_hint": criterion.evidence_hint,
            "required": criterion.required,
        }
        for group in groups
        for criterion in group.criteria
    ]

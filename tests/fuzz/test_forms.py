"""Fuzzing every form of the project (issue 10, item 8; the plan's row C7).

Each form is built as its view builds it (the same choices, scope and
arguments, for the persona who uses it) and bound again and again to data
drawn by hypothesis: for each field a value shaped like what it expects (one
of its choices, a year, a date, a decimal, an e-mail, a file) or hostile text
(Vietnamese, control characters, huge strings, markup, format strings), or
nothing; sometimes a field the form does not have. Validating and rendering
it must never raise, and what it accepts must be storable: no NUL character,
no text longer than the field allows. A few plain forms are also fed valid
data by ``hypothesis.extra.django.from_form``.

A new form class anywhere in the project fails ``test_every_form_is_fuzzed``
until it is added here (or to the endpoint fuzzing).
"""

from __future__ import annotations

import datetime
import importlib
import inspect
import pkgutil
from collections.abc import Callable

import pytest
from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.forms.formsets import BaseFormSet
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import from_form, register_field_strategy

from campaign.assessments.forms import assessments as assessment_forms
from campaign.assessments.forms import awards as award_forms
from campaign.assessments.forms import criteria as criteria_forms
from campaign.assessments.forms.progress import ProgressFilterForm
from campaign.assessments.selectors import awards as award_selectors
from campaign.assessments.selectors.assessable_units import (
    assessable_unit_sets_for_user,
)
from campaign.assessments.selectors.ward_police import plan_phases
from campaign.assessments.views.assessments import _resolve_unit
from campaign.committees.forms import accounts as account_forms
from campaign.committees.forms import committees as committee_forms
from campaign.committees.forms.audit import AuditFilterForm
from campaign.committees.forms.two_factor import TwoFactorSetupForm, TwoFactorVerifyForm
from campaign.committees.selectors.committees import (
    committee_choices_for_user,
    committee_list_for_user,
)
from campaign.planning.forms.documents import DocumentFilterForm, LegalDocumentForm
from campaign.planning.forms.targets import TargetForm
from campaign.planning.selectors.periods import exemplary_programme, phases_of
from campaign.registrations.forms import registrations as registration_forms
from campaign.registrations.forms.registration_list import RegistrationFilterForm
from campaign.registrations.selectors import registrations as registration_selectors
from reporting.forms import ReportTextsChoiceForm, ReportTextsForm
from reporting.forms_dashboard import DashboardFilterForm, localities_for
from reporting.kinds.area_catalogue import AreaCatalogueForm
from reporting.kinds.phase_progress import PhaseProgressForm
from tests.fuzz.fixtures import FuzzFixtures
from tests.fuzz.strategies import (
    FORM_EXAMPLES,
    bounded,
    field_values,
    hostile_text,
    uploads,
)
from units.forms import AreaFilterForm, AsOfDateField, AsOfForm

pytestmark = pytest.mark.fuzz

register_field_strategy(
    AsOfDateField,
    st.dates(
        min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2031, 12, 31)
    ),
)

PROJECT_PACKAGES = ("config", "units", "campaign", "reporting")
# Bases that are never used on their own (each subclass is fuzzed).
ABSTRACT_FORMS = {
    "campaign.forms.StrictForm",
    "reporting.kinds.common.ReportParamsForm",
}
# Forms fuzzed through their endpoint only (tests/fuzz/test_endpoints.py):
# none at the moment; a form whose view builds it from request state no test
# can reproduce goes here, with the endpoint that covers it.
FUZZED_THROUGH_ENDPOINTS: dict[str, str] = {}

Builder = Callable[["FormFuzzTests", object, object], forms.BaseForm | BaseFormSet]


def _registration_form(case, data, files):
    user, year = case.p.officer_ward, timezone.localdate().year
    phases = phases_of(exemplary_programme())
    return registration_forms.RegistrationForm(
        data,
        files,
        year=year,
        phases=phases,
        areas=list(
            registration_selectors.registrable_areas_for_user(user=user, year=year)
        ),
        organisations=list(
            registration_selectors.registrable_organisations_for_user(
                user=user, year=year
            )
        ),
        explain_area=lambda area: registration_selectors.area_unavailable_reason(
            user=user, area=area, year=year
        ),
    )


def _assessment_create_form(case, data, files):
    user = case.p.officer_a
    return assessment_forms.AssessmentCreateForm(
        data,
        years=award_selectors.plan_years(),
        units=assessable_unit_sets_for_user(user=user, year=2023),
        resolve=lambda key: _resolve_unit(user, key),
    )


def _criterion_rows(case, data, files):
    return criteria_forms.CriterionRowFormSet(data, prefix=criteria_forms.ROWS_PREFIX)


def _classification_rows(case, data, files):
    units = award_forms.UnitChoices(
        award_selectors.award_units_for_user(user=case.p.staff)
    )
    return award_forms.classification_formset(data, units=units)


def _progress_form(case, data, files):
    phases = plan_phases()
    return ProgressFilterForm(
        data, phases=phases, default_phase=phases[-1], today=timezone.localdate()
    )


# Every form class, built as its view builds it: (form, files) -> bound form.
BUILDERS: dict[str, Builder] = {
    # Registrations.
    "campaign.registrations.forms.registrations.YearForm": lambda c, d, f: (
        registration_forms.YearForm(d, phases=phases_of(exemplary_programme()))
    ),
    "campaign.registrations.forms.registrations.RegistrationForm": _registration_form,
    "campaign.registrations.forms.registrations.RegistrationEditForm": lambda c, d, f: (
        registration_forms.RegistrationEditForm(
            d, f, phases=phases_of(exemplary_programme())
        )
    ),
    "campaign.registrations.forms.registrations.ReturnForm": lambda c, d, f: (
        registration_forms.ReturnForm(d)
    ),
    "campaign.registrations.forms.registrations.ApproveForm": lambda c, d, f: (
        registration_forms.ApproveForm(d)
    ),
    "campaign.registrations.forms.registration_list.RegistrationFilterForm": (
        lambda c, d, f: RegistrationFilterForm(d, user=c.p.officer_a)
    ),
    # Assessments.
    "campaign.assessments.forms.assessments.AssessmentFilterForm": lambda c, d, f: (
        assessment_forms.AssessmentFilterForm(d, years=award_selectors.plan_years())
    ),
    "campaign.assessments.forms.assessments.YearForm": lambda c, d, f: (
        assessment_forms.YearForm(d, years=award_selectors.plan_years())
    ),
    "campaign.assessments.forms.assessments.AssessmentCreateForm": (
        _assessment_create_form
    ),
    "campaign.assessments.forms.assessments.AnswersForm": lambda c, d, f: (
        assessment_forms.AnswersForm(
            d, answers=list(c.assessment_draft.answers.select_related("criterion"))
        )
    ),
    "campaign.assessments.forms.assessments.EvidenceForm": lambda c, d, f: (
        assessment_forms.EvidenceForm(
            d, f, prefix=f"ev{c.draft_answer.pk}", code=c.draft_answer.criterion.code
        )
    ),
    "campaign.assessments.forms.assessments.VerifyForm": lambda c, d, f: (
        assessment_forms.VerifyForm(d)
    ),
    "campaign.assessments.forms.assessments.ReturnForm": lambda c, d, f: (
        assessment_forms.ReturnForm(d)
    ),
    "campaign.assessments.forms.assessments.RecognitionForm": lambda c, d, f: (
        assessment_forms.RecognitionForm(d)
    ),
    # Awards.
    "campaign.assessments.forms.awards.RecognitionFilterForm": lambda c, d, f: (
        award_forms.RecognitionFilterForm(d, years=award_selectors.plan_years())
    ),
    "campaign.assessments.forms.awards.CommendationFilterForm": lambda c, d, f: (
        award_forms.CommendationFilterForm(d, years=award_selectors.plan_years())
    ),
    "campaign.assessments.forms.awards.PledgeFilterForm": lambda c, d, f: (
        award_forms.PledgeFilterForm(d, years=award_selectors.plan_years())
    ),
    "campaign.assessments.forms.awards.ReviewFilterForm": lambda c, d, f: (
        award_forms.ReviewFilterForm(d)
    ),
    "campaign.assessments.forms.awards.CommendationCreateForm": lambda c, d, f: (
        award_forms.CommendationCreateForm(
            d,
            units=award_selectors.award_units_for_user(user=c.p.staff),
            years=award_selectors.plan_years(),
        )
    ),
    "campaign.assessments.forms.awards.PledgeCreateForm": lambda c, d, f: (
        award_forms.PledgeCreateForm(
            d,
            committees=award_selectors.committees_for_user(user=c.p.staff),
            years=award_selectors.plan_years(),
        )
    ),
    "campaign.assessments.forms.awards.PledgeResultForm": lambda c, d, f: (
        award_forms.PledgeResultForm(d, pledge=c.pledge)
    ),
    "campaign.assessments.forms.awards.ReviewCreateForm": lambda c, d, f: (
        award_forms.ReviewCreateForm(d, years=award_selectors.plan_years())
    ),
    "campaign.assessments.forms.awards.ClassificationRowForm": _classification_rows,
    "campaign.assessments.forms.awards.BaseClassificationFormSet": _classification_rows,
    # Criteria and progress.
    "campaign.assessments.forms.criteria.CriteriaSetPublishForm": lambda c, d, f: (
        criteria_forms.CriteriaSetPublishForm(d)
    ),
    "campaign.assessments.forms.criteria.CriterionRowForm": _criterion_rows,
    "campaign.assessments.forms.criteria.BaseCriterionRowFormSet": _criterion_rows,
    "campaign.assessments.forms.progress.ProgressFilterForm": _progress_form,
    # Committees, accounts, two-step verification, the audit trail.
    "campaign.committees.forms.accounts.MembershipForm": lambda c, d, f: (
        account_forms.MembershipForm(
            d, committees=committee_choices_for_user(user=c.p.staff)
        )
    ),
    "campaign.committees.forms.accounts.AccountCreateForm": lambda c, d, f: (
        account_forms.AccountCreateForm(
            d, committees=committee_choices_for_user(user=c.p.staff)
        )
    ),
    "campaign.committees.forms.accounts.PasswordResetByStaffForm": lambda c, d, f: (
        account_forms.PasswordResetByStaffForm(d)
    ),
    "campaign.committees.forms.accounts.ProfileForm": lambda c, d, f: (
        account_forms.ProfileForm(d)
    ),
    "campaign.committees.forms.accounts.AccountSearchForm": lambda c, d, f: (
        account_forms.AccountSearchForm(d)
    ),
    "campaign.committees.forms.committees.CommitteeForm": lambda c, d, f: (
        committee_forms.CommitteeForm(d, parents=_parents(c))
    ),
    "campaign.committees.forms.committees.CommitteeEditForm": lambda c, d, f: (
        committee_forms.CommitteeEditForm(
            d, parents=_parents(c).exclude(pk=c.committee.pk)
        )
    ),
    "campaign.committees.forms.committees.MemberForm": lambda c, d, f: (
        committee_forms.MemberForm(d)
    ),
    "campaign.committees.forms.two_factor.TwoFactorSetupForm": lambda c, d, f: (
        TwoFactorSetupForm(d)
    ),
    "campaign.committees.forms.two_factor.TwoFactorVerifyForm": lambda c, d, f: (
        TwoFactorVerifyForm(d)
    ),
    "campaign.committees.forms.audit.AuditFilterForm": lambda c, d, f: AuditFilterForm(
        d
    ),
    # Documents and targets.
    "campaign.planning.forms.documents.DocumentFilterForm": lambda c, d, f: (
        DocumentFilterForm(d)
    ),
    "campaign.planning.forms.documents.LegalDocumentForm": lambda c, d, f: (
        LegalDocumentForm(d, f)
    ),
    "campaign.planning.forms.targets.TargetForm": lambda c, d, f: TargetForm(
        d, plan=c.plan
    ),
    # Reports and the dashboard.
    "reporting.forms.ReportTextsChoiceForm": lambda c, d, f: ReportTextsChoiceForm(
        d, user=c.p.staff
    ),
    "reporting.forms.ReportTextsForm": lambda c, d, f: ReportTextsForm(d),
    "reporting.forms_dashboard.DashboardFilterForm": lambda c, d, f: (
        DashboardFilterForm(
            d,
            user=c.p.officer_a,
            today=timezone.localdate(),
            localities=localities_for(user=c.p.officer_a),
        )
    ),
    "reporting.kinds.area_catalogue.AreaCatalogueForm": lambda c, d, f: (
        AreaCatalogueForm(data=d, user=c.p.leader, prefix="area_catalogue")
    ),
    "reporting.kinds.phase_progress.PhaseProgressForm": lambda c, d, f: (
        PhaseProgressForm(data=d, user=c.p.officer_a, prefix="phase_progress")
    ),
    # Areas.
    "units.forms.AreaFilterForm": lambda c, d, f: AreaFilterForm(d),
    "units.forms.AsOfForm": lambda c, d, f: AsOfForm(d),
}


def _parents(case):
    from campaign.committees.choices import CommitteeLevel

    return committee_list_for_user(user=case.p.staff).exclude(
        level=CommitteeLevel.COMMUNE
    )


def project_form_classes() -> dict[str, type]:
    """Every form and formset class defined in the project's modules."""
    found: dict[str, type] = {}
    for package in PROJECT_PACKAGES:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if ".migrations" in info.name:
                continue
            module = importlib.import_module(info.name)
            for value in vars(module).values():
                if (
                    inspect.isclass(value)
                    and issubclass(value, forms.BaseForm | BaseFormSet)
                    and value.__module__ == info.name
                ):
                    found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


def _fields(form) -> dict[str, forms.Field]:
    """The posted names of a form's fields (a formset's: its management form
    and its first rows, one more than it shows up to three)."""
    if isinstance(form, BaseFormSet):
        names = dict(_fields(form.management_form))
        for index in range(min(form.total_form_count(), 3) + 1):
            row = form._construct_form(index, **form.get_form_kwargs(index))
            names.update(_fields(row))
        return names
    return {form.add_prefix(name): field for name, field in form.fields.items()}


@st.composite
def bound_data(draw, fields: dict[str, forms.Field]):
    """Data and files for the fields: ``fields`` maps each posted name to the
    strategy of its values (``None`` for a file input)."""
    data, files = MultiValueDict(), MultiValueDict()
    for name, values in fields.items():
        if draw(st.integers(0, 5)) == 0:
            continue  # left out
        if values is None:
            files.setlist(name, [draw(uploads())])
            continue
        value = draw(values)
        data.setlist(name, value if isinstance(value, list) else [value])
    for name, value in draw(
        st.dictionaries(hostile_text, hostile_text, max_size=2)
    ).items():
        data.setlist(name, [value])
    return data, files


def _strategies(fields: dict[str, forms.Field]) -> dict[str, st.SearchStrategy | None]:
    return {
        name: None if isinstance(field, forms.FileField) else field_values(field)
        for name, field in fields.items()
    }


def _check_cleaned(form) -> None:
    """What a valid form hands on can be stored."""
    if isinstance(form, BaseFormSet):
        for row in form.forms:
            if row.is_valid():
                _check_cleaned(row)
        return
    for name, value in form.cleaned_data.items():
        field = form.fields.get(name)
        if isinstance(value, str):
            assert "\x00" not in value, f"{name}: a NUL character was accepted"
            limit = getattr(field, "max_length", None)
            if limit is not None:
                assert len(value) <= limit, f"{name}: {len(value)} > {limit}"


class FormFuzzTests(FuzzFixtures):
    def fuzz(self, path: str) -> None:
        builder = BUILDERS[path]
        fields = _strategies(_fields(builder(self, None, None)))

        @bounded(FORM_EXAMPLES)
        @given(bound_data(fields))
        def run(drawn):
            data, files = drawn
            form = builder(self, data, files)
            valid = form.is_valid()  # never raises
            if valid:
                _check_cleaned(form)
            str(form.errors if not isinstance(form, BaseFormSet) else form.errors)
            str(form)  # the page can show it again, errors and all

        run()

    def test_every_form_is_fuzzed(self):
        defined = set(project_form_classes())
        covered = set(BUILDERS) | set(FUZZED_THROUGH_ENDPOINTS) | ABSTRACT_FORMS
        self.assertFalse(
            sorted(defined - covered),
            "Forms nobody fuzzes: add a builder to BUILDERS in "
            "tests/fuzz/test_forms.py",
        )
        self.assertFalse(sorted(covered - defined), "Builders of forms that are gone")

    # --- Valid data from hypothesis.extra.django.from_form ----------------------------

    @bounded(FORM_EXAMPLES)
    @given(
        st.one_of(
            from_form(registration_forms.ReturnForm),
            from_form(assessment_forms.ReturnForm),
            from_form(account_forms.ProfileForm),
            from_form(account_forms.AccountSearchForm),
            from_form(DocumentFilterForm),
            from_form(AreaFilterForm),
            from_form(ReportTextsForm),
        )
    )
    def test_valid_data_of_the_plain_forms_is_accepted_or_explained(self, form):
        if form.is_valid():
            _check_cleaned(form)
        else:
            self.assertTrue(form.errors)
        str(form)

    @bounded(FORM_EXAMPLES)
    @given(st.data())
    def test_the_password_change_form_takes_any_text(self, data):
        fields = _strategies(_fields(PasswordChangeForm(self.p.officer_a)))
        drawn, _files = data.draw(bound_data(fields))
        form = PasswordChangeForm(self.p.officer_a, drawn)
        form.is_valid()
        str(form)


def _make_test(path: str):
    def test(self):
        self.fuzz(path)

    name = path.rpartition(".")[2]
    module = path.split(".")[-2]
    test.__name__ = f"test_{module}_{name}"
    test.__doc__ = f"{path}: any data is validated and shown again, never a crash."
    return test


_seen: set = set()
for _path, _builder in BUILDERS.items():
    if _builder in _seen:
        continue  # a row form and its formset: one test
    _seen.add(_builder)
    _test = _make_test(_path)
    setattr(FormFuzzTests, _test.__name__, _test)

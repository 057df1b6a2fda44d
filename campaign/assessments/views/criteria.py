"""Criteria set pages: every version of every set, one version with its
criteria, and the form that publishes a new version (never an edit in place)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from campaign.assessments.choices import CriteriaSubject
from campaign.assessments.forms.criteria import (
    ADD_ROWS,
    ROWS_ADDED,
    ROWS_PREFIX,
    CriteriaSetPublishForm,
    CriterionRowFormSet,
    rows_initial,
)
from campaign.assessments.selectors import criteria as selectors
from campaign.assessments.services import criteria as services
from campaign.committees import access
from campaign.committees.access import Capability
from campaign.forms import add_service_error, form_status


@require_GET
def criteria_set_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    sets = list(selectors.criteria_set_list(user=request.user))
    subjects = []
    for subject in CriteriaSubject:
        versions = [s for s in sets if s.subject == subject.value]
        subjects.append(
            {
                "value": subject.value,
                "label": subject.label,
                "versions": versions,
                "current": versions[0] if versions else None,
            }
        )
    return render(
        request,
        "assessments/criteria_set_list.html",
        {
            "subjects": subjects,
            "can_publish": access.can(request.user, Capability.MANAGE_CRITERIA),
        },
    )


@require_GET
def criteria_set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    criteria_set = selectors.criteria_set_get(user=request.user, pk=pk)
    current = selectors.criteria_set_current(criteria_set.subject)
    groups = list(criteria_set.groups.all())
    return render(
        request,
        "assessments/criteria_set_detail.html",
        {
            "criteria_set": criteria_set,
            "groups": groups,
            "criteria_count": sum(len(g.criteria.all()) for g in groups),
            "current": current,
            "is_current": current is not None and current.pk == criteria_set.pk,
            "can_publish": access.can(request.user, Capability.MANAGE_CRITERIA),
        },
    )


def _source(request: HttpRequest, subject: str):
    """The version the new one starts from: ?from=<pk> (of the same subject),
    else the current one."""
    source_pk = request.GET.get("from", "")
    if source_pk.isdigit():
        source = selectors.criteria_set_get(user=request.user, pk=int(source_pk))
        if source.subject != subject:
            raise Http404("That set is for another kind of unit.")
        return source
    return selectors.criteria_set_current(subject)


def _with_more_rows(data, formset) -> dict:
    """The posted data with blank rows added at the end ("Add rows")."""
    data = data.copy()
    total = formset.total_form_count()
    data[f"{ROWS_PREFIX}-TOTAL_FORMS"] = str(total + ROWS_ADDED)
    for index in range(total, total + ROWS_ADDED):
        data[f"{ROWS_PREFIX}-{index}-required"] = "on"
    return data


@require_http_methods(["GET", "POST"])
def criteria_set_publish(request: HttpRequest, subject: str) -> HttpResponse:
    access.require(request.user, Capability.MANAGE_CRITERIA)
    if subject not in CriteriaSubject.values:
        raise Http404("No such kind of criteria set.")
    source = _source(request, subject)
    adding_rows = False
    if request.method == "POST":
        formset = CriterionRowFormSet(request.POST, prefix=ROWS_PREFIX)
        form = CriteriaSetPublishForm(
            request.POST, also_allowed=formset.expected_names() | {ADD_ROWS}
        )
        if ADD_ROWS in request.POST:
            # More blank rows, nothing published: the page comes back as sent.
            adding_rows = True
            data = _with_more_rows(request.POST, formset)
            formset = CriterionRowFormSet(data, prefix=ROWS_PREFIX)
            form = CriteriaSetPublishForm(
                data, also_allowed=formset.expected_names() | {ADD_ROWS}
            )
        else:
            # Both are validated, so every problem is shown at once.
            if form.is_valid() & formset.is_valid():
                data = form.cleaned_data
                try:
                    criteria_set = services.criteria_set_publish(
                        subject=subject,
                        title=data["title"],
                        groups=formset.group_specs(),
                        by=request.user,
                        basis=data["basis"],
                        is_placeholder=data["is_placeholder"],
                        note=data["note"],
                    )
                except ValidationError as error:
                    add_service_error(form, error)
                else:
                    messages.success(
                        request,
                        _(
                            "Version %(version)s has been published: new "
                            "assessments use it from now on, those already "
                            "started keep their version."
                        )
                        % {"version": criteria_set.version},
                    )
                    return redirect(criteria_set)
    else:
        specs = services.criteria_set_specs(source) if source is not None else []
        form = CriteriaSetPublishForm(
            initial={
                "title": source.title if source else "",
                "basis": source.basis_id if source else None,
                "note": source.note if source else "",
                "is_placeholder": source.is_placeholder if source else True,
            }
        )
        formset = CriterionRowFormSet(prefix=ROWS_PREFIX, initial=rows_initial(specs))
    has_errors = not adding_rows and (
        form_status(form) == 400 or (formset.is_bound and not formset.is_valid())
    )
    return render(
        request,
        "assessments/criteria_set_form.html",
        {
            "form": form,
            "formset": formset,
            "subject": CriteriaSubject(subject),
            "source": source,
            "adding_rows": adding_rows,
            "has_errors": has_errors,
        },
        status=400 if has_errors else 200,
    )

"""Pages of what the campaign gives and takes stock of: recognitions (read
only here: they are recorded on their assessment), commendations, emulation
pledges and their year-end result, reviews (sơ kết, tổng kết) with the
classification of each model, and a unit's whole history."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from campaign.assessments.choices import RecipientKind, ReviewKind
from campaign.assessments.forms.awards import (
    MORE_ROWS,
    CommendationCreateForm,
    CommendationFilterForm,
    PledgeCreateForm,
    PledgeFilterForm,
    PledgeResultForm,
    RecognitionFilterForm,
    ReviewCreateForm,
    ReviewFilterForm,
    UnitChoices,
    classification_formset,
)
from campaign.assessments.selectors import awards as selectors
from campaign.assessments.services import awards as services
from campaign.committees import access
from campaign.committees.access import Capability
from campaign.committees.choices import CommitteeLevel
from campaign.forms import add_service_error, form_status
from units.forms import AsOfDateField

PER_PAGE = 50


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _can_manage(request: HttpRequest) -> bool:
    return access.can(request.user, Capability.MANAGE_AWARDS)


def _default_year(years: list[int]) -> int | None:
    """This year when it is one of the plan's, else the plan's nearest."""
    if not years:
        return None
    this_year = timezone.localdate().year
    return (
        this_year
        if this_year in years
        else min(years, key=lambda y: abs(y - this_year))
    )


# --- Recognitions ------------------------------------------------------------------


@require_GET
def recognition_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    form = RecognitionFilterForm(request.GET, years=selectors.plan_years())
    if form.is_valid():
        recognitions = selectors.recognition_list(**form.cleaned_data)
    else:
        recognitions = selectors.recognition_list().none()
    page = _page(request, recognitions)
    page.object_list = selectors.recognition_rows(
        user=request.user, recognitions=page.object_list
    )
    return render(
        request,
        "assessments/recognition_list.html",
        {"form": form, "page_obj": page, "searching": form.is_filtering},
    )


# --- Commendations -----------------------------------------------------------------


@require_GET
def commendation_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    form = CommendationFilterForm(request.GET, years=selectors.plan_years())
    if form.is_valid():
        commendations = selectors.commendation_list(**form.cleaned_data)
    else:
        commendations = selectors.commendation_list().none()
    page = _page(request, commendations)
    page.object_list = selectors.commendation_rows(
        user=request.user, commendations=page.object_list
    )
    return render(
        request,
        "assessments/commendation_list.html",
        {
            "form": form,
            "page_obj": page,
            "searching": form.is_filtering,
            "can_manage": _can_manage(request),
        },
    )


@require_http_methods(["GET", "POST"])
def commendation_create(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.MANAGE_AWARDS)
    years = selectors.plan_years()
    units = selectors.award_units_for_user(user=request.user)
    if request.method == "POST":
        form = CommendationCreateForm(request.POST, units=units, years=years)
    else:
        form = CommendationCreateForm(
            units=units,
            years=years,
            initial={
                "year": _default_year(years),
                "recipient_kind": RecipientKind.COLLECTIVE,
                "unit": request.GET.get("unit", ""),
            },
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.commendation_record(
                form=data["form"],
                authority=data["authority"],
                recipient_kind=data["recipient_kind"],
                recipient_name=data["recipient_name"],
                year=data["year"],
                decision_number=data["decision_number"],
                decided_on=data["decided_on"],
                reason=data["reason"],
                registration=data["registration"],
                ward_police=data["ward_police"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The commendation has been recorded."))
            return redirect("assessments:commendation_list")
    return render(
        request,
        "assessments/commendation_form.html",
        {"form": form},
        status=form_status(form),
    )


# --- Emulation pledges -------------------------------------------------------------


@require_GET
def pledge_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    form = PledgeFilterForm(request.GET, years=selectors.plan_years())
    if form.is_valid():
        pledges = selectors.pledge_list(year=form.cleaned_data["year"])
    else:
        pledges = selectors.pledge_list().none()
    return render(
        request,
        "assessments/pledge_list.html",
        {
            "form": form,
            "page_obj": _page(request, pledges),
            "searching": form.is_filtering,
            "can_manage": _can_manage(request),
        },
    )


def _signing_day(value) -> datetime.date:
    """The signing date typed so far (the committees in force that day are
    listed), or today."""
    field = AsOfDateField(required=False)
    try:
        day = field.clean(value)
    except ValidationError:
        day = None
    return day or timezone.localdate()


def _committee_groups(committees) -> list[tuple[str, list]]:
    groups: dict[str, list] = {level: [] for level in CommitteeLevel.values}
    for committee in committees:
        groups[committee.level].append(committee)
    return [
        (str(CommitteeLevel(level).label), rows)
        for level, rows in groups.items()
        if rows
    ]


@require_http_methods(["GET", "POST"])
def pledge_create(request: HttpRequest) -> HttpResponse:
    """The signing committees listed are those in force on the signing date;
    changing the date reloads them (htmx; without JavaScript, the button next
    to the date)."""
    access.require(request.user, Capability.MANAGE_AWARDS)
    years = selectors.plan_years()
    committees = selectors.committees_for_user(user=request.user)
    posted = request.method == "POST"
    if posted:
        form = PledgeCreateForm(request.POST, committees=committees, years=years)
        day = _signing_day(request.POST.get("signed_on"))
    else:
        day = _signing_day(request.GET.get("signed_on"))
        form = PledgeCreateForm(
            committees=committees,
            years=years,
            initial={
                "signed_on": day,
                "year": day.year if day.year in years else _default_year(years),
                "committees": request.GET.getlist("committees"),
            },
        )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            pledge = services.pledge_record(
                title=data["title"],
                signed_on=data["signed_on"],
                year=data["year"],
                committees=list(data["committees"]),
                items=data["items"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The emulation pledge has been recorded."))
            return redirect(pledge)
    in_force = selectors.signing_committees_for_user(user=request.user, on=day)
    context = {
        "form": form,
        "day": day,
        "committee_groups": _committee_groups(in_force),
        "committee_count": len(in_force),
        "selected": form.selected_committee_ids(),
    }
    if request.headers.get("HX-Request") and not posted:
        return render(request, "assessments/includes/awards_committees.html", context)
    return render(
        request,
        "assessments/pledge_form.html",
        context,
        status=form_status(form),
    )


@require_GET
def pledge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    pledge = selectors.pledge_get(pk=pk)
    committees = list(pledge.committees.all())
    return render(
        request,
        "assessments/pledge_detail.html",
        {
            "pledge": pledge,
            "committees": committees,
            "visible_committees": selectors.visible_committee_ids(
                user=request.user, ids=(c.pk for c in committees)
            ),
            "can_manage": _can_manage(request),
        },
    )


@require_http_methods(["GET", "POST"])
def pledge_result(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, Capability.MANAGE_AWARDS)
    pledge = selectors.pledge_get(pk=pk)
    if request.method == "POST":
        form = PledgeResultForm(request.POST, pledge=pledge)
    else:
        form = PledgeResultForm(
            pledge=pledge,
            initial={
                "year_end_result": pledge.year_end_result,
                "result_recorded_on": pledge.result_recorded_on or timezone.localdate(),
            },
        )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.pledge_result_record(
                pledge=pledge,
                year_end_result=data["year_end_result"],
                item_results=form.item_results(),
                recorded_on=data["result_recorded_on"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The year-end result has been recorded."))
            return redirect(pledge)
    return render(
        request,
        "assessments/pledge_result.html",
        {"form": form, "pledge": pledge},
        status=form_status(form),
    )


# --- Reviews -----------------------------------------------------------------------


@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    form = ReviewFilterForm(request.GET)
    if form.is_valid():
        reviews = selectors.review_list(kind=form.cleaned_data["kind"])
    else:
        reviews = selectors.review_list().none()
    return render(
        request,
        "assessments/review_list.html",
        {
            "form": form,
            "page_obj": _page(request, reviews),
            "searching": form.is_filtering,
            "can_manage": _can_manage(request),
        },
    )


@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest) -> HttpResponse:
    """A review and its classifications, one row per model. "Add rows" sends
    the form back with more empty rows, keeping what was typed and saving
    nothing."""
    access.require(request.user, Capability.MANAGE_AWARDS)
    years = selectors.plan_years()
    units = UnitChoices(selectors.award_units_for_user(user=request.user))
    if request.method == "POST":
        formset = classification_formset(request.POST, units=units)
        form = ReviewCreateForm(
            request.POST,
            years=years,
            extra_names=formset.expected_names() | {"add_rows"},
        )
        if "add_rows" in request.POST:
            # More rows: the same page again, unbound (no errors shown yet).
            form = ReviewCreateForm(
                years=years,
                initial={name: request.POST.get(name, "") for name in form.fields},
            )
            rows = formset.posted_rows()
            formset = classification_formset(
                units=units,
                initial=rows,
                extra=formset.total_form_count() - len(rows) + MORE_ROWS,
            )
        elif all([form.is_valid(), formset.is_valid()]):  # both, for every error
            data = form.cleaned_data
            try:
                review = services.review_record(
                    kind=data["kind"],
                    title=data["title"],
                    held_on=data["held_on"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    notes=data["notes"],
                    classifications=[
                        services.ClassificationInput(
                            classification=row["classification"],
                            registration=row["registration"],
                            ward_police=row["ward_police"],
                            note=row["note"],
                        )
                        for row in formset.chosen_rows()
                    ],
                    by=request.user,
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, _("The review has been recorded."))
                return redirect(review)
    else:
        year = _default_year(years)
        form = ReviewCreateForm(
            years=years,
            initial={
                "kind": ReviewKind.INTERIM,
                "period_start": year,
                "period_end": year,
            },
        )
        formset = classification_formset(units=units)
    failed = form.is_bound and bool(form.errors or formset.total_error_count())
    return render(
        request,
        "assessments/review_form.html",
        {"form": form, "formset": formset, "failed": failed, "more_rows": MORE_ROWS},
        status=400 if failed else 200,
    )


@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    review = selectors.review_get(pk=pk)
    groups = selectors.review_classification_groups(user=request.user, review=review)
    return render(
        request,
        "assessments/review_detail.html",
        {
            "review": review,
            "groups": groups,
            "total": sum(g.count for g in groups),
        },
    )


# --- A unit's whole history --------------------------------------------------------


@require_GET
def unit_history(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    if kind not in selectors.HISTORY_KINDS:
        raise Http404("No such kind of unit.")
    history = selectors.unit_history(user=request.user, kind=kind, pk=pk)
    return render(
        request,
        "assessments/unit_history.html",
        {"history": history, "can_manage": _can_manage(request)},
    )

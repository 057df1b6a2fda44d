"""Registration pages: create (with the year's units reloaded by htmx), detail,
edit with the version check, the workflow steps, the document, the waiting list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign import uploads
from campaign.committees import access
from campaign.committees.access import Capability
from campaign.downloads import private_file_response
from campaign.forms import add_service_error, form_status
from campaign.planning.selectors.periods import (
    current_period,
    exemplary_programme,
    phases_of,
)
from campaign.registrations.forms.registrations import (
    ApproveForm,
    RegistrationEditForm,
    RegistrationForm,
    ReturnForm,
    YearForm,
)
from campaign.registrations.forms.unit_choices import RegistrableUnits
from campaign.registrations.selectors import registrations as selectors
from campaign.registrations.selectors.registration_list import quota_table_kept
from campaign.registrations.services import registrations as services


def _valid(request: HttpRequest, form) -> bool:
    """Validate the form; a file dropped for its size is explained on its field
    (the upload handler stopped reading it, so the form never saw it)."""
    valid = form.is_valid()
    too_large = [f for f in uploads.too_large_fields(request) if f in form.fields]
    for field in too_large:
        form.errors.pop(field, None)
        form.add_error(field, uploads.too_large_error())
    return valid and not too_large


def _kept(request: HttpRequest):
    """The upload kept from a previous attempt of this form, if any."""
    return uploads.kept_upload(
        request.POST.get("document_token", ""), user=request.user
    )


def _keep_checked_upload(request: HttpRequest, form) -> None:
    """The form goes back with errors: keep a file that passed its checks, so
    the officer need not attach it again."""
    upload = form.checked_upload()
    if upload is not None:
        form.kept = uploads.keep_upload(upload, user=request.user)
        form.data = form.data.copy()
        form.data["document_token"] = form.kept.token


def _year_from(value, phases, default: int) -> int:
    """The year asked for in the query string, if it is one of the plan's."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if any(p.contains_year(year) for p in phases) else default


def _unit_form(request: HttpRequest, *, year: int, phases, data=None, files=None):
    explain = lambda area: selectors.area_unavailable_reason(  # noqa: E731
        user=request.user, area=area, year=year
    )
    return RegistrationForm(
        data,
        files,
        year=year,
        phases=phases,
        units=RegistrableUnits(user=request.user, year=year),
        explain_area=explain,
        kept=_kept(request) if data is not None else None,
        initial={"unit": request.GET.get("unit", "")} if data is None else None,
    )


@require_http_methods(["GET", "POST"])
def registration_create(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.REGISTER_UNITS)
    programme = exemplary_programme()
    phases = phases_of(programme)
    period = current_period(phases=phases)
    if period is None:
        messages.error(request, _("The plan and its phases are not loaded yet."))
        return redirect("registrations:registration_list")
    if request.method == "POST":
        year = _year_from(request.POST.get("year"), phases, period.year)
        form = _unit_form(
            request, year=year, phases=phases, data=request.POST, files=request.FILES
        )
        # The posted year is checked by the form (a year outside the plan is
        # explained in words); the unit list is then the current year's.
    else:
        year = _year_from(request.GET.get("year"), phases, period.year)
        form = _unit_form(request, year=year, phases=phases)
    if request.method == "POST" and _valid(request, form):
        data = form.cleaned_data
        new = None
        if data["new_organisation_name"]:
            new = services.NewOrganisation(
                name=data["new_organisation_name"],
                kind=data["new_organisation_kind"],
                area=data["new_organisation_location"],
            )
        try:
            registration = services.registration_create(
                programme=programme,
                year=data["year"],
                area=data["area"],
                organisation=data["organisation"],
                new_organisation=new,
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                plan_summary=data["plan_summary"],
                document=form.document_file(),
                by=request.user,
            )
        except ValidationError as error:
            existing = selectors.live_registration_of(
                user=request.user,
                area=data.get("area"),
                organisation=data.get("organisation"),
                year=data["year"],
            )
            if existing is not None and getattr(error, "code", "") == "duplicate":
                # The same form sent twice: there is one registration, this one.
                messages.warning(
                    request,
                    _(
                        "This unit is already registered for that year; here is its registration."
                    ),
                )
                return redirect(existing)
            add_service_error(form, error)
        else:
            if form.kept is not None:
                uploads.discard_kept_upload(form.kept)
            messages.success(
                request,
                _(
                    "The registration has been saved as a draft. Submit it when it is ready."
                ),
            )
            return redirect(registration)
    if request.method == "POST":
        _keep_checked_upload(request, form)
    year_form = YearForm(initial={"year": form.year}, phases=phases)
    context = {
        "form": form,
        "year_form": year_form,
        "year": form.year,
        "period": period,
        "unit_count": form.unit_count,
        "committees": selectors.registering_committees_for_user(
            user=request.user, year=form.year
        ),
        "whole_province": access.access_for(request.user).whole_province,
    }
    if request.headers.get("HX-Request") and request.method == "GET":
        # The year changed: only the units of that year are sent back.
        return render(request, "registrations/includes/unit_fields.html", context)
    return render(
        request,
        "registrations/registration_form.html",
        context,
        status=form_status(form),
    )


@require_GET
def registration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    registration = selectors.registration_get_for_user(user=request.user, pk=pk)
    return _detail(request, registration)


def _detail(request, registration, *, return_form=None, status=200):
    return render(
        request,
        "registrations/registration_detail.html",
        {
            "registration": registration,
            "actions": services.allowed_actions(
                user=request.user, registration=registration
            ),
            "can_edit": services.can_edit(user=request.user, registration=registration),
            "timeline": selectors.registration_timeline(registration=registration),
            "return_form": return_form or ReturnForm(),
            "quotas": quota_table_kept(
                year=registration.year, programme=registration.programme
            ),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def registration_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, Capability.REGISTER_UNITS)
    registration = selectors.registration_get_for_user(user=request.user, pk=pk)
    if registration.status not in ("draft", "returned"):
        messages.error(
            request, _("Only a draft or a returned registration can be changed.")
        )
        return redirect(registration)
    phases = phases_of(registration.programme)
    posted = request.method == "POST"
    form = RegistrationEditForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        phases=phases,
        kept=_kept(request) if posted else None,
        initial={
            "year": registration.year,
            "contact_name": registration.contact_name,
            "contact_phone": registration.contact_phone,
            "plan_summary": registration.plan_summary,
            "based_on_version": registration.version,
        },
    )
    conflict = None
    if posted and _valid(request, form):
        data = form.cleaned_data
        try:
            registration = services.registration_update(
                registration=registration,
                expected_version=data["based_on_version"] or 0,
                by=request.user,
                document=form.document_file(),
                year=data["year"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                plan_summary=data["plan_summary"],
            )
        except services.RegistrationConflict as error:
            conflict = error.current
            form.add_error(
                None,
                _(
                    "Not saved: someone else changed this registration after you opened it. Their version is shown below; copy your changes onto it."
                ),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if form.kept is not None:
                uploads.discard_kept_upload(form.kept)
            messages.success(request, _("The registration has been saved."))
            return redirect(registration)
    if posted:
        _keep_checked_upload(request, form)
    return render(
        request,
        "registrations/registration_form.html",
        {"form": form, "registration": registration, "conflict": conflict},
        status=409 if conflict else form_status(form),
    )


def _transition(request: HttpRequest, pk: int, action: str, **kwargs) -> HttpResponse:
    registration = selectors.registration_get_for_user(user=request.user, pk=pk)
    step = services.TRANSITIONS[action]
    access.require(request.user, step.capability)
    service = {
        "submit": services.registration_submit,
        "withdraw": services.registration_withdraw,
        "return": services.registration_return,
    }[action]
    try:
        service(registration=registration, by=request.user, **kwargs)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            form = ReturnForm(request.POST)
            form.is_valid()
            return _detail(request, registration, return_form=form, status=400)
        for message in error.messages:
            messages.error(request, message)
        return redirect(registration)
    done = {
        "submit": _(
            "The registration has been submitted to the provincial standing office."
        ),
        "withdraw": _("The registration has been withdrawn."),
        "return": _("The registration has been returned with your reason."),
    }
    messages.success(request, done[action])
    return redirect(registration)


@require_POST
def registration_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "submit")


@require_POST
def registration_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "withdraw")


@require_POST
def registration_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, "return", reason=request.POST.get("reason", ""))


@require_http_methods(["GET", "POST"])
def registration_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approving asks for a confirmation that shows the year's quota for the
    unit's kind; beyond the quota, or without a target, the box must be ticked."""
    access.require(request.user, Capability.REVIEW_REGISTRATIONS)
    registration = selectors.registration_get_for_user(user=request.user, pk=pk)
    if "approve" not in services.allowed_actions(
        user=request.user, registration=registration
    ):
        messages.error(
            request,
            _("Only a submitted registration can be approved."),
        )
        return redirect(registration)
    form = ApproveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_approve(
                registration=registration,
                by=request.user,
                confirm_quota=form.cleaned_data["confirm_quota"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The registration has been approved."))
            return redirect(registration)
    return render(
        request,
        "registrations/registration_confirm_approve.html",
        {
            "registration": registration,
            "form": form,
            "check": selectors.approval_check(registration=registration),
        },
        status=form_status(form),
    )


@require_GET
def registration_document(request: HttpRequest, pk: int) -> HttpResponse:
    registration = selectors.registration_get_for_user(user=request.user, pk=pk)
    if not registration.document:
        raise Http404("No document.")
    return private_file_response(
        registration.document,
        filename=registration.document_name
        or registration.document.name.rsplit("/", 1)[-1],
    )


@require_GET
def registration_waiting(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    return render(
        request,
        "registrations/registration_waiting.html",
        {"registrations": selectors.waiting_for_user(user=request.user)},
    )

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign import uploads
from campaign.committees import access
from campaign.committees.access import Capability
from campaign.forms import add_service_error, form_status
from campaign.planning.models import Phase
from campaign.registrations.forms.registrations import (
    ApproveForm,
    RegistrationForm,
    ReturnForm,
)
from campaign.registrations.selectors import registrations as selectors
from campaign.registrations.services import registrations as services

DEFAULT_YEAR = 2023


def _year_of(request: HttpRequest) -> int:
    try:
        year = int(request.POST.get("year") or request.GET.get("year") or DEFAULT_YEAR)
    except ValueError:
        return DEFAULT_YEAR
    return year if 2023 <= year <= 2030 else DEFAULT_YEAR


def _phases():
    programme = selectors.exemplary_programme()
    return Phase.objects.filter(plan__programmes=programme).order_by("start_year")


def _valid(request: HttpRequest, form) -> bool:
    """Validate the form; a file dropped for its size is explained on its field
    (the upload handler stopped reading it, so the form never saw it)."""
    valid = form.is_valid()
    too_large = [f for f in uploads.too_large_fields(request) if f in form.fields]
    for field in too_large:
        form.errors.pop(field, None)
        form.add_error(field, uploads.too_large_error())
    return valid and not too_large


@require_http_methods(["GET", "POST"])
def registration_create(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.REGISTER_UNITS)
    year = _year_of(request)
    areas = list(selectors.registrable_areas_for_user(user=request.user, year=year))
    organisations = list(
        selectors.registrable_organisations_for_user(user=request.user, year=year)
    )
    form = RegistrationForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        areas=areas,
        organisations=organisations,
        phases=_phases(),
        initial={"year": year, "phase": _phases().first()},
    )
    if request.method == "POST" and _valid(request, form):
        data = form.cleaned_data
        try:
            organisation = data["organisation"]
            if data["new_organisation_name"]:
                location = data["new_organisation_location"]
                organisation = services.organisation_create(
                    name=data["new_organisation_name"],
                    kind=data["new_organisation_kind"],
                    area=location,
                    managed_by=location.parent or location,
                    by=request.user,
                )
            registration = services.registration_create(
                area=data["area"],
                organisation=organisation,
                programme=selectors.exemplary_programme(),
                phase=data["phase"],
                year=data["year"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                plan_summary=data["plan_summary"],
                document=data["document"],
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
            messages.success(
                request,
                _(
                    "The registration has been saved as a draft. Submit it when it is ready."
                ),
            )
            return redirect(registration)
    return render(
        request,
        "registrations/registration_form.html",
        {"form": form, "year": year},
        status=form_status(form),
    )


@require_GET
def registration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    registration = selectors.registration_get_for_user(user=request.user, pk=pk)
    return _detail(request, registration)


def _detail(request, registration, *, return_form=None, approve_form=None, status=200):
    return render(
        request,
        "registrations/registration_detail.html",
        {
            "registration": registration,
            "actions": services.allowed_actions(
                user=request.user, registration=registration
            ),
            "can_edit": registration.status in ("draft", "returned")
            and access.can(request.user, Capability.REGISTER_UNITS),
            "timeline": selectors.registration_timeline(registration=registration),
            "return_form": return_form or ReturnForm(),
            "approve_form": approve_form,
            "quotas": selectors.quota_table(
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
    form = RegistrationForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        phases=_phases(),
        editing=True,
        initial={
            "phase": registration.phase,
            "year": registration.year,
            "contact_name": registration.contact_name,
            "contact_phone": registration.contact_phone,
            "plan_summary": registration.plan_summary,
            "based_on_version": registration.version,
        },
    )
    conflict = None
    if request.method == "POST" and _valid(request, form):
        data = form.cleaned_data
        try:
            registration = services.registration_update(
                registration=registration,
                expected_version=data["based_on_version"] or 0,
                by=request.user,
                document=data.get("document"),
                phase=data["phase"],
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
            messages.success(request, _("The registration has been saved."))
            return redirect(registration)
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
        "approve": services.registration_approve,
    }[action]
    try:
        service(registration=registration, by=request.user, **kwargs)
    except ValidationError as error:
        if getattr(error, "code", "") == "over_quota":
            form = ApproveForm(data={})
            form.is_valid()
            form.add_error(None, error)
            return _detail(request, registration, approve_form=form, status=409)
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
        "approve": _("The registration has been approved."),
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


@require_POST
def registration_approve(request: HttpRequest, pk: int) -> HttpResponse:
    form = ApproveForm(request.POST)
    confirm = form.is_valid() and form.cleaned_data["confirm_over_quota"]
    return _transition(request, pk, "approve", confirm_over_quota=confirm)


@require_GET
def registration_document(request: HttpRequest, pk: int) -> HttpResponse:
    registration = selectors.registration_get_for_user(user=request.user, pk=pk)
    if not registration.document:
        raise Http404("No document.")
    response = FileResponse(
        registration.document.open("rb"),
        as_attachment=True,
        filename=registration.document_name
        or registration.document.name.rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def registration_waiting(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    return render(
        request,
        "registrations/registration_waiting.html",
        {"registrations": selectors.waiting_for_user(user=request.user)},
    )

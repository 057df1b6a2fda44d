from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.committees import access
from campaign.committees.access import Capability
from campaign.committees.choices import CommitteeLevel
from campaign.committees.forms.committees import (
    CommitteeEditForm,
    CommitteeForm,
    MemberForm,
)
from campaign.committees.selectors import committees as selectors
from campaign.committees.selectors.committee_pick import (
    parent_committee_choices_for_user,
)
from campaign.committees.services import committees as services
from campaign.forms import form_status


def _parents(request: HttpRequest):
    # The parent picker's search endpoint reads the same list.
    return parent_committee_choices_for_user(user=request.user)


@require_GET
def committee_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    level = request.GET.get("level", "")
    if level not in CommitteeLevel.values:
        level = ""
    committees = selectors.committee_list_for_user(user=request.user, level=level)
    return render(
        request,
        "committees/committee_list.html",
        {
            "committees": committees,
            "level": level,
            "levels": CommitteeLevel.choices,
            "can_manage": access.can(request.user, Capability.MANAGE_COMMITTEES),
        },
    )


@require_GET
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    committee = selectors.committee_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "committees/committee_detail.html",
        {
            "committee": committee,
            "can_manage": access.can(request.user, Capability.MANAGE_COMMITTEES),
            "can_see_accounts": access.can(request.user, Capability.MANAGE_ACCOUNTS),
        },
    )


@require_http_methods(["GET", "POST"])
def committee_create(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.MANAGE_COMMITTEES)
    form = CommitteeForm(
        request.POST if request.method == "POST" else None, parents=_parents(request)
    )
    if request.method == "POST" and form.is_valid():
        try:
            committee = services.committee_create(**form.cleaned_data, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The committee has been created."))
            return redirect(committee)
    return render(
        request,
        "committees/committee_form.html",
        {"form": form},
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
def committee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, Capability.MANAGE_COMMITTEES)
    committee = selectors.committee_get_for_user(user=request.user, pk=pk)
    form = CommitteeEditForm(
        request.POST if request.method == "POST" else None,
        initial={
            field: getattr(committee, field) for field in CommitteeEditForm.Meta.fields
        },
        parents=_parents(request).exclude(pk=committee.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.committee_update(
                committee=committee, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The committee has been updated."))
            return redirect(committee)
    return render(
        request,
        "committees/committee_form.html",
        {"form": form, "committee": committee},
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, Capability.MANAGE_COMMITTEES)
    committee = selectors.committee_get_for_user(user=request.user, pk=pk)
    form = MemberForm(
        request.POST if request.method == "POST" else None,
        initial={"valid_from": committee.valid_from},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.member_add(
                committee=committee, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The member has been added."))
            return redirect(committee)
    return render(
        request,
        "committees/member_form.html",
        {"form": form, "committee": committee},
        status=form_status(form),
    )


@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, Capability.MANAGE_COMMITTEES)
    member = selectors.member_get_for_user(user=request.user, pk=pk)
    form = MemberForm(
        request.POST if request.method == "POST" else None,
        initial={field: getattr(member, field) for field in MemberForm.Meta.fields},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(member=member, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The member has been updated."))
            return redirect(member.committee)
    return render(
        request,
        "committees/member_form.html",
        {"form": form, "committee": member.committee, "member": member},
        status=form_status(form),
    )


@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, Capability.MANAGE_COMMITTEES)
    member = selectors.member_get_for_user(user=request.user, pk=pk)
    services.member_remove(member=member, by=request.user)
    messages.success(request, _("The member has been removed."))
    return redirect(member.committee)

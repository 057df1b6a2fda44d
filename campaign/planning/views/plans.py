"""The plan page (phases, targets, legal basis) and the editing of targets."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campaign.committees import access
from campaign.committees.access import Capability
from campaign.planning.forms.targets import TargetForm
from campaign.planning.models import Plan, Target
from campaign.planning.selectors import plans as selectors
from campaign.planning.services import targets as services


@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    return render(
        request,
        "planning/plan_list.html",
        {"plans": selectors.plan_list(user=request.user)},
    )


@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    return render(
        request,
        "planning/plan_detail.html",
        {
            "detail": selectors.plan_detail(user=request.user, pk=pk),
            "can_manage_targets": access.can(request.user, Capability.MANAGE_TARGETS),
            "can_manage_documents": access.can(
                request.user, Capability.MANAGE_DOCUMENTS
            ),
        },
    )


def _form_page(
    request: HttpRequest,
    form: TargetForm,
    plan: Plan,
    target: Target | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "planning/target_form.html",
        {"form": form, "plan": plan, "target": target},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def target_create(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, Capability.MANAGE_TARGETS)
    plan = selectors.plan_get(user=request.user, pk=pk)
    if request.method != "POST":
        return _form_page(request, TargetForm(plan=plan), plan)
    form = TargetForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            services.target_create(plan=plan, **form.target_data(), by=request.user)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The target has been added."))
            return redirect(plan)
    return _form_page(request, form, plan, status=400)


@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, Capability.MANAGE_TARGETS)
    target = selectors.target_get(user=request.user, pk=pk)
    plan = target.programme.plan
    if request.method != "POST":
        form = TargetForm(
            initial=TargetForm.initial_for(target), plan=plan, target=target
        )
        return _form_page(request, form, plan, target)
    form = TargetForm(request.POST, plan=plan, target=target)
    if form.is_valid():
        try:
            services.target_update(target=target, **form.target_data(), by=request.user)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The target has been saved."))
            return redirect(plan)
    return _form_page(request, form, plan, target, status=400)


@require_POST
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, Capability.MANAGE_TARGETS)
    target = selectors.target_get(user=request.user, pk=pk)
    plan = target.programme.plan
    services.target_delete(target=target, by=request.user)
    messages.success(request, _("The target has been deleted."))
    return redirect(plan)

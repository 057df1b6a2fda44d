"""Project-wide pages that belong to no single app."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from campaign.assessments.selectors.assessments import waiting_assessments_for_user
from campaign.committees import access
from campaign.committees.access import Capability
from campaign.planning.selectors.periods import (
    current_period,
    exemplary_programme,
    phases_of,
)
from campaign.registrations.selectors import registrations as registration_selectors


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: the campaign's phase and year today, that year's quotas,
    the way to register a unit, and what waits for the user (registrations and
    assessments)."""
    context = {}
    if access.can(request.user, Capability.VIEW):
        programme = exemplary_programme()
        period = current_period(phases=phases_of(programme))
        has_waiting_list = registration_selectors.has_waiting_list(user=request.user)
        context = {
            "period": period,
            "quotas": registration_selectors.quota_table(
                year=period.year, programme=programme
            )
            if period
            else None,
            "can_register": access.can(request.user, Capability.REGISTER_UNITS),
            "has_waiting_list": has_waiting_list,
            "waiting_count": registration_selectors.waiting_for_user(
                user=request.user
            ).count()
            if has_waiting_list
            else 0,
            "assessments_waiting_count": waiting_assessments_for_user(
                user=request.user, counts=False
            ).count()
            if has_waiting_list
            else 0,
        }
    return render(request, "home.html", context)


@require_GET
@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for the container orchestrator: the process runs and the DB answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})

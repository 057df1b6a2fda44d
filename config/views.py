"""Project-wide pages that belong to no single app."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from campaign.committees import access
from campaign.committees.access import Capability
from campaign.registrations.selectors import registrations as registration_selectors


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: the year's quotas and what waits for the user."""
    context = {}
    if access.can(request.user, Capability.VIEW):
        context = {
            "quotas": registration_selectors.quota_table(
                year=registration_selectors.latest_registration_year()
            ),
            "waiting_count": registration_selectors.waiting_for_user(
                user=request.user
            ).count(),
        }
    return render(request, "home.html", context)


@require_GET
@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for the container orchestrator: the process runs and the DB answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})

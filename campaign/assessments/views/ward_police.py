"""The model ward police programme: its overview, a grouping's ward police year
by year (a city or town in 2023–2025, the province since 07/2025), and one
ward police with its history."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from campaign.assessments.selectors import ward_police as selectors
from campaign.assessments.selectors.assessments import ward_police_get_for_user
from campaign.committees import access
from campaign.committees.access import Capability


@require_GET
def ward_police_overview(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    overview = selectors.ward_police_overview(user=request.user)
    return render(
        request, "assessments/ward_police_overview.html", {"overview": overview}
    )


@require_GET
def ward_police_grouping(request: HttpRequest, area_pk: int) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    grouping = selectors.ward_police_grouping_get(user=request.user, area_pk=area_pk)
    return render(
        request, "assessments/ward_police_grouping.html", {"grouping": grouping}
    )


@require_GET
def ward_police_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    ward_police = ward_police_get_for_user(user=request.user, pk=pk)
    detail = selectors.ward_police_detail(user=request.user, ward_police=ward_police)
    return render(request, "assessments/ward_police_detail.html", {"detail": detail})

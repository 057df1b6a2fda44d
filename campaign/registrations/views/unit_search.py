"""The search endpoint of the registration form's unit pickers
(static/js/combobox.js)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from campaign.committees import access
from campaign.committees.access import Capability
from campaign.registrations.forms.unit_choices import RegistrableUnits
from units.widgets import search_results


def _year(value: str | None) -> int:
    """The year asked for; this year when it is missing or not a year."""
    if value and value.isdigit() and 1900 <= int(value) <= 2200:
        return int(value)
    return timezone.localdate().year


@require_GET
def unit_search(request: HttpRequest) -> JsonResponse:
    """``?year=2026&q=my hoa``: at most 20 units the user may register that
    year, as the registration form lists them, ``[{value, label, group}]``;
    ``&kind=area`` for the communes, wards and special zones only."""
    access.require(request.user, Capability.REGISTER_UNITS)
    units = RegistrableUnits(
        user=request.user,
        year=_year(request.GET.get("year")),
        areas_only=request.GET.get("kind") == "area",
    )
    return JsonResponse(search_results(units, request.GET.get("q", "")), safe=False)

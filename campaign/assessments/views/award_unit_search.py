"""The search endpoint of the unit pickers of a commendation and of a
review's classification rows (static/js/combobox.js)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from campaign.assessments.forms.awards import UnitChoices
from campaign.assessments.selectors.award_units import award_units_for_user
from campaign.committees import access
from campaign.committees.access import Capability
from units.widgets import search_results


@require_GET
def award_unit_search(request: HttpRequest) -> JsonResponse:
    """``?q=my binh``: at most 20 units a commendation or a review row may be
    about, as the forms list them (the same scoped list), ``[{value, label,
    group}]``."""
    access.require(request.user, Capability.MANAGE_AWARDS)
    units = UnitChoices(award_units_for_user(user=request.user))
    return JsonResponse(search_results(units, request.GET.get("q", "")), safe=False)

"""The search endpoint of the unit picker of a new assessment
(static/js/combobox.js)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from campaign.assessments.forms.assessments import AssessableUnitChoices
from campaign.assessments.selectors.assessable_units import (
    assessable_unit_sets_for_user,
)
from campaign.assessments.views.assessment_list import plan_years
from campaign.committees import access
from campaign.committees.access import Capability
from units.widgets import search_results


@require_GET
def assessable_unit_search(request: HttpRequest) -> JsonResponse:
    """``?year=2025&q=my binh``: at most 20 units the user may assess for
    that year of the plan, as the form lists them (the same scoped list),
    ``[{value, label, group}]``; none for a year outside the plan, as the
    form would refuse it."""
    access.require(request.user, Capability.ASSESS_UNITS)
    year = request.GET.get("year", "")
    query = request.GET.get("q", "")
    if not year.isdigit() or not query.strip() or int(year) not in plan_years():
        return JsonResponse([], safe=False)
    units = AssessableUnitChoices(
        assessable_unit_sets_for_user(user=request.user, year=int(year))
    )
    return JsonResponse(search_results(units, query), safe=False)

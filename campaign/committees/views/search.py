"""The search endpoint of the locality comboboxes (static/js/combobox.js)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from campaign.committees import access
from campaign.committees.access import Capability
from campaign.committees.forms.localities import LocalityChoices
from units.widgets import search_results


@require_GET
def committee_search(request: HttpRequest) -> JsonResponse:
    """``?q=my hoa``: at most 20 committees the user may see, as the locality
    filters list them, ``[{value, label, group}]``."""
    access.require(request.user, Capability.VIEW)
    results = search_results(
        LocalityChoices(user=request.user), request.GET.get("q", "")
    )
    return JsonResponse(results, safe=False)

"""The search endpoint of the committee comboboxes of the reports — the
dashboard's locality, the report request's scope, the report texts'
committee (static/js/combobox.js)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from campaign.committees import access
from campaign.committees.access import Capability
from reporting.scope_choices import ReportScopeChoices
from units.widgets import search_results


@require_GET
def scope_search(request: HttpRequest) -> JsonResponse:
    """``?q=my hoa``: at most 20 committees the user may report on (the
    dashboard's capability: every page using it requires at least that),
    ``[{value, label, group}]``."""
    access.require(request.user, Capability.VIEW)
    results = search_results(
        ReportScopeChoices(user=request.user), request.GET.get("q", "")
    )
    return JsonResponse(results, safe=False)

"""The search endpoints of the staff's pickers (static/js/combobox.js): a
membership's committee, a committee's parent and area. Each reads the
queryset its form is given, with the capability of the page using it."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from campaign.committees import access
from campaign.committees.access import Capability
from campaign.committees.forms.pickers import (
    QuerysetChoices,
    area_choices,
    committee_choices,
)
from campaign.committees.selectors.committee_pick import (
    committee_area_choices,
    parent_committee_choices_for_user,
)
from campaign.committees.selectors.committees import committee_choices_for_user
from units.widgets import search_results


def _results(request: HttpRequest, choices: QuerysetChoices) -> JsonResponse:
    return JsonResponse(search_results(choices, request.GET.get("q", "")), safe=False)


@require_GET
def membership_committee_search(request: HttpRequest) -> JsonResponse:
    """``?q=my hoa``: at most 20 committees a role may be given on (the
    account pages' list), ``[{value, label, group}]``."""
    access.require(request.user, Capability.MANAGE_ACCOUNTS)
    return _results(
        request, committee_choices(committee_choices_for_user(user=request.user))
    )


@require_GET
def parent_committee_search(request: HttpRequest) -> JsonResponse:
    """``?q=long xuyen``: at most 20 committees that may be a committee's
    parent (the committee form's list)."""
    access.require(request.user, Capability.MANAGE_COMMITTEES)
    parents = parent_committee_choices_for_user(user=request.user)
    return _results(request, committee_choices(parents, label=str))


@require_GET
def committee_area_search(request: HttpRequest) -> JsonResponse:
    """``?q=my hoa``: at most 20 areas a committee may be set up for."""
    access.require(request.user, Capability.MANAGE_COMMITTEES)
    return _results(request, area_choices(committee_area_choices()))

"""The history page: the audit trail, for provincial staff."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from campaign.committees import access
from campaign.committees.access import Capability
from campaign.committees.forms.audit import AuditFilterForm
from campaign.committees.selectors import audit as selectors

ENTRIES_PER_PAGE = 50


@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.VIEW_AUDIT)
    form = AuditFilterForm(request.GET)
    entries = selectors.audit_list_for_user(
        user=request.user, **(form.filters() if form.is_valid() else {})
    )
    if not form.is_valid():
        entries = entries.none()
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "committees/audit_list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": selectors.shown_entries(page.object_list),
        },
    )

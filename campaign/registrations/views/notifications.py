from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from campaign.registrations.selectors import registrations as selectors
from campaign.registrations.services import notifications as services

NOTIFICATIONS_PER_PAGE = 30


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = selectors.notification_list_for_user(user=request.user)
    page = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "registrations/notification_list.html", {"page_obj": page})


@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening a notification marks it read and leads to its page — its
    registration, or the record it names, such as an assessment (the link in
    its e-mail comes here too)."""
    notification = services.notification_open(user=request.user, pk=pk)
    return redirect(notification.target_url())


@require_POST
def notifications_mark_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(user=request.user)
    return redirect("registrations:notification_list")

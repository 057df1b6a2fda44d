from django.urls import path

from campaign.registrations.views import (
    notifications,
    registration_list,
    registrations,
    unit_search,
)

app_name = "registrations"

urlpatterns = [
    path(
        "registrations/",
        registration_list.registration_list,
        name="registration_list",
    ),
    path(
        "registrations/export/<str:fmt>/",
        registration_list.registration_export,
        name="registration_export",
    ),
    path(
        "registrations/waiting/",
        registrations.registration_waiting,
        name="registration_waiting",
    ),
    path(
        "registrations/units/search/",
        unit_search.unit_search,
        name="unit_search",
    ),
    path(
        "registrations/new/",
        registrations.registration_create,
        name="registration_create",
    ),
    path(
        "registrations/<int:pk>/",
        registrations.registration_detail,
        name="registration_detail",
    ),
    path(
        "registrations/<int:pk>/edit/",
        registrations.registration_edit,
        name="registration_edit",
    ),
    path(
        "registrations/<int:pk>/document/",
        registrations.registration_document,
        name="registration_document",
    ),
    path(
        "registrations/<int:pk>/submit/",
        registrations.registration_submit,
        name="registration_submit",
    ),
    path(
        "registrations/<int:pk>/withdraw/",
        registrations.registration_withdraw,
        name="registration_withdraw",
    ),
    path(
        "registrations/<int:pk>/return/",
        registrations.registration_return,
        name="registration_return",
    ),
    path(
        "registrations/<int:pk>/approve/",
        registrations.registration_approve,
        name="registration_approve",
    ),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path(
        "notifications/<int:pk>/",
        notifications.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/read/",
        notifications.notifications_mark_read,
        name="notifications_mark_read",
    ),
]

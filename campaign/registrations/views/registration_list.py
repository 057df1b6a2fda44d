"""The registration list: filters, search, counts by status, the year's quotas,
and the CSV and XLSX exports of the filtered list."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import (
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from campaign import exports
from campaign.committees import access, kept
from campaign.committees.access import Capability
from campaign.registrations.choices import RegistrationStatus
from campaign.registrations.forms.registration_list import RegistrationFilterForm
from campaign.registrations.models import Registration
from campaign.registrations.selectors import registration_list as selectors
from campaign.registrations.selectors.registrations import registration_list_for_user

REGISTRATIONS_PER_PAGE = 50
# Column widths in characters, in the order of the export's columns.
XLSX_COLUMN_WIDTHS = (10, 7, 11, 16, 40, 34, 24, 15, 18, 17, 17)


class RegistrationPaginator(Paginator):
    """Pages of a registration queryset, each fetched with a deferred join
    (``selectors.registration_page``)."""

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        stop = start + self.per_page
        if stop + self.orphans >= self.count:
            stop = self.count
        rows = selectors.registration_page(self.object_list, start=start, stop=stop)
        return self._get_page(rows, number, self)


def _filtered(
    request: HttpRequest, stamp: kept.Stamp
) -> tuple[RegistrationFilterForm, QuerySet]:
    """The filter form bound to the query string, and the user's registrations
    narrowed by it (none when the filters are invalid)."""
    form = RegistrationFilterForm(request.GET, user=request.user, stamp=stamp)
    registrations = registration_list_for_user(user=request.user)
    if form.is_valid():
        registrations = selectors.registration_filter(registrations, **form.filters())
    else:
        registrations = registrations.none()
    return form, registrations


@require_GET
def registration_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    # One stamp query for everything the page keeps: counts, phases, localities.
    stamp = selectors.registration_list_stamp()
    form, registrations = _filtered(request, stamp)
    valid = form.is_valid()
    figures = selectors.registration_list_figures(
        registrations,
        user=request.user,
        filters=form.filters() if valid else {"invalid": True},
        phases=form.phases,
        chosen_year=form.cleaned_data.get("year") if valid else None,
        stamp=stamp,
    )
    counts = figures.counts
    paginator = RegistrationPaginator(registrations, REGISTRATIONS_PER_PAGE)
    # The counts query has counted the same rows: the paginator need not run
    # its own COUNT.
    paginator.count = counts["total"]
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "registrations/registration_list.html",
        {
            "form": form,
            "page_obj": page,
            "searching": form.is_filtering,
            "total": counts["total"],
            "status_counts": [
                (status.value, status.label, counts[status.value])
                for status in RegistrationStatus
            ],
            "quotas": figures.quotas,
            "can_register": access.can(request.user, Capability.REGISTER_UNITS),
        },
    )


def _field_label(name: str) -> str:
    return str(capfirst(Registration._meta.get_field(name).verbose_name))


def _export_header() -> list[str]:
    """Column titles in the active language (Vietnamese by default)."""
    return [
        _("Registration ID"),
        _field_label("year"),
        _field_label("phase"),
        _field_label("unit_kind"),
        _field_label("unit_name"),
        _field_label("committee"),
        _field_label("contact_name"),
        _field_label("contact_phone"),
        _field_label("status"),
        _field_label("submitted_at"),
        _field_label("decided_at"),
    ]


@require_GET
def registration_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered list (same query string as the list page, every page) as
    CSV (UTF-8 with BOM, streamed) or XLSX."""
    access.require(request.user, Capability.VIEW)
    _form, registrations = _filtered(request, selectors.registration_list_stamp())
    # Labels are read now, in the request's language: a streamed body is
    # produced after the view has returned.
    header = _export_header()
    rows = selectors.registration_export_rows(registrations)
    return exports.export_response(
        fmt,
        header=header,
        rows=rows,
        filename=f"dang-ky-dien-hinh-{timezone.localdate():%Y%m%d}",
        sheet_title=_("Registrations"),
        widths=XLSX_COLUMN_WIDTHS,
    )

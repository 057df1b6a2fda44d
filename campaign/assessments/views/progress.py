"""The progress page: the target engine's figures for a phase on a day, as
tables and charts, and the same figures as CSV (``?format=csv``)."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from campaign.assessments.forms.progress import ProgressFilterForm
from campaign.assessments.selectors import ward_police as selectors
from campaign.assessments.selectors.kept import kept_text
from campaign.committees import access
from campaign.committees.access import Capability
from campaign.planning.selectors.periods import current_period

# The columns of the CSV: the keys of ``ProgressRow.as_dict``.
CSV_COLUMNS = ("target", "grouping", "year", "required", "achieved", "gap", "on_track")
FORMATS = ("", "html", "csv")


def _csv_response(page: selectors.ProgressPage) -> HttpResponse:
    out = io.StringIO()
    # A byte order mark, so that Excel reads the Vietnamese names as UTF-8.
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in page.rows:
        values = row.as_dict()
        values["on_track"] = "true" if values["on_track"] else "false"
        writer.writerow([values[column] for column in CSV_COLUMNS])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    filename = (
        f"tien-do-chi-tieu-{page.phase.start_year}-{page.phase.end_year}"
        f"-{page.as_of:%Y%m%d}.csv"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
def progress_overview(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    fmt = request.GET.get("format", "")
    if fmt not in FORMATS:
        raise Http404("No such format.")
    today = timezone.localdate()
    phases = selectors.plan_phases()
    period = current_period(phases=phases, on=today)
    form = ProgressFilterForm(
        request.GET,
        phases=phases,
        default_phase=period.phase if period else None,
        today=today,
    )
    phase, as_of = form.chosen()
    if fmt == "csv":
        if phase is None:
            raise Http404("The plan has no phase yet.")
        return _csv_response(selectors.progress_page(phase=phase, as_of=as_of))
    # The figures are the province's whoever asks: their rendered text is
    # kept while the data are unchanged, and the engine runs only to make it
    # (``page`` is counted when first read).
    page = (
        SimpleLazyObject(lambda: selectors.progress_page(phase=phase, as_of=as_of))
        if phase
        else None
    )
    figures = ""
    if phase is not None:
        figures = kept_text(
            ("progress", phase.pk, as_of, settings.CAMPAIGN_PROVINCE_CODES),
            lambda: render_to_string(
                "assessments/includes/progress_figures.html", {"page": page}
            ),
        )
    return render(
        request,
        "assessments/progress_overview.html",
        {
            "form": form,
            "phase": phase,
            "as_of": as_of,
            "page": page,
            "figures": mark_safe(figures),  # noqa: S308 - rendered by the template engine  # nosec B308 B703
            "phases": phases,
            "today": today,
            "current_phase": period.phase if period else None,
        },
    )

"""The dashboard's tables as one XLSX workbook: the phase report's tables
(``reporting.phase_data``), one sheet each, headed in the active language.
Every text cell goes through ``campaign.exports``, which neutralises what a
spreadsheet would run as a formula (a unit's name is typed by a local
officer)."""

from __future__ import annotations

from django.utils.text import slugify
from django.utils.translation import gettext as _

from campaign.exports import XlsxSheet, xlsx_workbook_bytes
from reporting.phase_data import PhaseReportData
from units.text import fold


def _share(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in per cent, one decimal (a number, not text)."""
    return round(100 * part / whole, 1) if whole else None


def _yes(value: bool) -> str:
    return _("Yes") if value else ""


def _share_assessment(row) -> str:
    if row.achieved >= row.required:
        return _("Met")
    return _("On track") if row.on_track else _("Not met")


def dashboard_sheets(data: PhaseReportData) -> list[XlsxSheet]:
    """The sheets, in the report's order, whether or not they have rows."""
    quotas = XlsxSheet(
        title=_("Quotas"),
        header=[
            _("Year"),
            _("Unit kind"),
            _("Quota"),
            _("Registered"),
            _("Approved"),
            _("Meet all criteria"),
            _("Recognised"),
        ],
        rows=[
            (
                r.year,
                r.label,
                r.target,
                r.registered,
                r.approved,
                r.meets_all,
                r.recognised,
            )
            for q in data.quota_years
            for r in q.rows
        ],
        widths=(8, 24, 10, 12, 12, 18, 12),
    )
    localities = XlsxSheet(
        title=_("Localities"),
        header=[
            _("Registered by"),
            *data.status_labels,
            _("Total"),
            _("Recognised"),
        ],
        rows=[
            (row.name, *row.counts, row.total, row.recognised)
            for row in data.localities
        ],
        widths=(32, *([12] * len(data.status_labels)), 10, 12),
    )
    units = XlsxSheet(
        title=_("Units"),
        header=[
            _("Unit"),
            _("Unit kind"),
            _("Year"),
            _("Locality"),
            _("State"),
            _("Meets all criteria"),
            _("Recognised"),
        ],
        rows=[
            (
                u.name,
                u.kind,
                u.year,
                u.locality,
                u.status,
                _yes(u.meets_all),
                _yes(u.recognised),
            )
            for u in data.units
        ],
        widths=(40, 20, 8, 30, 16, 18, 12),
    )
    wards = XlsxSheet(
        title=_("Ward police by city"),
        header=[
            _("Year"),
            _("City or town"),
            _("Counted on"),
            _("Wards"),
            _("Required"),
            _("Meet all criteria"),
            _("Share (%)"),
            _("Assessment"),
        ],
        rows=[
            (
                r.year,
                r.grouping,
                r.counted_on,
                r.base,
                r.required,
                r.achieved,
                _share(r.achieved, r.base),
                _share_assessment(r),
            )
            for r in data.ward_share
        ],
        widths=(8, 28, 12, 8, 10, 18, 10, 14),
    )
    trajectory = XlsxSheet(
        title=_("Trajectory to 100 %"),
        header=[
            _("Year"),
            _("Wards"),
            _("Meet all criteria"),
            _("New"),
            _("Required this year"),
            _("Share (%)"),
            _("Needed per year for 100 %"),
            _("Assessment"),
        ],
        rows=[
            (
                row["year"],
                row["wards"],
                row["achieved"],
                row["new"],
                row["required"],
                _share(row["achieved"], row["wards"]),
                row["needed_per_year"],
                _("On track") if row["on_track"] else _("Behind"),
            )
            for row in data.trajectory
        ],
        widths=(8, 8, 18, 8, 18, 10, 24, 14),
    )
    recognitions = XlsxSheet(
        title=_("Recognitions"),
        header=[_("Unit"), _("Year"), _("Decision"), _("Decided on"), _("Issued by")],
        rows=[
            (r.unit, r.year, r.decision, r.decided_on, r.authority)
            for r in data.recognitions
        ],
        widths=(40, 8, 20, 12, 36),
    )
    commendations = XlsxSheet(
        title=_("Commendations"),
        header=[
            _("Form"),
            _("Recipient"),
            _("Year"),
            _("Decision"),
            _("Decided on"),
            _("Awarded by"),
        ],
        rows=[
            (c.form, c.recipient, c.year, c.decision, c.decided_on, c.authority)
            for c in data.commendations
        ],
        widths=(20, 40, 8, 20, 12, 36),
    )
    pledges = XlsxSheet(
        title=_("Pledges"),
        header=[
            _("Pledge"),
            _("Signed on"),
            _("Year"),
            _("Signing committees"),
            _("Items"),
            _("Year-end result"),
        ],
        rows=[
            (p.title, p.signed_on, p.year, p.committees, p.items, p.result)
            for p in data.pledges
        ],
        widths=(40, 12, 8, 48, 8, 40),
    )
    reviews = XlsxSheet(
        title=_("Reviews"),
        header=[
            _("Kind"),
            _("Review"),
            _("Held on"),
            _("Period"),
            *data.classification_labels,
            _("Total"),
        ],
        rows=[
            (r.kind, r.title, r.held_on, r.period, *r.counts, r.total)
            for r in data.reviews
        ],
        widths=(14, 40, 12, 12, *([12] * len(data.classification_labels)), 8),
    )
    return [
        quotas,
        localities,
        units,
        wards,
        trajectory,
        recognitions,
        commendations,
        pledges,
        reviews,
    ]


def dashboard_workbook(data: PhaseReportData) -> bytes:
    return xlsx_workbook_bytes(dashboard_sheets(data))


def dashboard_filename(data: PhaseReportData) -> str:
    """``so-lieu-giai-doan-2026-2030`` (``-<locality>`` for one committee),
    without the extension."""
    name = f"so-lieu-giai-doan-{data.phase.key}"
    if data.scope.committee is not None:
        name += "-" + slugify(fold(data.scope.committee.short_name))
    return name

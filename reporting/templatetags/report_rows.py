"""``{% report_rows page_obj show_all %}``: the rows of the report list's
table, written out in Python; ``{% report_status_badge job %}``, a job's
status badge on every report page.

Why: the report centre shows up to twenty jobs on every request, and the
template language spent about a fifth of the page's time on their cells and
their status badges (one template include per row). The cells are the ones
the template wrote: the report (a link to it), the day it is as of, its
scope, who asked for it (on the province's list), when, its status as a
badge ("Interrupted" when its worker stopped renewing the lease), and the
download and delete links, each with its hidden text naming the report for
a screen reader. Every value is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from campaign.committees.templatetags.people import vn_name
from reporting.choices import ReportStatus
from reporting.models import ReportJob
from units.html import html_format, html_join

register = template.Library()

# On narrow screens the table keeps the report, its status and its links (the
# report's page has the rest); the same classes as the table's head.
_WIDE = "d-none d-lg-table-cell"

_BADGE_CLASS = {
    ReportStatus.DONE: "text-bg-success",
    ReportStatus.FAILED: "text-bg-danger",
    ReportStatus.RUNNING: "text-bg-primary",
}


@register.simple_tag
def report_status_badge(job: ReportJob) -> SafeString:
    """The job's status as the report pages show it: a badge, "Interrupted"
    when its worker stopped renewing the lease."""
    if job.is_stalled:
        return html_format(
            '<span class="badge text-bg-warning">{}</span>', gettext("Interrupted")
        )
    return html_format(
        '<span class="badge {}">{}</span>',
        _BADGE_CLASS.get(job.status, "text-bg-secondary"),
        job.get_status_display(),
    )


def _actions(job: ReportJob, as_of: str) -> SafeString:
    hidden = html_format(
        '<span class="visually-hidden">: {}, {}</span>',
        job.title,
        as_of,  # type: ignore[attr-defined]
    )
    links = []
    if job.status == ReportStatus.DONE:
        links.append(
            html_format(
                '<a class="btn btn-sm btn-outline-primary" href="{}">{}{}</a>',
                reverse("reporting:report_download", args=[job.public_id]),
                gettext("Download PDF"),
                hidden,
            )
        )
    if job.may_delete:  # type: ignore[attr-defined]
        links.append(
            html_format(
                '<a class="btn btn-sm btn-outline-danger" href="{}">{}{}</a>',
                reverse("reporting:report_delete", args=[job.public_id]),
                gettext("Delete"),
                hidden,
            )
        )
    return html_join("\n", "{}", ((link,) for link in links))


def _row(job: ReportJob, show_all: bool, whole_province: str) -> SafeString:
    as_of = f"{job.as_of:%d/%m/%Y}" if job.as_of else ""
    created = timezone.localtime(job.created_at)
    requested_by = (
        html_format('<td class="{}">{}</td>\n', _WIDE, vn_name(job.requested_by))
        if show_all
        else ""
    )
    return html_format(
        '<tr>\n<th scope="row" class="fw-normal"><a href="{}">{}</a></th>\n'
        '<td class="d-none d-sm-table-cell">{}</td>\n'
        '<td class="d-none d-md-table-cell">{}</td>\n{}'
        '<td class="{}"><time datetime="{}">{}</time></td>\n<td>{}</td>\n'
        '<td class="text-end text-nowrap">{}</td>\n</tr>\n',
        job.get_absolute_url(),
        job.title,  # type: ignore[attr-defined]
        as_of,
        job.scope_committee.short_name if job.scope_committee else whole_province,
        requested_by,
        _WIDE,
        created.isoformat(),
        f"{created:%d/%m/%Y %H:%M}",
        report_status_badge(job),
        _actions(job, as_of),
    )


@register.simple_tag
def report_rows(jobs: Iterable[ReportJob], show_all: bool) -> SafeString:
    """Rows of the report list (each job described by the view: ``title``,
    ``may_delete``), with the requester's column when ``show_all``."""
    whole_province = gettext("Whole province")
    return html_join(
        "", "{}", ((_row(job, bool(show_all), whole_province),) for job in jobs)
    )

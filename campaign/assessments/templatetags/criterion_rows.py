"""``{% criterion_row row %}``: one criterion of the assessment page, written
out in Python.

Why: an assessment has 22 criteria, and the template language spent about
0.5 ms on each one resolving its forty-odd variables, tags and filters — two
thirds of the page's time at national scale. This writes the same markup as
``assessments/includes/assessment_criterion.html`` for every row the page
usually shows: a stored answer, its radio buttons and note (while the officer
may answer), its evidence files, the form that attaches one, and the
province's verify buttons. Every value is escaped.

A row with something to explain — a field or a file refused, or an answer
changed by someone else meanwhile — is rare and needs crispy's error markup:
it is rendered by that template, so both stay one source for what they write
(``tests/assessments/test_criterion_rows.py`` checks that they write the
same thing).
"""

from __future__ import annotations

from django import template
from django.template.context import Context
from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from campaign.assessments.forms.assessments import EVIDENCE_ACCEPT, AnswerRow
from campaign.committees.templatetags.people import vn_name
from units.html import html_format, html_join

register = template.Library()

ROW_TEMPLATE = "assessments/includes/assessment_criterion.html"

_LOCK_ICON = mark_safe(  # noqa: S308 # nosec B308 B703 - a constant drawing, no data in it
    '<svg class="lock-icon" viewBox="0 0 16 16" aria-hidden="true" '
    'focusable="false"><path fill="currentColor" d="M8 1a3 3 0 0 0-3 3v2H4a1 '
    "1 0 0 0-1 1v7a1 1 0 0 0 1 1h8a1 1 0 0 0 1-1V7a1 1 0 0 0-1-1h-1V4a3 3 0 0 "
    '0-3-3Zm-2 5V4a2 2 0 1 1 4 0v2H6Z"/></svg>'
)


def _joined(parts) -> SafeString:
    """The parts one per line, each escaped unless it is already markup."""
    return html_join("\n", "{}", ((part,) for part in parts if part))


def _plain(row: AnswerRow) -> bool:
    """Whether the row has nothing to explain (see the module's docstring)."""
    if row.changed_meanwhile:
        return False
    if row.met_field is not None and (
        row.met_options is None or row.met_field.errors or row.note_field.errors
    ):
        return False
    return row.posted_upload is None or not row.posted_upload.errors


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}"


def _badges(row: AnswerRow, labels: dict) -> SafeString:
    answer = row.answer
    if answer.met is None:
        badge = html_format(
            '<span class="badge answer-none">{}</span>', labels["not_answered"]
        )
    elif answer.met:
        badge = html_format(
            '<span class="badge answer-met"><span aria-hidden="true">✓ </span>{}</span>',
            labels["met"],
        )
    else:
        badge = html_format(
            '<span class="badge answer-not-met"><span aria-hidden="true">✗ </span>{}</span>',
            labels["not_met"],
        )
    if answer.verified:
        badge = html_format(
            '{}\n<span class="badge verified-badge">{} {}</span>',
            badge,
            _LOCK_ICON,
            labels["verified"],
        )
    return badge


def _answer_fields(row: AnswerRow) -> SafeString:
    met, note = row.met_field, row.note_field
    form = met.field.widget.attrs.get("form", "")
    required = " required" if met.field.required else ""
    radios = html_join(
        "\n",
        '<div class="form-check form-check-inline"><input type="radio" name="{}" '
        'value="{}" class="form-check-input" form="{}" id="{}"{}{}>'
        '<label class="form-check-label" for="{}">{}</label></div>',
        (
            (
                met.html_name,
                option.value,
                form,
                option.id,
                required,
                " checked" if option.checked else "",
                option.id,
                option.label,
            )
            for option in row.met_options or ()
        ),
    )
    attrs = note.field.widget.attrs
    value = note.value()
    return html_format(
        '<fieldset class="mb-2">\n<legend class="form-label mb-1">{}</legend>\n{}\n'
        "</fieldset>\n"
        '<div id="div_{}" class="mb-3"><label for="{}" class="form-label">{}</label>'
        '<textarea name="{}" cols="40" rows="{}" form="{}" maxlength="{}" '
        'class="textarea form-control" id="{}">\n{}</textarea></div>',
        row.legend,
        radios,
        note.auto_id,
        note.auto_id,
        note.label,
        note.html_name,
        attrs.get("rows", ""),
        attrs.get("form", ""),
        note.field.max_length,
        note.auto_id,
        "" if value is None else value,
    )


def _stored_answer(row: AnswerRow, can_answer: bool) -> SafeString:
    """The answer as stored, for a row without fields: locked radios for the
    officer of a verified criterion, and the note."""
    answer = row.answer
    parts = []
    if can_answer and answer.verified:
        pk = answer.pk
        parts.append(
            html_format(
                '<fieldset class="mb-2" disabled aria-describedby="criterion-{}-locked">\n'
                '<legend class="form-label mb-1">{}</legend>\n'
                '<div class="form-check form-check-inline"><input class="form-check-input" '
                'type="radio" id="locked-{}-1" name="locked-{}"{}><label '
                'class="form-check-label" for="locked-{}-1">{}</label></div>\n'
                '<div class="form-check form-check-inline"><input class="form-check-input" '
                'type="radio" id="locked-{}-0" name="locked-{}"{}><label '
                'class="form-check-label" for="locked-{}-0">{}</label></div>\n'
                '<p class="form-text mb-0" id="criterion-{}-locked">{}</p>\n</fieldset>',
                pk,
                row.legend,
                pk,
                pk,
                " checked" if answer.met else "",
                pk,
                gettext("Met"),
                pk,
                pk,
                " checked" if answer.met is False else "",
                pk,
                gettext("Not met"),
                pk,
                gettext("Verified by the province: this answer cannot be changed."),
            )
        )
    if answer.note:
        parts.append(
            html_format(
                '<p class="small mb-2"><span class="fw-semibold">{}</span> {}</p>',
                gettext("Note on this criterion:"),
                linebreaksbr(answer.note, autoescape=True),
            )
        )
    return _joined(parts)


def _evidence(
    row: AnswerRow, labels: dict, csrf: SafeString, can_answer: bool
) -> SafeString:
    files = list(row.answer.evidence.all())
    if not files:
        return html_format(
            '<p class="small text-body-secondary mb-2">{}</p>', labels["no_evidence"]
        )
    removable = can_answer and not row.answer.verified
    items = []
    for evidence in files:
        remove = ""
        if removable:
            remove = html_format(
                '\n<form method="post" action="{}" data-confirm="{}">{}<button '
                'type="submit" class="btn btn-sm btn-outline-danger">{}<span '
                'class="visually-hidden"> {}</span></button></form>',
                evidence.remove_url,
                gettext("Remove “%(name)s”?") % {"name": evidence.file_name},
                csrf,
                labels["remove"],
                evidence.file_name,
            )
        items.append(
            html_format(
                '<li class="d-flex flex-wrap align-items-center gap-2 py-1">\n'
                '<a href="{}">{}</a>\n<span class="small text-body-secondary">({}, {})'
                "</span>{}\n</li>",
                evidence.download_url,
                evidence.file_name,
                filesizeformat(evidence.file_size),
                f"{timezone.localtime(evidence.uploaded_at):%d/%m/%Y}",
                remove,
            )
        )
    return html_format(
        '<ul class="evidence-list list-unstyled mb-2">\n{}\n</ul>',
        _joined(items),
    )


def _upload(row: AnswerRow, labels: dict, csrf: SafeString) -> SafeString:
    # The field of an empty ``EvidenceForm`` (prefix ``ev<answer id>``),
    # written without building the form.
    html_name = f"{row.upload_prefix}-file"
    auto_id = f"id_{html_name}"
    label = labels["upload_label"] % {"code": row.answer.criterion.code}
    return html_format(
        '<details class="evidence-upload mb-1">\n'
        '<summary class="btn btn-sm btn-outline-primary">{}<span class="visually-hidden">'
        " — {}</span></summary>\n"
        '<form method="post" enctype="multipart/form-data" action="{}" class="mt-2" '
        "novalidate>\n{}\n"
        '<div id="div_{}" class="mb-3"><label for="{}" class="form-label '
        'requiredField">{}<span class="asteriskField">*</span></label><div><input '
        'type="file" name="{}" class="form-control" accept="{}" id="{}" required '
        'aria-describedby="{}_helptext"><div id="{}_helptext" class="form-text">{}'
        "</div></div></div>\n"
        '<button type="submit" class="btn btn-primary btn-sm">{}<span '
        'class="visually-hidden"> — {}</span></button>\n</form>\n</details>',
        labels["attach_file"],
        row.hint,
        row.upload_url,
        csrf,
        auto_id,
        auto_id,
        label,
        html_name,
        EVIDENCE_ACCEPT,
        auto_id,
        auto_id,
        auto_id,
        labels["upload_help"],
        labels["attach"],
        row.hint,
    )


def _verify(row: AnswerRow, labels: dict, csrf: SafeString) -> SafeString:
    if row.answer.verified:
        buttons = html_format(
            '<form method="post" action="{}">{}<button type="submit" class="btn '
            'btn-sm btn-outline-secondary">{}<span class="visually-hidden"> — {}'
            "</span></button></form>",
            row.unverify_url,
            csrf,
            labels["release"],
            row.hint,
        )
    else:
        buttons = html_format(
            '<form method="post" action="{}">{}<input type="hidden" name="met" '
            'value="1"><button type="submit" class="btn btn-sm btn-success">{}<span '
            'class="visually-hidden"> — {}</span></button></form>\n'
            '<form method="post" action="{}">{}<input type="hidden" name="met" '
            'value="0"><button type="submit" class="btn btn-sm btn-outline-danger">{}'
            '<span class="visually-hidden"> — {}</span></button></form>',
            row.verify_url,
            csrf,
            labels["verified_met"],
            row.hint,
            row.verify_url,
            csrf,
            labels["verified_not_met"],
            row.hint,
        )
    return html_format(
        '<div class="border-top pt-2 mt-2 d-flex flex-wrap gap-2 align-items-center">'
        "\n{}\n</div>",
        buttons,
    )


def criterion_html(
    row: AnswerRow,
    *,
    labels: dict,
    can_answer: bool,
    can_verify: bool,
    csrf_token: str,
) -> SafeString:
    """The markup of one plain row (``_plain``)."""
    answer, criterion = row.answer, row.answer.criterion
    csrf = html_format(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf_token
    )
    parts = [
        html_format(
            '<article class="criterion card mb-3{}" id="criterion-{}" '
            'aria-labelledby="criterion-{}-title">\n<div class="card-body">\n'
            '<div class="d-flex flex-wrap justify-content-between align-items-start '
            'gap-2 mb-1">\n<h3 class="h6 fw-semibold mb-0" id="criterion-{}-title">'
            "{}{}</h3>\n"
            '<p class="mb-0 d-flex flex-wrap gap-1">\n{}\n</p>\n</div>\n'
            '<p class="criterion-text mb-1">{}</p>',
            " criterion-locked" if answer.verified else "",
            answer.pk,
            answer.pk,
            answer.pk,
            row.title,
            ""
            if criterion.required
            else html_format(
                ' <span class="badge text-bg-light border">{}</span>',
                labels["not_required"],
            ),
            _badges(row, labels),
            criterion.text,
        )
    ]
    if criterion.evidence_hint:
        parts.append(
            html_format(
                '<p class="small text-body-secondary mb-2"><span class="fw-semibold">'
                "{}</span> {}</p>",
                labels["evidence"],
                criterion.evidence_hint,
            )
        )
    if answer.verified:
        parts.append(
            html_format(
                '<p class="small mb-2">{}{}</p>',
                gettext("Verified by %(who)s on %(when)s.")
                % {
                    "who": vn_name(answer.verified_by),
                    "when": _when(answer.verified_at),
                },
                " "
                + gettext("Locked: only the provincial standing office can release it.")
                if can_answer
                else "",
            )
        )
    if row.met_field is not None:
        parts.append(_answer_fields(row))
    else:
        parts.append(_stored_answer(row, can_answer))
    parts.append(
        html_format('<h4 class="h6 mt-3 mb-1">{}</h4>', labels["evidence_files"])
    )
    parts.append(_evidence(row, labels, csrf, can_answer))
    if row.takes_upload:
        parts.append(_upload(row, labels, csrf))
    if can_verify:
        parts.append(_verify(row, labels, csrf))
    return html_format("{}\n</div>\n</article>\n", _joined(parts))


@register.simple_tag(takes_context=True)
def criterion_row(context: Context, row: AnswerRow) -> SafeString:
    """One criterion: in Python when plain, else by ``ROW_TEMPLATE``."""
    if not _plain(row):
        with context.push(row=row):
            return context.template.engine.get_template(ROW_TEMPLATE).render(context)
    return criterion_html(
        row,
        labels=context["labels"],
        can_answer=bool(context.get("can_answer")),
        can_verify=bool(context.get("can_verify")),
        csrf_token=str(context.get("csrf_token", "")),
    )

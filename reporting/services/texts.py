"""Writes for the texts of the phase reports that the provincial standing
office writes (situation, assessment, directions, proposals, who signs and
who receives the report).

A request copies the texts into the job's parameters, so saving them here
never changes a report already made. Two people editing the same texts at
once cannot overwrite each other: the form carries the version it was opened
at, and a save from an older version is refused.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import cast

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.committees import access, audit
from campaign.committees.access import Actor, Capability
from campaign.committees.choices import AuditAction
from campaign.committees.models import SteeringCommittee, User
from campaign.planning.models import Phase
from reporting.models import ReportTexts
from reporting.selectors import (
    TEXT_FIELDS,
    _phase_row,
    provincial_committee,
    report_scope_get,
)

# Every field a save may set, in the order of the report.
EDITABLE_FIELDS = (*TEXT_FIELDS, "recipients")

TEXTS_UNKNOWN_PHASE = _("There is no phase %(phase)s in the plan.")
TEXTS_NO_COMMITTEE = _(
    "There is no provincial committee for the phase %(phase)s: choose a committee."
)
TEXTS_STALE = _(
    "%(name)s saved these texts at %(time)s, after you opened them. Nothing was "
    "saved, so that their changes are not lost: reload the page to see their "
    "version, then make your changes again."
)
TEXTS_STALE_UNKNOWN = _(
    "Someone else saved these texts after you opened them. Nothing was saved, so "
    "that their changes are not lost: reload the page to see their version, then "
    "make your changes again."
)


def _phase(*, phase_key: str) -> Phase:
    """The phase row a key such as ``2023-2025`` names (the texts belong to
    it); ``ValidationError`` for a phase the plan does not have."""
    phase = _phase_row(phase_key)
    if phase is None:
        raise ValidationError(
            {
                "phase": ValidationError(
                    TEXTS_UNKNOWN_PHASE,
                    code="unknown_phase",
                    params={"phase": phase_key},
                )
            }
        )
    return phase


def _committee(
    *, phase: Phase, committee_id: int | None, by: Actor
) -> SteeringCommittee:
    """The committee the texts are for, read through ``by``'s scope (another
    locality's committee is a 404). ``None`` means the provincial committee in
    force at the end of the phase — the one a whole-province report signs as."""
    if committee_id is not None:
        # An id gives its committee (or a 404), never None.
        return cast(
            SteeringCommittee, report_scope_get(user=by, committee_id=committee_id)
        )
    report_scope_get(user=by, committee_id=None)  # the province's people only
    committee = provincial_committee(on=datetime.date(phase.end_year, 12, 31))
    if committee is None:
        raise ValidationError(
            TEXTS_NO_COMMITTEE,
            code="no_committee",
            params={"phase": f"{phase.start_year}–{phase.end_year}"},
        )
    return committee


def _normalised(name: str, value: object) -> str:
    text = str(value or "").strip()
    if name == "recipients":
        # One recipient a line, blank lines and stray spaces dropped.
        return "\n".join(line.strip() for line in text.splitlines() if line.strip())
    return text


def _stale_error(current: ReportTexts | None) -> ValidationError:
    if current is None or current.updated_by_id is None:
        return ValidationError(TEXTS_STALE_UNKNOWN, code="stale")
    person = current.updated_by
    name = " ".join(p for p in (person.last_name, person.first_name) if p)
    return ValidationError(
        TEXTS_STALE,
        code="stale",
        params={
            "name": name or person.get_username(),
            "time": f"{timezone.localtime(current.updated_at):%d/%m/%Y %H:%M}",
        },
    )


@transaction.atomic
def report_texts_save(
    *,
    phase_key: str,
    committee_id: int | None,
    values: Mapping[str, str],
    version: int,
    by: User,
) -> ReportTexts:
    """Create or change the texts of the report of ``phase_key`` for a
    committee (``None``: the provincial committee). ``version`` is the version
    the editor opened (0 for texts not written yet); a save from an older one
    is refused with ``ValidationError`` (code ``stale``) and changes nothing."""
    access.require(by, Capability.MANAGE_REPORTS)
    phase = _phase(phase_key=phase_key)
    committee = _committee(phase=phase, committee_id=committee_id, by=by)
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"report_texts_save cannot set {sorted(unknown)!r}")

    current = (
        ReportTexts.objects.select_for_update()
        .select_related("updated_by")
        .filter(phase=phase, committee=committee)
        .first()
    )
    if (current.version if current else 0) != version:
        raise _stale_error(current)

    texts = current or ReportTexts(phase=phase, committee=committee, version=0)
    before = (
        audit.snapshot(texts, EDITABLE_FIELDS)
        if current
        else {name: ("", False) for name in EDITABLE_FIELDS}
    )
    for name in EDITABLE_FIELDS:
        if name in values:
            setattr(texts, name, _normalised(name, values[name]))
    diff = audit.changes(texts, before)
    if current is not None and not diff:
        return current  # saved as it was: no new version, nothing to record
    texts.version += 1
    texts.updated_by = by
    texts.full_clean(exclude=["committee", "phase", "updated_by"])
    try:
        with transaction.atomic():
            texts.save()
    except IntegrityError:
        # Someone else wrote the first version at the same moment.
        raise _stale_error(
            ReportTexts.objects.select_related("updated_by")
            .filter(phase=phase, committee=committee)
            .first()
        ) from None
    if diff:
        audit.record(
            action=AuditAction.REPORT_TEXTS_SAVED,
            by=by,
            object_label=(
                f"Nội dung báo cáo giai đoạn {phase.start_year}–{phase.end_year} — "
                f"{committee.short_name}"
            ),
            changes=diff,
        )
    return texts

"""Publishing criteria sets, and the placeholder sets of a fresh install.

A set is never edited in place: provincial staff publish a new version (the
official wording, once it is public), and assessments already made keep the
version they were made against. The seed file
``campaign/assessments/data/criteria_sets.json`` holds placeholder sets, their
texts marked "Tiêu chí tạm — chờ văn bản chính thức"; ``load_reference_data``
loads them with the rest of the reference data (checked as a whole first,
idempotent, a set that exists is kept).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from campaign.assessments.choices import CriteriaSubject
from campaign.assessments.models import CriteriaSet, Criterion, CriterionGroup
from campaign.committees import access, audit
from campaign.committees.access import SYSTEM, Actor, Capability, SystemActor
from campaign.committees.choices import AuditAction
from campaign.planning.models import LegalDocument

CRITERIA_SETS_FILE = (
    Path(__file__).resolve().parent.parent / "data" / "criteria_sets.json"
)
PLACEHOLDER_MARK = "Tiêu chí tạm — chờ văn bản chính thức"

EMPTY_SET = _(
    "A criteria set needs at least one group with at least one criterion: "
    "nothing was published."
)
GROUP_WITHOUT_CRITERIA = _("The group “%(group)s” has no criterion.")
DUPLICATE_CODE = _("The code %(code)s is used twice: each criterion needs its own.")
DUPLICATE_GROUP = _("The group code %(code)s is used twice.")
TEXT_MISSING = _("The criterion %(code)s has no text.")
CODE_MISSING = _("Every group and criterion needs a code.")
TITLE_MISSING = _("Give the set a title.")
PUBLISHED_MEANWHILE = _(
    "Someone published a version of this set a moment ago. Reload the page: "
    "your version was not published."
)


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    text: str
    evidence_hint: str = ""
    required: bool = True


@dataclass(frozen=True)
class GroupSpec:
    code: str
    title: str
    criteria: list[CriterionSpec] = field(default_factory=list)


def _clean(text: str) -> str:
    return " ".join((text or "").split())


def criteria_set_check(*, title: str, groups: list[GroupSpec]) -> list[ValidationError]:
    """Every problem of a set to publish, worded; empty when it can be."""
    problems: list[ValidationError] = []
    if not _clean(title):
        problems.append(ValidationError(TITLE_MISSING, code="title"))
    if not groups or not any(g.criteria for g in groups):
        problems.append(ValidationError(EMPTY_SET, code="empty"))
        return problems
    group_codes: set[str] = set()
    codes: set[str] = set()
    for group in groups:
        code = _clean(group.code)
        if not code or not all(_clean(c.code) for c in group.criteria):
            problems.append(ValidationError(CODE_MISSING, code="code"))
        if code in group_codes:
            problems.append(
                ValidationError(
                    DUPLICATE_GROUP, code="duplicate", params={"code": code}
                )
            )
        group_codes.add(code)
        if not group.criteria:
            problems.append(
                ValidationError(
                    GROUP_WITHOUT_CRITERIA,
                    code="empty_group",
                    params={"group": _clean(group.title) or code},
                )
            )
        for criterion in group.criteria:
            c_code = _clean(criterion.code)
            if c_code and c_code in codes:
                problems.append(
                    ValidationError(
                        DUPLICATE_CODE, code="duplicate", params={"code": c_code}
                    )
                )
            codes.add(c_code)
            if not _clean(criterion.text):
                problems.append(
                    ValidationError(
                        TEXT_MISSING, code="text", params={"code": c_code or "?"}
                    )
                )
    return problems


@transaction.atomic
def criteria_set_publish(
    *,
    subject: str,
    title: str,
    groups: list[GroupSpec],
    by: Actor,
    basis: LegalDocument | None = None,
    is_placeholder: bool = False,
    note: str = "",
    reference_key: str = "",
) -> CriteriaSet:
    """Publish the next version of the set for ``subject``. Refused, with
    nothing written, when the set is empty or a criterion lacks its code or
    text; new assessments use it from now on, old ones keep theirs."""
    access.require(by, Capability.MANAGE_CRITERIA)
    CriteriaSubject(subject)
    problems = criteria_set_check(title=title, groups=groups)
    if problems:
        raise ValidationError(problems)
    latest = (
        CriteriaSet.objects.filter(subject=subject).aggregate(v=Max("version"))["v"]
        or 0
    )
    criteria_set = CriteriaSet(
        subject=subject,
        version=latest + 1,
        title=_clean(title),
        basis=basis,
        is_placeholder=is_placeholder,
        note=_clean(note),
        reference_key=reference_key,
        published_by=None if isinstance(by, SystemActor) else by,
    )
    try:
        with transaction.atomic():
            criteria_set.save()
    except IntegrityError:
        raise ValidationError(PUBLISHED_MEANWHILE, code="conflict") from None
    saved_groups = CriterionGroup.objects.bulk_create(
        CriterionGroup(
            criteria_set=criteria_set,
            position=index,
            code=_clean(group.code),
            title=_clean(group.title),
        )
        for index, group in enumerate(groups, start=1)
    )
    Criterion.objects.bulk_create(
        Criterion(
            group=saved,
            position=index,
            code=_clean(spec.code),
            text=spec.text.strip(),
            evidence_hint=_clean(spec.evidence_hint),
            required=spec.required,
        )
        for saved, group in zip(saved_groups, groups, strict=True)
        for index, spec in enumerate(group.criteria, start=1)
    )
    count = sum(len(g.criteria) for g in groups)
    audit.record(
        action=AuditAction.CRITERIA_SET_PUBLISHED,
        by=by,
        object_label=str(criteria_set),
        link=("assessments:criteria_set_detail", criteria_set.pk),
        note=f"{count} tiêu chí, {len(groups)} nhóm"
        + (" (tạm)" if is_placeholder else ""),
    )
    return criteria_set


def criteria_set_specs(criteria_set: CriteriaSet) -> list[GroupSpec]:
    """A published set as specs: the starting point of its next version."""
    return [
        GroupSpec(
            code=group.code,
            title=group.title,
            criteria=[
                CriterionSpec(
                    code=c.code,
                    text=c.text,
                    evidence_hint=c.evidence_hint,
                    required=c.required,
                )
                for c in group.criteria.order_by("position")
            ],
        )
        for group in criteria_set.groups.order_by("position")
    ]


# --- The seed file, loaded with the reference data ----------------------------------


def criteria_seed_read(path: Path | None = None) -> dict:
    with (path or CRITERIA_SETS_FILE).open(encoding="utf-8") as handle:
        return json.load(handle)


def _specs(row: dict) -> list[GroupSpec]:
    return [
        GroupSpec(
            code=str(group.get("code", "")),
            title=group.get("title", ""),
            criteria=[
                CriterionSpec(
                    code=str(c.get("code", "")),
                    text=c.get("text", ""),
                    evidence_hint=c.get("evidence_hint", ""),
                    required=bool(c.get("required", True)),
                )
                for c in group.get("criteria", [])
            ],
        )
        for group in row.get("groups", [])
    ]


def criteria_seed_check(data: dict, *, document_keys: set[str]) -> list[str]:
    """Problems of the seed file, worded for an operator (nothing is loaded
    while there is one)."""
    problems: list[str] = []
    keys: set[str] = set()
    for index, row in enumerate(data.get("sets", [])):
        where = f"criteria_sets.json sets[{index}]"
        key = row.get("key", "")
        if not key or key in keys:
            problems.append(f"{where}.key: missing or used twice")
        keys.add(key)
        if row.get("subject") not in CriteriaSubject.values:
            problems.append(f"{where}.subject: unknown {row.get('subject')!r}")
        if row.get("basis") and row["basis"] not in document_keys:
            problems.append(f"{where}.basis: no document {row['basis']!r}")
        for error in criteria_set_check(title=row.get("title", ""), groups=_specs(row)):
            problems.extend(f"{where}: {message}" for message in error.messages)
        placeholder = row.get("is_placeholder", True)
        unmarked = [
            c.code
            for g in _specs(row)
            for c in g.criteria
            if placeholder and PLACEHOLDER_MARK not in c.text
        ]
        if unmarked:
            problems.append(
                f"{where}: placeholder criteria without the mark "
                f"“{PLACEHOLDER_MARK}”: {', '.join(unmarked[:5])}"
            )
    return problems


def criteria_seed_load(data: dict, *, documents: dict[str, LegalDocument]) -> int:
    """Publish the seed sets that are not there yet (by their key); a set that
    exists — or any set of the same subject, published by staff — is kept."""
    created = 0
    for row in data.get("sets", []):
        if CriteriaSet.objects.filter(reference_key=row["key"]).exists():
            continue
        if CriteriaSet.objects.filter(subject=row["subject"]).exists():
            continue
        criteria_set_publish(
            subject=row["subject"],
            title=row["title"],
            groups=_specs(row),
            by=SYSTEM,
            basis=documents.get(row.get("basis", "")),
            is_placeholder=row.get("is_placeholder", True),
            note=row.get("note", ""),
            reference_key=row["key"],
        )
        created += 1
    return created

"""The reference data of a real install, loaded from a versioned file
(``campaign/planning/data/reference_data.json``, sources named in it): the
legal documents, the plan with its programmes, phases and targets, and the
steering committees before and after the reform of 1 July 2025.

The file is checked as a whole before anything is written: a broken reference
(a document, a committee, an area or a phase that does not exist, a year
outside its phase, an unknown kind) is reported with every other problem and
nothing changes. Loading runs in one transaction and is idempotent: each row is
looked up by its natural key first, and a row that exists — possibly edited by
provincial staff since — is kept as it is; where it differs from the file the
difference is reported, never overwritten. New rows go through the services,
so they are validated and recorded in the audit trail as done by the system.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Choices

from campaign.committees import audit
from campaign.committees.access import SYSTEM
from campaign.committees.choices import AuditAction, CommitteeLevel, CommitteeRole
from campaign.committees.models import CommitteeMember, SteeringCommittee
from campaign.committees.services.committees import (
    LEVEL_KINDS,
    committee_create,
    committee_names_for,
    member_add,
)
from campaign.planning.choices import (
    DocumentType,
    ProgrammeKind,
    RoundingRule,
    TargetGrouping,
    TargetKind,
    UnitKind,
)
from campaign.planning.models import LegalDocument, Phase, Plan, Programme, Target
from campaign.planning.services.documents import document_create
from campaign.planning.services.targets import target_create
from units.choices import AREA_KIND_PREFIX, AreaKind
from units.models import Area, WardPolice
from units.text import fold

REFERENCE_DATA_FILE = (
    Path(__file__).resolve().parent.parent / "data" / "reference_data.json"
)


class ReferenceDataError(Exception):
    """The file cannot be loaded; ``problems`` says why, one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ReferenceLoadResult:
    version: str
    created: Counter = field(default_factory=Counter)
    kept: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def created_total(self) -> int:
        return sum(self.created.values())


@dataclass(frozen=True)
class ReferenceExtension:
    """Reference data of a room above this one (the criteria sets of
    ``campaign.assessments``), loaded by ``load_reference_data`` in the same
    transaction: ``check`` returns its problems given the keys of the file's
    documents (nothing loads while one remains), ``load`` creates what is
    missing given the documents by key and returns how many it created. Rooms
    register theirs in their ``AppConfig.ready``; this room imports none."""

    name: str
    check: Callable[[set[str]], list[str]]
    load: Callable[[dict[str, LegalDocument]], int]


_EXTENSIONS: dict[str, ReferenceExtension] = {}


def register_reference_extension(extension: ReferenceExtension) -> None:
    _EXTENSIONS[extension.name] = extension


def reference_data_read(path: Path = REFERENCE_DATA_FILE) -> dict:
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise ReferenceDataError([f"{path}: no such file"]) from None
    except json.JSONDecodeError as error:
        raise ReferenceDataError([f"{path}: not valid JSON ({error})"]) from None


# --- Checking the file as a whole ---------------------------------------------------


def _day(value: Any, where: str, problems: list[str]) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        problems.append(f"{where}: {value!r} is not a date (YYYY-MM-DD)")
        return None


def _choice(
    value: Any, choices: type[Choices], where: str, problems: list[str]
) -> None:
    if value not in choices.values:
        problems.append(f"{where}: {value!r} is not one of {', '.join(choices.values)}")


def reference_data_check(data: dict) -> list[str]:
    """Every problem of ``data``, as lines to show; empty when it can load."""
    problems: list[str] = []
    if not isinstance(data, dict) or not data.get("version"):
        return ["the file has no version"]
    sources = {s.get("key") for s in data.get("sources", [])}

    documents = data.get("documents", [])
    document_keys: set[str] = set()
    numbers: set[str] = set()
    for index, doc in enumerate(documents):
        where = f"documents[{index}] ({doc.get('key', '?')})"
        key = doc.get("key")
        if not key:
            problems.append(f"{where}: no key")
        elif key in document_keys:
            problems.append(f"{where}: the key {key!r} is used twice")
        document_keys.add(key)
        _choice(doc.get("doc_type"), DocumentType, f"{where}.doc_type", problems)
        _day(doc.get("issued_on"), f"{where}.issued_on", problems)
        number = doc.get("number_symbol", "")
        if number and number in numbers:
            problems.append(f"{where}: the number {number!r} is used twice")
        numbers.add(number)
        if not doc.get("title") or not doc.get("issuer"):
            problems.append(f"{where}: a title and an issuer are needed")
        if doc.get("source") and doc["source"] not in sources:
            problems.append(f"{where}: unknown source {doc['source']!r}")

    area_keys = set(Area.objects.values_list("key", flat=True))
    if not area_keys:
        problems.append(
            "no administrative area is loaded: run `manage.py load_areas` first"
        )
    committees = data.get("committees", {})
    committee_keys: set[str] = set()
    for index, row in enumerate(committees.get("province", [])):
        where = f"committees.province[{index}] ({row.get('key', '?')})"
        committee_keys.add(row.get("key"))
        if area_keys and row.get("area") not in area_keys:
            problems.append(
                f"{where}: the area {row.get('area')!r} is not loaded "
                "(check the key, or run `manage.py load_areas`)"
            )
        start = _day(row.get("valid_from"), f"{where}.valid_from", problems)
        end = _day(row.get("valid_to"), f"{where}.valid_to", problems)
        if start is None and row.get("valid_from") is None:
            problems.append(f"{where}: valid_from is needed")
        if start and end and end <= start:
            problems.append(f"{where}: valid_to must be after valid_from")
        for m_index, member in enumerate(row.get("members", [])):
            m_where = f"{where}.members[{m_index}]"
            _choice(member.get("role"), CommitteeRole, f"{m_where}.role", problems)
            _day(member.get("valid_from"), f"{m_where}.valid_from", problems)
            _day(member.get("valid_to"), f"{m_where}.valid_to", problems)
            if not member.get("full_name"):
                problems.append(f"{m_where}: a name is needed")
    for index, rule in enumerate(committees.get("from_areas", [])):
        where = f"committees.from_areas[{index}]"
        _choice(rule.get("level"), CommitteeLevel, f"{where}.level", problems)
        if area_keys and rule.get("children_of") not in area_keys:
            problems.append(
                f"{where}: the area {rule.get('children_of')!r} is not loaded"
            )
        if rule.get("parent") not in committee_keys:
            problems.append(
                f"{where}: the parent committee {rule.get('parent')!r} is not in "
                "committees.province"
            )
        _day(rule.get("from"), f"{where}.from", problems)
        _day(rule.get("to"), f"{where}.to", problems)

    ward_police = data.get("ward_police")
    if ward_police is not None:
        _choice(ward_police.get("of_kind"), AreaKind, "ward_police.of_kind", problems)
        if "{place}" not in ward_police.get("name", ""):
            problems.append("ward_police.name: it needs {place} for the ward's name")
    for index, plan in enumerate(data.get("plans", [])):
        where = f"plans[{index}]"
        if plan.get("document") not in document_keys:
            problems.append(
                f"{where}: the document {plan.get('document')!r} is not in documents"
            )
        if plan.get("committee") not in committee_keys:
            problems.append(
                f"{where}: the committee {plan.get('committee')!r} is not in "
                "committees.province"
            )
        for key in plan.get("legal_basis", []):
            if key not in document_keys:
                problems.append(
                    f"{where}.legal_basis: the document {key!r} is not in documents"
                )
        phases: dict[int, int] = {}
        for p_index, pair in enumerate(plan.get("phases", [])):
            try:
                first, last = (int(y) for y in pair)
            except (TypeError, ValueError):
                problems.append(f"{where}.phases[{p_index}]: not [first, last] years")
                continue
            if last < first:
                problems.append(f"{where}.phases[{p_index}]: {last} is before {first}")
            phases[first] = last
        for g_index, programme in enumerate(plan.get("programmes", [])):
            g_where = f"{where}.programmes[{g_index}]"
            _choice(programme.get("kind"), ProgrammeKind, f"{g_where}.kind", problems)
            for key in programme.get("legal_basis", []):
                if key not in document_keys:
                    problems.append(
                        f"{g_where}.legal_basis: the document {key!r} is not in "
                        "documents"
                    )
            for t_index, target in enumerate(programme.get("targets", [])):
                _check_target(target, phases, f"{g_where}.targets[{t_index}]", problems)
    return problems


def _check_target(
    target: dict, phases: dict[int, int], where: str, problems: list[str]
) -> None:
    _choice(target.get("kind"), TargetKind, f"{where}.kind", problems)
    start: Any = target.get("phase")
    if start not in phases:
        problems.append(f"{where}: the plan has no phase starting in {start!r}")
    elif not (start <= int(target.get("year", 0)) <= phases[start]):
        problems.append(
            f"{where}: the year {target.get('year')} is outside the phase "
            f"{start}–{phases[start]}"
        )
    if target.get("unit_kind"):
        _choice(target["unit_kind"], UnitKind, f"{where}.unit_kind", problems)
    if target.get("grouping"):
        _choice(target["grouping"], TargetGrouping, f"{where}.grouping", problems)
    if target.get("rounding"):
        _choice(target["rounding"], RoundingRule, f"{where}.rounding", problems)
    if target.get("share_percent") is not None:
        try:
            Decimal(str(target["share_percent"]))
        except InvalidOperation:
            problems.append(f"{where}.share_percent: not a number")


# --- Loading ------------------------------------------------------------------------


@transaction.atomic
def reference_data_load(*, data: dict) -> ReferenceLoadResult:
    """Check ``data`` and create what is missing (see the module's docstring).
    Raises ``ReferenceDataError`` — with nothing changed — when it cannot."""
    problems = reference_data_check(data)
    documents = data.get("documents", []) if isinstance(data, dict) else []
    document_keys = cast(
        "set[str]", {row.get("key") for row in documents if isinstance(row, dict)}
    )
    for extension in _EXTENSIONS.values():
        problems.extend(extension.check(document_keys))
    if problems:
        raise ReferenceDataError(problems)
    loader = _Loader(data)
    try:
        loader.load()
        for extension in _EXTENSIONS.values():
            loader.where = extension.name
            created = extension.load(loader.documents)
            if created:
                loader.result.created[extension.name] += created
    except ValidationError as error:
        # A value the services refuse (e.g. a committee whose area is not in
        # force on its start date): the transaction rolls back.
        raise ReferenceDataError(
            [f"{loader.where}: {message}" for message in error.messages]
        ) from None
    result = loader.result
    if result.created_total:
        audit.record(
            action=AuditAction.REFERENCE_DATA_LOADED,
            by=SYSTEM,
            object_label=f"reference_data.json {result.version}",
            note=", ".join(
                f"{kind}: {n}" for kind, n in sorted(result.created.items())
            ),
        )
    return result


class _Loader:
    def __init__(self, data: dict):
        self.data = data
        self.result = ReferenceLoadResult(version=data["version"])
        self.documents: dict[str, LegalDocument] = {}
        self.committees: dict[str, SteeringCommittee] = {}
        self.where = ""

    def load(self) -> None:
        for row in self.data.get("documents", []):
            self.where = f"document {row['key']}"
            self.documents[row["key"]] = self._document(row)
        committees = self.data.get("committees", {})
        for row in committees.get("province", []):
            self.where = f"committee {row['key']}"
            self.committees[row["key"]] = self._province_committee(row)
        for rule in committees.get("from_areas", []):
            self._committees_from_areas(rule)
        if self.data.get("ward_police"):
            self.where = "ward police"
            self._ward_police(self.data["ward_police"])
        for row in self.data.get("plans", []):
            self.where = f"plan {row['document']}"
            self._plan(row)

    # Each helper finds the row by its natural key, else creates it.

    def _kept(self, row: object, differs: dict[str, tuple]) -> None:
        self.result.kept += 1
        for name, (stored, in_file) in differs.items():
            if stored != in_file:
                self.result.differences.append(
                    f"{row}: {name} is {stored!r} here, {in_file!r} in the file "
                    "(kept as it is)"
                )

    def _document(self, row: dict) -> LegalDocument:
        found = LegalDocument.objects.filter(reference_key=row["key"]).first()
        if found is None and row.get("number_symbol"):
            found = LegalDocument.objects.filter(
                number_symbol__iexact=row["number_symbol"]
            ).first()
            if found is not None and not found.reference_key:
                # Registered by hand before the reference data was loaded.
                LegalDocument.objects.filter(pk=found.pk).update(
                    reference_key=row["key"]
                )
        if found is not None:
            self._kept(found, {"title": (found.title, row["title"])})
            return found
        self.result.created["documents"] += 1
        return document_create(
            reference_key=row["key"],
            number_symbol=row.get("number_symbol", ""),
            doc_type=row["doc_type"],
            issued_on=_day(row.get("issued_on"), "", []),
            issuer=row["issuer"],
            title=row["title"],
            by=SYSTEM,
        )

    def _committee(
        self, *, area: Area, valid_from: datetime.date, **values: Any
    ) -> SteeringCommittee:
        found = SteeringCommittee.objects.filter(
            area=area, valid_from=valid_from
        ).first()
        if found is not None:
            self._kept(found, {"short_name": (found.short_name, values["short_name"])})
            return found
        self.result.created["committees"] += 1
        return committee_create(area=area, valid_from=valid_from, by=SYSTEM, **values)

    def _province_committee(self, row: dict) -> SteeringCommittee:
        committee = self._committee(
            level=CommitteeLevel.PROVINCE,
            area=Area.objects.get(key=row["area"]),
            parent=None,
            name=row["name"],
            short_name=row["short_name"],
            standing_office=row.get("standing_office", ""),
            # Dates the check has accepted (a missing one fails full_clean).
            valid_from=cast(datetime.date, _day(row["valid_from"], "", [])),
            valid_to=_day(row.get("valid_to"), "", []),
        )
        for member in row.get("members", []):
            if CommitteeMember.objects.filter(
                committee=committee, full_name=member["full_name"]
            ).exists():
                self.result.kept += 1
                continue
            self.result.created["committee members"] += 1
            member_add(
                committee=committee,
                full_name=member["full_name"],
                position=member["position"],
                role=member["role"],
                valid_from=cast(datetime.date, _day(member["valid_from"], "", [])),
                valid_to=_day(member.get("valid_to"), "", []),
                by=SYSTEM,
            )
        return committee

    def _committees_from_areas(self, rule: dict) -> None:
        """One committee per unit of the level under ``children_of``, in force
        during [from, to), dated with the unit."""
        start = cast(datetime.date, _day(rule["from"], "", []))  # checked, required
        end = _day(rule.get("to"), "", [])
        parent = self.committees[rule["parent"]]
        level = CommitteeLevel(rule["level"])
        areas = Area.objects.filter(
            parent__key=rule["children_of"], kind__in=LEVEL_KINDS[level]
        ).order_by("code", "valid_from")
        existing = {
            (c.area_id, c.valid_from): c
            for c in SteeringCommittee.objects.filter(level=level, parent=parent)
        }
        for area in areas:
            valid_from = max(area.valid_from or start, start)
            valid_to = (
                min(d for d in (area.valid_to, end) if d is not None)
                if (area.valid_to or end)
                else None
            )
            if valid_to is not None and valid_to <= valid_from:
                continue  # the unit ended before the committees of this rule began
            self.where = f"committee of {area.full_name}"
            if (area.pk, valid_from) in existing:
                self.result.kept += 1
                continue
            name, short_name = committee_names_for(area)
            place = f"{AREA_KIND_PREFIX[AreaKind(area.kind)].lower()} {area.name}"
            self.result.created["committees"] += 1
            committee_create(
                level=level,
                area=area,
                parent=parent,
                name=name,
                short_name=short_name,
                standing_office=rule.get("standing_office", "").format(place=place),
                valid_from=valid_from,
                valid_to=valid_to,
                by=SYSTEM,
            )

    def _ward_police(self, rule: dict) -> None:
        """One ward police per ward of the areas data, of every era (it lives
        and ends with its ward)."""
        have = set(WardPolice.objects.values_list("area_id", flat=True))
        missing = [
            area
            for area in Area.objects.filter(kind=rule["of_kind"]).order_by("pk")
            if area.pk not in have
        ]
        self.result.kept += len(have)
        WardPolice.objects.bulk_create(
            WardPolice(
                area=area,
                name=rule["name"].format(place=f"phường {area.name}"),
                search_name=fold(rule["name"].format(place=f"phường {area.name}")),
            )
            for area in missing
        )
        if missing:
            self.result.created["ward police"] += len(missing)

    def _plan(self, row: dict) -> Plan:
        document = self.documents[row["document"]]
        plan = Plan.objects.filter(document=document).first()
        if plan is None:
            plan = Plan(
                document=document,
                committee=self.committees[row["committee"]],
                title=row["title"],
            )
            plan.full_clean()
            plan.save()
            plan.legal_basis.add(
                *(self.documents[k] for k in row.get("legal_basis", []))
            )
            self.result.created["plans"] += 1
            audit.record(
                action=AuditAction.PLAN_CREATED,
                by=SYSTEM,
                object_label=str(document),
                link=("planning:plan_detail", plan.pk),
            )
        else:
            self._kept(plan, {"title": (plan.title, row["title"])})
        phases = {}
        for start, end in row.get("phases", []):
            phase = Phase.objects.filter(plan=plan, start_year=start).first()
            if phase is None:
                phase = Phase(plan=plan, start_year=start, end_year=end)
                phase.full_clean()
                phase.save()
                self.result.created["phases"] += 1
            else:
                self._kept(phase, {"end_year": (phase.end_year, end)})
            phases[start] = phase
        for programme_row in row.get("programmes", []):
            self._programme(plan, phases, programme_row)
        return plan

    def _programme(self, plan: Plan, phases: dict, row: dict) -> Programme:
        programme = Programme.objects.filter(plan=plan, kind=row["kind"]).first()
        if programme is None:
            programme = Programme(plan=plan, kind=row["kind"], name=row["name"])
            programme.full_clean()
            programme.save()
            programme.legal_basis.add(
                *(self.documents[k] for k in row.get("legal_basis", []))
            )
            self.result.created["programmes"] += 1
        else:
            self._kept(programme, {"name": (programme.name, row["name"])})
        for target in row.get("targets", []):
            self._target(plan, programme, phases[target["phase"]], target)
        return programme

    def _target(
        self, plan: Plan, programme: Programme, phase: Phase, row: dict
    ) -> Target:
        key = {
            "programme": programme,
            "phase": phase,
            "kind": row["kind"],
            "year": row["year"],
            "unit_kind": row.get("unit_kind", ""),
            "grouping": row.get("grouping", TargetGrouping.PROVINCE),
        }
        share = row.get("share_percent")
        share = Decimal(str(share)) if share is not None else None
        found = Target.objects.filter(**key).first()
        self.where = f"target {programme.kind} {row['year']}"
        if found is not None:
            self._kept(
                found,
                {
                    "count": (found.count, row.get("count")),
                    "share": (found.share_percent, share),
                },
            )
            return found
        self.result.created["targets"] += 1
        return target_create(
            plan=plan,
            count=row.get("count"),
            share_percent=share,
            rounding=row.get("rounding", RoundingRule.UP),
            note=row.get("note", ""),
            by=SYSTEM,
            **key,
        )

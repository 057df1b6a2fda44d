"""The legal documents and the plan 10/KH-BCĐ-CAT as data (issue 3 and 4).

Sources: /work/shared/domain/research-notes.md §0, §2, §3. Running the seed
again changes nothing: every row is looked up by its natural key first, and an
existing row — possibly edited by provincial staff since — is kept as it is.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from campaign.committees.models import SteeringCommittee
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


@dataclass(frozen=True)
class SeedDocument:
    number_symbol: str
    doc_type: str
    issued_on: datetime.date | None
    issuer: str
    title: str


PLAN_TITLE = (
    "Xây dựng xã, phường, thị trấn, cơ quan, doanh nghiệp, cơ sở giáo dục điển hình "
    "về phong trào toàn dân bảo vệ an ninh Tổ quốc và Công an phường điển hình, "
    "kiểu mẫu về an ninh, trật tự và văn minh đô thị"
)
PLAN_DOCUMENT = SeedDocument(
    "10/KH-BCĐ-CAT",
    DocumentType.PLAN,
    datetime.date(2023, 2, 8),
    "Ban Chỉ đạo 138 tỉnh An Giang",
    PLAN_TITLE,
)
LETTER_727 = SeedDocument(
    "727-CV/TU",
    DocumentType.OFFICIAL_LETTER,
    datetime.date(2023, 3, 31),
    "Tỉnh ủy An Giang",
    # The letter's own summary (trích yếu) was not found: this one says what
    # it is cited for and asks for the original to be checked.
    "Về xây dựng điển hình phong trào toàn dân bảo vệ an ninh Tổ quốc và Công an "
    "phường điển hình, kiểu mẫu (trích yếu cần đối chiếu văn bản gốc)",
)
RESOLUTION_06 = SeedDocument(
    "06-NQ/TW",
    DocumentType.RESOLUTION,
    datetime.date(2022, 1, 24),
    "Bộ Chính trị",
    "Về quy hoạch, xây dựng, quản lý và phát triển bền vững đô thị Việt Nam đến năm "
    "2030, tầm nhìn đến năm 2045",
)
DECISION_9745 = SeedDocument(
    "9745/QĐ-BCA-V05",
    DocumentType.DECISION,
    datetime.date(2022, 12, 28),
    "Bộ Công an",
    "Bộ tiêu chí tạm thời xây dựng xã, phường, thị trấn điển hình về phong trào Toàn "
    "dân bảo vệ an ninh Tổ quốc",
)
# Its number and date are unknown: left empty, to be filled in by staff.
WARD_POLICE_SCHEME = SeedDocument(
    "",
    DocumentType.SCHEME,
    None,
    "Ủy ban nhân dân tỉnh An Giang",
    "Xây dựng Công an phường điển hình, kiểu mẫu về an ninh, trật tự và văn minh "
    "đô thị",
)

EXEMPLARY_UNITS_NAME = (
    "Xây dựng xã, phường, thị trấn, cơ quan, doanh nghiệp, cơ sở giáo dục điển hình "
    "về phong trào toàn dân bảo vệ an ninh Tổ quốc"
)
WARD_POLICE_NAME = (
    "Xây dựng Công an phường điển hình, kiểu mẫu về an ninh, trật tự và văn minh đô thị"
)
PHASES = ((2023, 2025), (2026, 2030))
# 2023: 16 exemplary units.
QUOTAS_2023 = (
    (UnitKind.COMMUNE, 6),
    (UnitKind.WARD, 2),
    (UnitKind.TOWNSHIP, 2),
    (UnitKind.AGENCY, 3),
    (UnitKind.ENTERPRISE, 1),
    (UnitKind.SCHOOL, 2),
)


def _document(seed: SeedDocument) -> LegalDocument:
    found = LegalDocument.objects.filter(number_symbol=seed.number_symbol).first()
    return found or _create_document(seed)


def _create_document(seed: SeedDocument) -> LegalDocument:
    return document_create(
        number_symbol=seed.number_symbol,
        doc_type=seed.doc_type,
        issued_on=seed.issued_on,
        issuer=seed.issuer,
        title=seed.title,
    )


def _scheme(plan: Plan | None) -> LegalDocument:
    """The Đề án has no number yet, so it is found as the scheme in the legal
    basis of the ward-police programme (its number and title may have been
    edited since), else by its issuer and title."""
    if plan is not None:
        found = LegalDocument.objects.filter(
            doc_type=DocumentType.SCHEME,
            programmes_based_on__plan=plan,
            programmes_based_on__kind=ProgrammeKind.MODEL_WARD_POLICE,
        ).first()
        if found:
            return found
    found = LegalDocument.objects.filter(
        doc_type=DocumentType.SCHEME,
        issuer=WARD_POLICE_SCHEME.issuer,
        title=WARD_POLICE_SCHEME.title,
    ).first()
    return found or _create_document(WARD_POLICE_SCHEME)


def _plan(*, document: LegalDocument, committee: SteeringCommittee) -> Plan:
    plan = Plan.objects.filter(document=document).first()
    if plan is None:
        plan = Plan(document=document, committee=committee, title=PLAN_TITLE)
        plan.full_clean()
        plan.save()
    return plan


def _programme(*, plan: Plan, kind: str, name: str) -> Programme:
    programme = Programme.objects.filter(plan=plan, kind=kind).first()
    if programme is None:
        programme = Programme(plan=plan, kind=kind, name=name)
        programme.full_clean()
        programme.save()
    return programme


def _phase(*, plan: Plan, start_year: int, end_year: int) -> Phase:
    phase = Phase.objects.filter(plan=plan, start_year=start_year).first()
    if phase is None:
        phase = Phase(plan=plan, start_year=start_year, end_year=end_year)
        phase.full_clean()
        phase.save()
    return phase


def _target(
    *,
    plan: Plan,
    programme: Programme,
    phase: Phase,
    kind: str,
    year: int,
    unit_kind: str = "",
    grouping: str = TargetGrouping.PROVINCE,
    **values,
) -> Target:
    found = Target.objects.filter(
        programme=programme,
        phase=phase,
        kind=kind,
        year=year,
        unit_kind=unit_kind,
        grouping=grouping,
    ).first()
    return found or target_create(
        plan=plan,
        programme=programme,
        phase=phase,
        kind=kind,
        year=year,
        unit_kind=unit_kind,
        grouping=grouping,
        **values,
    )


@transaction.atomic
def documents_and_plan_seed(*, committee: SteeringCommittee) -> Plan:
    """The five documents, the plan 10/KH-BCĐ-CAT issued by ``committee`` (the
    provincial steering committee), its two programmes, two phases and targets.
    """
    plan_document = _document(PLAN_DOCUMENT)
    letter = _document(LETTER_727)
    resolution = _document(RESOLUTION_06)
    decision = _document(DECISION_9745)
    existing_plan = Plan.objects.filter(document=plan_document).first()
    scheme = _scheme(existing_plan)

    plan = _plan(document=plan_document, committee=committee)
    plan.legal_basis.add(letter, resolution, decision, scheme)

    exemplary = _programme(
        plan=plan, kind=ProgrammeKind.EXEMPLARY_UNITS, name=EXEMPLARY_UNITS_NAME
    )
    exemplary.legal_basis.add(decision, letter)
    ward_police = _programme(
        plan=plan, kind=ProgrammeKind.MODEL_WARD_POLICE, name=WARD_POLICE_NAME
    )
    ward_police.legal_basis.add(scheme, resolution, letter)

    first, second = (
        _phase(plan=plan, start_year=start, end_year=end) for start, end in PHASES
    )

    for unit_kind, count in QUOTAS_2023:
        _target(
            plan=plan,
            programme=exemplary,
            phase=first,
            kind=TargetKind.QUOTA,
            year=2023,
            unit_kind=unit_kind,
            count=count,
        )
    _target(
        plan=plan,
        programme=ward_police,
        phase=first,
        kind=TargetKind.MIN_SHARE,
        year=2025,
        grouping=TargetGrouping.EACH_CITY_TOWN,
        share_percent=Decimal(30),
        rounding=RoundingRule.UP,
        note="Mỗi thành phố, thị xã có ít nhất 30% Công an phường đạt các tiêu chí",
    )
    for year in range(second.start_year, second.end_year + 1):
        _target(
            plan=plan,
            programme=ward_police,
            phase=second,
            kind=TargetKind.YEARLY_INCREMENT,
            year=year,
            count=1,
            note="Mỗi năm xây dựng mới từ 01 Công an phường đạt chuẩn trở lên",
        )
    _target(
        plan=plan,
        programme=ward_police,
        phase=second,
        kind=TargetKind.MIN_SHARE,
        year=2030,
        share_percent=Decimal(100),
        rounding=RoundingRule.UP,
        note="100% Công an phường đạt các tiêu chí vào năm 2030",
    )
    return plan

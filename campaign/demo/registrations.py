"""The 16 registrations of 2023 for the demo, in a mix of states that fills each
quota (6 xã, 2 phường, 2 thị trấn, 3 cơ quan, 1 doanh nghiệp, 2 cơ sở giáo dục).

Communes, wards and townships are real; the agencies, the enterprise and the
schools are fictional and say so ("giả định"). Every step goes through the
services, so each registration has its history, workflow log and notifications.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from pypdf import PdfWriter

from campaign.registrations.models import Registration
from campaign.registrations.selectors.registrations import (
    exemplary_programme,
    scope_day,
)
from campaign.registrations.services import registrations as services
from units.models import Area, Organisation
from units.selectors import valid_on_q
from units.text import fold

YEAR = 2023


@dataclass(frozen=True)
class DemoUnit:
    kind: str  # "area" or an organisation kind
    name: str
    parent: str  # the district-level unit (or, for organisations, the managing one)
    by: str  # the username registering it
    outcome: str  # draft, submitted, returned or approved
    contact: str
    phone: str


DEMO_UNITS = (
    DemoUnit(
        "area",
        "Mỹ Khánh",
        "Long Xuyên",
        "longxuyen",
        "approved",
        "Nguyễn Văn Tư",
        "0296 3851 201",
    ),
    DemoUnit(
        "area",
        "Mỹ Hoà Hưng",
        "Long Xuyên",
        "longxuyen",
        "submitted",
        "Trần Thị Bé",
        "0296 3851 202",
    ),
    DemoUnit(
        "area",
        "Vĩnh Tế",
        "Châu Đốc",
        "chaudoc",
        "approved",
        "Lê Văn Sáu",
        "0296 3861 301",
    ),
    DemoUnit(
        "area",
        "Vĩnh Châu",
        "Châu Đốc",
        "chaudoc",
        "returned",
        "Phạm Văn Bảy",
        "0296 3861 302",
    ),
    DemoUnit(
        "area",
        "Hòa Bình Thạnh",
        "Châu Thành",
        "canbo.tinh",
        "approved",
        "Huỳnh Văn Tám",
        "0296 3836 401",
    ),
    DemoUnit(
        "area",
        "Kiến An",
        "Chợ Mới",
        "canbo.tinh",
        "draft",
        "Võ Thị Chín",
        "0296 3883 402",
    ),
    DemoUnit(
        "area",
        "Mỹ Bình",
        "Long Xuyên",
        "longxuyen",
        "approved",
        "Đặng Văn Mười",
        "0296 3852 203",
    ),
    DemoUnit(
        "area",
        "Núi Sam",
        "Châu Đốc",
        "chaudoc",
        "submitted",
        "Bùi Thị Hoa",
        "0296 3862 303",
    ),
    DemoUnit(
        "area",
        "Phú Mỹ",
        "Phú Tân",
        "canbo.tinh",
        "approved",
        "Ngô Văn Hải",
        "0296 3826 403",
    ),
    DemoUnit(
        "area",
        "Óc Eo",
        "Thoại Sơn",
        "canbo.tinh",
        "submitted",
        "Dương Thị Lan",
        "0296 3879 404",
    ),
    DemoUnit(
        "agency",
        "Cơ quan giả định An Bình (Sở …)",
        "An Giang",
        "canbo.tinh",
        "approved",
        "Lý Văn Phúc",
        "0296 3957 501",
    ),
    DemoUnit(
        "agency",
        "Cơ quan giả định Hòa Thuận (Ban …)",
        "An Giang",
        "canbo.tinh",
        "approved",
        "Mai Thị Hạnh",
        "0296 3957 502",
    ),
    DemoUnit(
        "agency",
        "Cơ quan giả định Long Xuyên",
        "Long Xuyên",
        "longxuyen",
        "submitted",
        "Tạ Văn Lộc",
        "0296 3852 204",
    ),
    DemoUnit(
        "enterprise",
        "Công ty TNHH Giả định Phú Lợi",
        "Châu Đốc",
        "chaudoc",
        "approved",
        "Châu Văn Thành",
        "0912 345 678",
    ),
    DemoUnit(
        "school",
        "Trường THPT Giả định Thoại Ngọc Hầu",
        "Long Xuyên",
        "longxuyen",
        "approved",
        "Lâm Thị Ngọc",
        "0296 3853 205",
    ),
    DemoUnit(
        "school",
        "Trường THCS Giả định Núi Sam",
        "Châu Đốc",
        "chaudoc",
        "draft",
        "Quách Văn Đức",
        "0296 3862 304",
    ),
)

PLAN_TEXT = (
    "Xây dựng và nhân rộng mô hình tự phòng, tự quản, tự bảo vệ, tự hòa giải; "
    "duy trì tổ bảo vệ an ninh, trật tự ở cơ sở; tuyên truyền đến 100% hộ gia đình, "
    "cán bộ, người lao động; phấn đấu đạt các tiêu chí điển hình trong năm {year}."
)


def demo_document(name: str) -> SimpleUploadedFile:
    """A one-page PDF standing in for the signed registration (bản đăng ký)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": f"Bản đăng ký xây dựng điển hình — {name}"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(
        f"Bản đăng ký - {name}.pdf", buffer.getvalue(), content_type="application/pdf"
    )


def _district(name: str) -> Area:
    return Area.objects.get(
        valid_on_q(scope_day(YEAR)),
        name=name,
        kind__in=("province", "city", "town", "district"),
    )


@transaction.atomic
def registrations_seed() -> int:
    """Create the demo registrations that do not exist yet; returns how many."""
    users = {u.username: u for u in get_user_model().objects.all()}
    reviewer = users["canbo.tinh"]
    programme = exemplary_programme()
    phase = programme.plan.phases.get(start_year=2023)
    created = 0
    for unit in DEMO_UNITS:
        district = _district(unit.parent)
        area = organisation = None
        if unit.kind == "area":
            area = Area.objects.get(
                valid_on_q(scope_day(YEAR)), name=unit.name, parent=district
            )
        else:
            organisation, _ = Organisation.objects.get_or_create(
                name=unit.name,
                kind=unit.kind,
                area=district,
                defaults={"managed_by": district, "search_name": fold(unit.name)},
            )
        exists = Registration.objects.filter(
            programme=programme, year=YEAR, area=area, organisation=organisation
        ).exists()
        if exists:
            continue
        by = users[unit.by]
        registration = services.registration_create(
            area=area,
            organisation=organisation,
            programme=programme,
            phase=phase,
            year=YEAR,
            contact_name=unit.contact,
            contact_phone=unit.phone,
            plan_summary=PLAN_TEXT.format(year=YEAR),
            document=demo_document(area.full_name if area else unit.name),
            by=by,
        )
        created += 1
        if unit.outcome == "draft":
            continue
        registration = services.registration_submit(registration=registration, by=by)
        if unit.outcome == "returned":
            services.registration_return(
                registration=registration,
                reason="Bổ sung biên bản họp Ban Chỉ đạo cấp xã và chữ ký của Chủ tịch UBND.",
                by=reviewer,
            )
        elif unit.outcome == "approved":
            services.registration_approve(registration=registration, by=reviewer)
    return created

"""The demo registrations: the 16 of 2023, in a mix of states that fills each
quota (6 xã, 2 phường, 2 thị trấn, 3 cơ quan, 1 doanh nghiệp, 2 cơ sở giáo dục),
and registrations of the current year of the plan (read from the plan's phases
and today's date) in every state — draft, submitted, returned, approved and
withdrawn — by the commune-level committees of today and the province.

Communes, wards and special zones are real; the agencies, enterprises and
schools are fictional and say so ("giả định"). Every step goes through the
services, so each registration has its history, workflow log, notifications and
audit entries. Phường Long Xuyên is left unregistered for the current year, for
`phuong.longxuyen` to try.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from pypdf import PdfWriter

from campaign.planning.selectors.periods import (
    current_year_of_programme,
    exemplary_programme,
)
from campaign.registrations.choices import EmailStatus
from campaign.registrations.models import (
    Notification,
    Registration,
    RegistrationTransition,
)
from campaign.registrations.selectors.registrations import scope_day
from campaign.registrations.services import registrations as services
from units.choices import DISTRICT_LEVEL_KINDS
from units.models import Area, Organisation
from units.selectors import valid_on_q
from units.text import fold

YEAR_2023 = 2023


@dataclass(frozen=True)
class DemoUnit:
    kind: str  # "area" or an organisation kind
    name: str
    parent: str  # the district-level unit (or, for organisations, the managing one)
    by: str  # the username registering it
    outcome: str  # draft, submitted, returned, approved or withdrawn
    contact: str
    phone: str


DEMO_UNITS_2023 = (
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


# The current year: units of the new An Giang (no district level; "parent" is
# the area key of the unit, or of the managing committee's area for an
# organisation, located in "located_in").
@dataclass(frozen=True)
class CurrentUnit:
    kind: str
    name: str
    area: str
    by: str
    outcome: str
    contact: str
    phone: str
    located_in: str = ""


CURRENT_UNITS = (
    CurrentUnit(
        "area",
        "Mỹ Hòa Hưng",
        "ag91-30313",
        "xa.myhoahung",
        "submitted",
        "Lê Văn Lực",
        "0296 3851 311",
    ),
    CurrentUnit(
        "school",
        "Trường THCS Giả định Lê Lợi",
        "ag91-30307",
        "phuong.longxuyen",
        "returned",
        "Đỗ Thị Thu",
        "0296 3852 312",
        located_in="ag91-30307",
    ),
    CurrentUnit(
        "area",
        "Bình Đức",
        "ag91-30292",
        "canbo.tinh",
        "approved",
        "Phan Văn Nghĩa",
        "0296 3853 313",
    ),
    CurrentUnit(
        "area",
        "Châu Đốc",
        "ag91-30316",
        "canbo.tinh",
        "submitted",
        "Trương Thị Mai",
        "0296 3861 314",
    ),
    CurrentUnit(
        "area",
        "An Phú",
        "ag91-30337",
        "canbo.tinh",
        "draft",
        "Huỳnh Văn Lợi",
        "0296 3821 315",
    ),
    CurrentUnit(
        "area",
        "Mỹ Thới",
        "ag91-30301",
        "canbo.tinh",
        "withdrawn",
        "Ngô Thị Diễm",
        "0296 3854 316",
    ),
    CurrentUnit(
        "agency",
        "Cơ quan giả định Sở Tư pháp",
        "ag91",
        "canbo.tinh",
        "approved",
        "Lý Minh Quân",
        "0296 3957 317",
        located_in="ag91-30307",
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


RETURN_REASON = "Bổ sung biên bản họp Ban Chỉ đạo cấp xã và chữ ký của Chủ tịch UBND."


def _district(name: str) -> Area:
    return (
        Area.objects.get(
            valid_on_q(scope_day(YEAR_2023)), name=name, kind__in=DISTRICT_LEVEL_KINDS
        )
        if name != "An Giang"
        else Area.objects.get(key="ag89")
    )


def _organisation(name: str, kind: str, area: Area, managed_by: Area) -> Organisation:
    organisation, _ = Organisation.objects.get_or_create(
        name=name,
        kind=kind,
        area=area,
        defaults={"managed_by": managed_by, "search_name": fold(name)},
    )
    return organisation


def _register(
    *,
    programme,
    year: int,
    area: Area | None,
    organisation: Organisation | None,
    by,
    reviewer,
    outcome: str,
    contact: str,
    phone: str,
) -> bool:
    """Register one unit and take it to ``outcome``; false if it exists."""
    if Registration.objects.filter(
        programme=programme, year=year, area=area, organisation=organisation
    ).exists():
        return False
    registration = services.registration_create(
        area=area,
        organisation=organisation,
        programme=programme,
        year=year,
        contact_name=contact,
        contact_phone=phone,
        plan_summary=PLAN_TEXT.format(year=year),
        document=demo_document(area.full_name if area else organisation.name),
        by=by,
    )
    if outcome == "withdrawn":
        services.registration_withdraw(
            registration=registration, by=by, reason="Đơn vị xin rút để chuẩn bị thêm."
        )
    if outcome in ("draft", "withdrawn"):
        return True
    registration = services.registration_submit(registration=registration, by=by)
    if outcome == "returned":
        services.registration_return(
            registration=registration, reason=RETURN_REASON, by=reviewer
        )
    elif outcome == "approved":
        # The demo approves knowingly, beyond a quota or without a target.
        services.registration_approve(
            registration=registration, by=reviewer, confirm_quota=True
        )
    return True


def _at(month: int, day: int) -> datetime.datetime:
    return datetime.datetime(
        YEAR_2023, month, day, 9, 0, tzinfo=timezone.get_current_timezone()
    )


def _backdate_2023() -> None:
    """The 2023 registrations were made in the first quarter of 2023, as the
    plan asked (registered in February and March, decided in March); their
    workflow steps and history follow. Only what was made by this run is
    moved: a registration dated in 2023 already is left alone."""
    fresh = Registration.objects.filter(year=YEAR_2023, created_at__year__gt=2023)
    made, submitted, decided = _at(2, 20), _at(3, 6), _at(3, 20)
    for registration in fresh:
        RegistrationTransition.objects.filter(
            registration=registration, from_status=""
        ).update(at=made)
        RegistrationTransition.objects.filter(
            registration=registration, to_status="submitted"
        ).update(at=submitted)
        RegistrationTransition.objects.filter(registration=registration).exclude(
            to_status__in=("draft", "submitted")
        ).update(at=decided)
        registration.history.filter(history_type="+").update(history_date=made)
        registration.history.exclude(history_type="+").update(history_date=decided)
    fresh.filter(submitted_at__isnull=False).update(submitted_at=submitted)
    fresh.filter(decided_at__isnull=False).update(decided_at=decided)
    fresh.update(created_at=made, updated_at=decided)


@transaction.atomic
def registrations_seed(*, today: datetime.date | None = None) -> dict[int, int]:
    """Create the demo registrations that do not exist yet; returns how many
    were created per year. The notifications of this made-up history send no
    e-mail (the demo's own clicks do)."""
    latest = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
    created = _seed(today)
    Notification.objects.filter(
        pk__gt=latest or 0, email_status=EmailStatus.PENDING
    ).update(email_status=EmailStatus.NOT_NEEDED)
    return created


def _seed(today: datetime.date | None) -> dict[int, int]:
    users = {u.username: u for u in get_user_model().objects.all()}
    reviewer = users["canbo.tinh"]
    programme = exemplary_programme()
    created = {YEAR_2023: 0}
    for unit in DEMO_UNITS_2023:
        district = _district(unit.parent)
        area = organisation = None
        if unit.kind == "area":
            area = Area.objects.get(
                valid_on_q(scope_day(YEAR_2023)), name=unit.name, parent=district
            )
        else:
            organisation = _organisation(unit.name, unit.kind, district, district)
        created[YEAR_2023] += _register(
            programme=programme,
            year=YEAR_2023,
            area=area,
            organisation=organisation,
            by=users[unit.by],
            reviewer=reviewer,
            outcome=unit.outcome,
            contact=unit.contact,
            phone=unit.phone,
        )
    year = current_year_of_programme(programme, on=today)
    if year == YEAR_2023:
        return created
    _backdate_2023()
    created[year] = 0
    for unit in CURRENT_UNITS:
        area = organisation = None
        place = Area.objects.get(key=unit.located_in or unit.area)
        if not place.is_valid_on(scope_day(year)):
            continue  # a year of the plan before the units of today existed
        if unit.kind == "area":
            area = place
        else:
            organisation = _organisation(
                unit.name, unit.kind, place, Area.objects.get(key=unit.area)
            )
        created[year] += _register(
            programme=programme,
            year=year,
            area=area,
            organisation=organisation,
            by=users[unit.by],
            reviewer=reviewer,
            outcome=unit.outcome,
            contact=unit.contact,
            phone=unit.phone,
        )
    return created

"""The demo's assessments and what follows them.

* The approved 2023 exemplary units are assessed for 2023; those meeting all
  criteria are recognised.
* The 28 ward police of 2023–2025 are assessed year by year so that Long
  Xuyên, Châu Đốc and Tịnh Biên reach 30 % by 2025 and Tân Châu does not;
  a few Long Xuyên wards are left unassessed for 2025, for `longxuyen` to try.
* The ward police of the new An Giang are assessed for every year of the
  current phase up to today's (read from the plan and the clock): past years
  accepted, the current year in every state — phường Long Xuyên left
  unassessed for `phuong.longxuyen`.
* Commendations, the emulation pledge signed on 30/08/2023 with its year-end
  result, an interim review of 2023 and the final review of 2023–2025.

Everything goes through the services (history, transitions, audit trail,
notifications); past years' timestamps are then moved to plausible days of
their year, so that decisions follow their assessments. Safe to run again:
what exists is kept.
"""

from __future__ import annotations

import datetime
import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from pypdf import PdfWriter

from campaign.assessments.choices import (
    Classification,
    CommendationForm,
    RecipientKind,
    ReviewKind,
)
from campaign.assessments.models import (
    Assessment,
    AssessmentTransition,
    Commendation,
    EmulationPledge,
    Recognition,
    Review,
)
from campaign.assessments.services import assessments as services
from campaign.assessments.services import awards
from campaign.committees.models import SteeringCommittee
from campaign.planning.choices import ProgrammeKind
from campaign.planning.selectors.periods import (
    current_year_of_programme,
    programme_of_kind,
)
from campaign.registrations.choices import EmailStatus, RegistrationStatus
from campaign.registrations.models import Notification, Registration
from units.models import WardPolice

PROVINCE = "Ban Chỉ đạo 138 tỉnh An Giang"
MINISTER = "Bộ trưởng Bộ Công an"
NOTE = "Đã thực hiện; có biên bản và hình ảnh kèm theo."

# 2023–2025: (ward area key, year) → "all" (meets all criteria), "some" (one
# criterion not met) or "returned". Châu Đốc, Long Xuyên and Tịnh Biên reach
# 30 % by 2025 (2 of 5, 4 of 10, 3 of 7); Tân Châu stays at 1 of 5.
WARD_RESULTS_2023_2025: dict[int, dict[str, str]] = {
    2023: {
        "ag89-883-30280": "all",  # Mỹ Bình
        "ag89-883-30286": "all",  # Mỹ Xuyên
        "ag89-883-30285": "some",  # Đông Xuyên (merged on 01/01/2025)
        "ag89-884-30325": "all",  # Núi Sam
        "ag89-890-30520": "all",  # Tịnh Biên
        "ag89-887-30376": "some",  # Long Thạnh
    },
    2024: {
        "ag89-883-30280": "all",
        "ag89-883-30286": "all",
        "ag89-883-30307": "all",  # Mỹ Hòa
        "ag89-884-30325": "all",
        "ag89-884-30319": "all",  # Châu Phú A
        "ag89-890-30520": "all",
        "ag89-890-30505": "all",  # Chi Lăng
        "ag89-887-30376": "all",
        "ag89-887-30377": "some",  # Long Hưng
    },
    2025: {
        "ag89-883-30280": "all",
        "ag89-883-30286": "all",
        "ag89-883-30307": "all",
        "ag89-883-30292": "all",  # Bình Khánh
        "ag89-883-30283": "returned",  # Mỹ Long
        "ag89-884-30325": "all",
        "ag89-884-30319": "all",
        "ag89-890-30520": "all",
        "ag89-890-30505": "all",
        "ag89-890-30502": "all",  # Nhà Bàng
        "ag89-887-30376": "all",
        "ag89-887-30377": "some",
    },
}

# The new An Giang: past years of the phase, and the current year.
NEW_WARDS_PAST_YEAR = {
    "ag91-30292": "all",  # Bình Đức
    "ag91-30316": "all",  # Châu Đốc
    "ag91-30301": "all",  # Mỹ Thới
    "ag91-30520": "some",  # Tịnh Biên
}
NEW_WARDS_CURRENT_YEAR = {
    "ag91-30292": "all",
    "ag91-30316": "all",
    "ag91-30520": "some",
    "ag91-30742": "submitted",  # Rạch Giá
    "ag91-30769": "submitted",  # Hà Tiên
    "ag91-30376": "returned",  # Tân Châu
    "ag91-30505": "draft",  # Chi Lăng
    # ag91-30307 (phường Long Xuyên): left for phuong.longxuyen.
}
RETURN_REASON = (
    "Bổ sung minh chứng cho các tiêu chí về phong trào toàn dân bảo vệ an ninh Tổ quốc."
)


def _at(year: int, month: int, day: int) -> datetime.datetime:
    return datetime.datetime(
        year, month, day, 9, 30, tzinfo=timezone.get_current_timezone()
    )


def _evidence(title: str) -> SimpleUploadedFile:
    """A one-page PDF standing in for a minutes or a report (biên bản)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(
        f"{title}.pdf", buffer.getvalue(), content_type="application/pdf"
    )


def _take_to(
    assessment: Assessment, outcome: str, *, officer, reviewer, evidence: bool
) -> Assessment:
    """Answer (with evidence files on the first criteria), submit, verify and
    accept (or return) through the services."""
    answers = list(assessment.answers.select_related("criterion").order_by("pk"))
    services.assessment_answers_update(
        assessment=assessment,
        expected_version=assessment.version,
        answers={a.pk: services.AnswerInput(met=True, note=NOTE) for a in answers},
        by=officer,
    )
    for answer in answers[:2] if evidence else []:
        services.evidence_add(
            assessment=assessment,
            answer_id=answer.pk,
            file=_evidence(f"Biên bản tiêu chí {answer.criterion.code}"),
            by=officer,
        )
    if outcome == "draft":
        return assessment
    assessment = services.assessment_submit(assessment=assessment, by=officer)
    if outcome == "submitted":
        return assessment
    if outcome == "returned":
        return services.assessment_return(
            assessment=assessment, reason=RETURN_REASON, by=reviewer
        )
    # The province's findings: every criterion met, or the last one not.
    findings = {a.pk: True for a in answers}
    if outcome == "some":
        findings[answers[-1].pk] = False
    services.answers_verify(assessment=assessment, findings=findings, by=reviewer)
    return services.assessment_accept(assessment=assessment, by=reviewer)


def _backdate(assessment: Assessment, year: int, ends: datetime.date | None) -> None:
    """A past year's assessment: made in November, decided mid-December — or,
    for a unit that ended during the year (the wards of 30/06/2025), in the
    weeks before its last day."""
    made, submitted, decided = _at(year, 11, 10), _at(year, 11, 25), _at(year, 12, 10)
    if ends is not None and ends.year == year:
        made, submitted, decided = (
            datetime.datetime.combine(
                ends, datetime.time(9, 30), tzinfo=timezone.get_current_timezone()
            )
            - datetime.timedelta(days=days)
            for days in (50, 35, 20)
        )
    Assessment.objects.filter(pk=assessment.pk).update(
        created_at=made,
        submitted_at=submitted if assessment.submitted_at else None,
        decided_at=decided if assessment.decided_at else None,
    )
    AssessmentTransition.objects.filter(assessment=assessment).update(at=decided)
    assessment.refresh_from_db()


def _recognise(assessment: Assessment, number: int, authority: str, by) -> None:
    decided = timezone.localdate(assessment.decided_at) + datetime.timedelta(days=8)
    awards.recognition_record(
        assessment=assessment,
        decision_number=f"{number}/QĐ-BCĐ",
        decided_on=min(decided, timezone.localdate()),
        authority=authority,
        by=by,
    )


def _assess_ward(key: str, year: int, outcome: str, *, users, past: bool) -> bool:
    ward = WardPolice.objects.select_related("area").get(area__key=key)
    if Assessment.objects.filter(ward_police=ward, year=year).exists():
        return False
    reviewer = users["canbo.tinh"]
    # The unit's own officers when the demo has them, else provincial staff.
    officer = {
        "ag89-883": users["longxuyen"],
        "ag89-884": users["chaudoc"],
    }.get(ward.area.parent.key if ward.area.parent else "", reviewer)
    if key == "ag91-30307":
        officer = users["phuong.longxuyen"]
    assessment = services.assessment_create(year=year, ward_police=ward, by=officer)
    assessment = _take_to(
        assessment, outcome, officer=officer, reviewer=reviewer, evidence=not past
    )
    if past:
        _backdate(assessment, year, ward.area.valid_to)
    if outcome == "all":
        number = 300 + Assessment.objects.filter(year=year).count()
        _recognise(assessment, number, MINISTER, reviewer)
    return True


def _assess_registrations(users, *, past: bool) -> int:
    reviewer = users["canbo.tinh"]
    created = 0
    approved = Registration.objects.filter(
        year=2023, status=RegistrationStatus.APPROVED
    ).order_by("pk")
    for index, registration in enumerate(approved):
        if Assessment.objects.filter(registration=registration, year=2023).exists():
            continue
        assessment = services.assessment_create(
            year=2023, registration=registration, by=reviewer
        )
        # Two of the approved units fall short of one criterion.
        outcome = "some" if index in (2, 6) else "all"
        assessment = _take_to(
            assessment, outcome, officer=reviewer, reviewer=reviewer, evidence=False
        )
        if past:
            _backdate(assessment, 2023, None)
        if outcome == "all":
            _recognise(assessment, 150 + index, PROVINCE, reviewer)
        created += 1
    return created


def _commendations(users) -> int:
    if Commendation.objects.exists():
        return 0
    staff = users["canbo.tinh"]
    my_binh = WardPolice.objects.get(area__key="ag89-883-30280")
    nui_sam = WardPolice.objects.get(area__key="ag89-884-30325")
    my_khanh = Registration.objects.filter(
        year=2023, unit_name="Xã Mỹ Khánh", status=RegistrationStatus.APPROVED
    ).first()
    rows = [
        dict(
            form=CommendationForm.MERIT,
            authority="Chủ tịch UBND tỉnh An Giang",
            recipient_kind=RecipientKind.COLLECTIVE,
            recipient_name=my_binh.name,
            ward_police=my_binh,
            year=2023,
            decision_number="2890/QĐ-UBND",
            decided_on=datetime.date(2023, 12, 26),
            reason="Có thành tích xuất sắc trong xây dựng Công an phường điển hình, "
            "kiểu mẫu về an ninh, trật tự và văn minh đô thị năm 2023.",
        ),
        dict(
            form=CommendationForm.CERTIFICATE,
            authority="Giám đốc Công an tỉnh An Giang",
            recipient_kind=RecipientKind.COLLECTIVE,
            recipient_name=nui_sam.name,
            ward_police=nui_sam,
            year=2024,
            decision_number="1534/QĐ-CAT",
            decided_on=datetime.date(2024, 12, 20),
            reason="Hoàn thành xuất sắc tiêu chí Công an phường điển hình năm 2024.",
        ),
        dict(
            form=CommendationForm.PRAISE,
            authority=PROVINCE,
            recipient_kind=RecipientKind.COLLECTIVE,
            recipient_name=my_khanh.unit_name if my_khanh else "Xã Mỹ Khánh",
            registration=my_khanh,
            year=2023,
            decision_number="45/QĐ-BCĐ",
            decided_on=datetime.date(2024, 1, 12),
            reason="Điển hình tiên tiến trong phong trào toàn dân bảo vệ an ninh Tổ "
            "quốc năm 2023.",
        ),
        dict(
            form=CommendationForm.MEDAL,
            authority="Bộ trưởng Bộ Công an",
            recipient_kind=RecipientKind.INDIVIDUAL,
            recipient_name="Ông Nguyễn Văn Hùng, Tổ trưởng tổ bảo vệ an ninh, trật tự "
            "phường Mỹ Bình (giả định)",
            year=2024,
            decision_number="7712/QĐ-BCA",
            decided_on=datetime.date(2024, 8, 15),
            reason="Kỷ niệm chương “Bảo vệ an ninh Tổ quốc” vì nhiều năm đóng góp "
            "cho phong trào.",
        ),
        dict(
            form=CommendationForm.FLAG,
            authority="Bộ trưởng Bộ Công an",
            recipient_kind=RecipientKind.COLLECTIVE,
            recipient_name="Công an thành phố Châu Đốc",
            year=2025,
            decision_number="1021/QĐ-BCA",
            decided_on=datetime.date(2025, 6, 2),
            reason="Dẫn đầu phong trào thi đua “Vì an ninh Tổ quốc” giai đoạn "
            "2023–2025.",
        ),
    ]
    for row in rows:
        awards.commendation_record(by=staff, **row)
    return len(rows)


PLEDGE_ITEMS = [
    "Đăng ký và xây dựng ít nhất một đơn vị điển hình về phong trào toàn dân bảo vệ "
    "an ninh Tổ quốc trong năm 2023",
    "Xây dựng Công an phường điển hình, kiểu mẫu: mỗi thành phố, thị xã ít nhất 30% "
    "Công an phường đạt tiêu chí đến năm 2025",
    "Duy trì, nhân rộng mô hình tự phòng, tự quản, tự bảo vệ, tự hòa giải ở khu dân cư",
    "Sơ kết 6 tháng, tổng kết năm; biểu dương, khen thưởng kịp thời điển hình tiên tiến",
]


def _pledge(users) -> int:
    if EmulationPledge.objects.exists():
        return 0
    staff = users["canbo.tinh"]
    signed_on = datetime.date(2023, 8, 30)
    committees = list(
        SteeringCommittee.objects.filter(
            level__in=("province", "district"), valid_from__lte=signed_on
        )
        .exclude(valid_to__lte=signed_on)
        .filter(area__key__startswith="ag89")
    )
    pledge = awards.pledge_record(
        title="Giao ước thi đua xây dựng điển hình phong trào toàn dân bảo vệ an ninh "
        "Tổ quốc năm 2023",
        signed_on=signed_on,
        year=2023,
        committees=committees,
        items=PLEDGE_ITEMS,
        by=staff,
    )
    results = [
        "Đạt: 16 đơn vị đăng ký, 9 được duyệt, 7 được công nhận",
        "Đang thực hiện: 3 thành phố, thị xã đạt trên 30% trong năm đầu",
        "Đạt",
        "Đạt: sơ kết 6 tháng ngày 15/7/2023, tổng kết ngày 10/01/2024",
    ]
    awards.pledge_result_record(
        pledge=pledge,
        year_end_result="Các Ban Chỉ đạo ký giao ước đều hoàn thành nội dung giao ước; "
        "Ban Chỉ đạo thành phố Long Xuyên và thành phố Châu Đốc dẫn đầu.",
        item_results={
            item.pk: text
            for item, text in zip(
                pledge.items.order_by("position"), results, strict=True
            )
        },
        recorded_on=datetime.date(2023, 12, 28),
        by=staff,
    )
    return 1


def _reviews(users) -> int:
    if Review.objects.exists():
        return 0
    staff = users["canbo.tinh"]
    grades = {
        "all": Classification.EXCELLENT,
        "some": Classification.GOOD,
        "returned": Classification.AVERAGE,
    }
    interim = [
        awards.ClassificationInput(
            classification=grades[outcome],
            ward_police=WardPolice.objects.get(area__key=key),
        )
        for key, outcome in WARD_RESULTS_2023_2025[2023].items()
    ]
    interim += [
        awards.ClassificationInput(
            classification=Classification.EXCELLENT
            if registration.recognitions.exists()
            else Classification.GOOD,
            registration=registration,
        )
        for registration in Registration.objects.filter(
            year=2023, status=RegistrationStatus.APPROVED
        ).order_by("pk")[:5]
    ]
    awards.review_record(
        kind=ReviewKind.INTERIM,
        title="Sơ kết 01 năm thực hiện Kế hoạch 10/KH-BCĐ-CAT",
        held_on=datetime.date(2024, 1, 10),
        period_start=2023,
        period_end=2023,
        notes="Năm đầu triển khai: 16 đơn vị đăng ký, 9 được duyệt; Công an phường "
        "Mỹ Bình, Mỹ Xuyên, Núi Sam và Tịnh Biên đạt đủ tiêu chí.",
        classifications=interim,
        by=staff,
    )
    final = [
        awards.ClassificationInput(
            classification=grades[outcome]
            if outcome != "all"
            else Classification.EXCELLENT,
            ward_police=WardPolice.objects.get(area__key=key),
        )
        for key, outcome in WARD_RESULTS_2023_2025[2025].items()
    ]
    final.append(
        awards.ClassificationInput(
            classification=Classification.WEAK,
            ward_police=WardPolice.objects.get(area__key="ag89-887-30394"),
            note="Chưa đăng ký xây dựng trong giai đoạn.",
        )
    )
    awards.review_record(
        kind=ReviewKind.FINAL,
        title="Tổng kết giai đoạn 2023–2025 xây dựng Công an phường điển hình, kiểu mẫu",
        held_on=datetime.date(2025, 6, 25),
        period_start=2023,
        period_end=2025,
        notes="Thành phố Long Xuyên, Châu Đốc và thị xã Tịnh Biên đạt chỉ tiêu 30%; "
        "thị xã Tân Châu chưa đạt (1/5). Từ 01/7/2025 tiếp tục thực hiện trên 14 "
        "phường của tỉnh An Giang mới.",
        classifications=final,
        by=staff,
    )
    return 2


@transaction.atomic
def assessments_seed(*, today: datetime.date | None = None) -> dict[str, int]:
    """Create the demo assessments, recognitions, commendations, pledge and
    reviews that do not exist yet, as far as ``today`` (the real date by
    default) has come: no result of a year that has not begun, no decision
    dated after today. Returns how many of each were created. The
    notifications of this made-up history send no e-mail."""
    latest = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
    users = {u.username: u for u in get_user_model().objects.all()}
    today = today or timezone.localdate()
    programme = programme_of_kind(ProgrammeKind.MODEL_WARD_POLICE)
    current = min(current_year_of_programme(programme, on=today), today.year)
    created = {"assessments": 0, "commendations": 0, "pledges": 0, "reviews": 0}
    if current >= 2023:
        created["assessments"] += _assess_registrations(users, past=current > 2023)
    for year, results in WARD_RESULTS_2023_2025.items():
        if year > current:
            continue
        for key, outcome in results.items():
            created["assessments"] += _assess_ward(
                key, year, outcome, users=users, past=year < current
            )
    if current >= 2026:
        for year in range(2026, current):
            for key, outcome in NEW_WARDS_PAST_YEAR.items():
                created["assessments"] += _assess_ward(
                    key, year, outcome, users=users, past=True
                )
        for key, outcome in NEW_WARDS_CURRENT_YEAR.items():
            created["assessments"] += _assess_ward(
                key, current, outcome, users=users, past=False
            )
    # The records of past events, once their day has come.
    if today >= datetime.date(2025, 6, 2):
        created["commendations"] = _commendations(users)
    if today >= datetime.date(2023, 12, 28):
        created["pledges"] = _pledge(users)
    if today >= datetime.date(2025, 6, 25):
        created["reviews"] = _reviews(users)
    _record_on_decision_day(today)
    Notification.objects.filter(
        pk__gt=latest or 0, email_status=EmailStatus.PENDING
    ).update(email_status=EmailStatus.NOT_NEEDED)
    return created


def _recorded_at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(16, 0), tzinfo=timezone.get_current_timezone()
    )


def _record_on_decision_day(today: datetime.date) -> None:
    """The demo stands for a history recorded as it happened: each past
    decision, pledge and review is entered on its own day, not on the day the
    demo was seeded — otherwise a report "as of" a past day, which counts only
    what was recorded by then, would leave them out."""
    for model, day_field in (
        (Recognition, "decided_on"),
        (Commendation, "decided_on"),
        (EmulationPledge, "signed_on"),
        (Review, "held_on"),
    ):
        for pk, day in model.objects.filter(**{f"{day_field}__lt": today}).values_list(
            "pk", day_field
        ):
            model.objects.filter(pk=pk).update(created_at=_recorded_at(day))

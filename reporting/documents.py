"""What goes into each kind of report: its parameters and its template context.

Rendering to HTML happens here; turning HTML into PDF happens only in
``reporting.pdf``. Both the Celery task and ``manage.py render_report`` go
through ``reporting.services.report_build_pdf``, so they give the same document.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from reporting.choices import ReportKind
from reporting.templatetags.pdf_tags import place_date
from units.forms import EARLIEST_DATE, LATEST_DATE
from units.selectors import province_catalogue

ISSUING_BODY = (
    "BAN CHỈ ĐẠO PHÒNG, CHỐNG TỘI PHẠM, HIV/AIDS, TỆ NẠN XÃ HỘI VÀ XÂY DỰNG "
    "PHONG TRÀO TOÀN DÂN BẢO VỆ AN NINH TỔ QUỐC"
)


@dataclass(frozen=True)
class OfficialDocument:
    """The fixed parts of an administrative document (Decree 30/2020, Appendix I)."""

    subject: str
    issued_on: datetime.date
    doc_type: str = "BÁO CÁO"
    parent_body: str = "UBND TỈNH AN GIANG"
    issuing_body: str = ISSUING_BODY
    # The number is given by the clerk when the report is signed and registered.
    number_symbol: str = "\u2003\u2003\u2003/BC-BCĐ"
    signer_authority: str = "TM. BAN CHỈ ĐẠO"
    signer_title: str = "TRƯỞNG BAN"
    signer_name: str = ""
    recipients: list[str] = field(
        default_factory=lambda: [
            "Ban Chỉ đạo 138 tỉnh (để báo cáo);",
            "Công an tỉnh (PV05);",
            "Lưu: VT.",
        ]
    )

    @property
    def place_date(self) -> str:
        return place_date(settings.REPORT_ISSUER_PLACE, self.issued_on)


def clean_params(kind: str, raw: dict) -> dict:
    """Validate a report's parameters; returns the JSON-ready form stored on the job."""
    if kind not in ReportKind.values:
        raise ValidationError(_("Unknown report kind."), code="unknown_kind")
    as_of = raw.get("as_of")
    if isinstance(as_of, str):
        try:
            as_of = datetime.date.fromisoformat(as_of)
        except ValueError:
            raise ValidationError(
                _("Enter a valid date, for example 30/06/2023."), code="invalid_date"
            ) from None
    if not isinstance(as_of, datetime.date):
        raise ValidationError(_("Choose the date of the report."), code="missing_date")
    if not EARLIEST_DATE <= as_of <= LATEST_DATE:
        raise ValidationError(
            _("Choose a date between 01/01/1900 and 31/12/2100."), code="date_range"
        )
    return {"as_of": as_of.isoformat()}


def render_html(*, kind: str, params: dict, issued_on: datetime.date) -> str:
    """The report's final HTML, ready for WeasyPrint."""
    as_of = datetime.date.fromisoformat(params["as_of"])
    if kind == ReportKind.AREA_CATALOGUE:
        catalogue = province_catalogue(as_of=as_of)
        document = OfficialDocument(
            subject=(
                f"Danh mục đơn vị hành chính tỉnh An Giang tại ngày {as_of:%d/%m/%Y}"
            ),
            issued_on=issued_on,
        )
        return render_to_string(
            "reporting/pdf/area_catalogue.html",
            {"document": document, "catalogue": catalogue},
        )
    raise ValidationError(_("Unknown report kind."), code="unknown_kind")

"""What goes into each kind of report: its parameters and its template context.

Rendering to HTML happens here; turning HTML into PDF happens only in
``reporting.pdf``. Both the Celery task and ``manage.py render_report`` go
through ``reporting.services.report_build_pdf``, so they give the same document.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from campaign.committees.access import Actor
from reporting.kinds import get_kind
from reporting.templatetags.pdf_tags import place_date

ISSUING_BODY = (
    "BAN CHỈ ĐẠO PHÒNG, CHỐNG TỘI PHẠM, HIV/AIDS, TỆ NẠN XÃ HỘI VÀ XÂY DỰNG "
    "PHONG TRÀO TOÀN DÂN BẢO VỆ AN NINH TỔ QUỐC"
)


DEFAULT_RECIPIENTS = (
    "Ban Chỉ đạo 138 Bộ Công an (qua V05) (để báo cáo);",
    "Thường trực Tỉnh ủy, UBND tỉnh (để báo cáo);",
    "Các thành viên Ban Chỉ đạo 138 tỉnh;",
    "Công an tỉnh (PV05);",
    "Lưu: VT.",
)


def _recipient_name(text: str) -> str:
    """A recipient without its purpose and punctuation: "Ban Chỉ đạo 138 tỉnh
    (để báo cáo);" → "ban chỉ đạo 138 tỉnh"."""
    name = text.split("(", 1)[0]
    return " ".join(name.strip(" ;.,-").casefold().split())


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
    recipients: list[str] = field(default_factory=lambda: list(DEFAULT_RECIPIENTS))
    # How the issuer names itself in a list of recipients.
    issuer_short: str = "Ban Chỉ đạo 138 tỉnh"

    # Where it is issued ("An Giang" by default, a commune's name for a
    # commune committee's report).
    place: str = ""
    # The PDF's metadata (Document Information and XMP).
    author: str = "Ban Chỉ đạo 138 tỉnh An Giang"
    language: str = "vi"
    keywords: str = ""

    @property
    def place_date(self) -> str:
        place = self.place or settings.REPORT_ISSUER_PLACE
        if self.language == "en":
            return f"{place}, {self.issued_on.day} {self.issued_on:%B %Y}"
        return place_date(place, self.issued_on)

    @property
    def title(self) -> str:
        """The title for the metadata: the kind and the subject, no blanks."""
        return f"{self.doc_type.capitalize()} {self.subject}".strip()

    @property
    def delivered_to(self) -> list[str]:
        """ "Nơi nhận" without the issuer itself (it keeps its copy as "Lưu")."""
        own = {_recipient_name(self.issuing_body), _recipient_name(self.issuer_short)}
        return [
            r for r in self.recipients if r.strip() and _recipient_name(r) not in own
        ]


def render_job_html(job, user: Actor) -> str:
    """The final HTML of ``job``, its context read as ``user``, in the job's
    language. The worker, ``render_report`` and the benchmarks all call this."""
    spec = get_kind(job.kind)
    language = job.params.get("language") or "vi"
    with translation.override(language):
        context = spec.build_context(job, user)
        return render_to_string(spec.template, context)

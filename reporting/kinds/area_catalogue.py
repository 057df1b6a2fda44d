"""Danh mục đơn vị hành chính: the province's administrative units in force on
a date, grouped by district-level unit (or by the province after 01/07/2025).
The province is the configured one (``CAMPAIGN_PROVINCE_CODES``), never
whichever province comes first in the table."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from campaign.committees.access import Actor
from reporting.choices import ReportKind
from reporting.documents import OfficialDocument
from reporting.kinds import ReportKindSpec, register
from reporting.kinds.common import ReportParamsForm, common_params, issued_on
from units.forms import AsOfDateField, today
from units.selectors import configured_province_catalogue


class AreaCatalogueForm(ReportParamsForm):
    as_of = AsOfDateField(label=_("As of"), initial=today)


@register
class AreaCatalogue(ReportKindSpec):
    key = ReportKind.AREA_CATALOGUE
    label = ReportKind.AREA_CATALOGUE.label
    description = _("The province's communes, wards and special zones on a date.")
    template = "reporting/pdf/area_catalogue.html"
    form_class = AreaCatalogueForm

    def to_params(self, *, cleaned_data: dict, user: Actor) -> dict:
        return {
            "as_of": cleaned_data["as_of"].isoformat(),
            **common_params(cleaned_data),
        }

    def build_context(self, job, user: Actor) -> dict:
        as_of = self.as_of(job.params)
        catalogue = configured_province_catalogue(as_of=as_of)
        province = catalogue.province.name if catalogue.province else "An Giang"
        document = OfficialDocument(
            subject=(
                f"Danh mục đơn vị hành chính tỉnh {province} tại ngày {as_of:%d/%m/%Y}"
            ),
            issued_on=issued_on(job.params),
            keywords="danh mục đơn vị hành chính",
        )
        return {"document": document, "catalogue": catalogue}

    def title(self, params) -> str:
        return f"{self.label} {params.get('as_of', '')}".strip()


__all__ = ["AreaCatalogue", "forms"]

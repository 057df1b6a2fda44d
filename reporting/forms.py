from django import forms
from django.utils.translation import gettext_lazy as _

from reporting.choices import ReportKind
from units.forms import AsOfDateField, today


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Report"),
        choices=ReportKind.choices,
        initial=ReportKind.AREA_CATALOGUE,
    )
    as_of = AsOfDateField(label=_("As of"), initial=today)

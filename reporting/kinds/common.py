"""Parameters shared by the report kinds: the date the document is issued,
its language and whether it is the archival (PDF/A-3b) variant."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaign.forms import StrictFormMixin
from reporting.choices import ReportLanguage


class ReportParamsForm(StrictFormMixin, forms.Form):
    """The base of every kind's parameters form: ``user`` is the person asking
    (choices and checks are limited to their scope)."""

    language = forms.ChoiceField(
        label=_("Language of the document"),
        choices=ReportLanguage.choices,
        initial=ReportLanguage.VI,
        # Vietnamese unless asked otherwise (scripts may leave it out).
        required=False,
    )
    archival = forms.BooleanField(
        label=_("Archival PDF (PDF/A-3b)"),
        required=False,
        help_text=_("For the records office: fonts embedded, metadata complete."),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        # The shared options come last on the page.
        for name in ("language", "archival"):
            self.fields[name] = self.fields.pop(name)


def common_params(cleaned_data: dict) -> dict:
    return {
        "language": cleaned_data.get("language") or ReportLanguage.VI,
        "archival": bool(cleaned_data.get("archival")),
        # The document's date is a parameter, fixed when it is asked for: the
        # same parameters always give the same text, whenever it is rebuilt.
        "issued_on": timezone.localdate().isoformat(),
    }


def issued_on(params: dict) -> datetime.date:
    value = params.get("issued_on")
    return datetime.date.fromisoformat(value) if value else timezone.localdate()

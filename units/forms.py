from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from units.choices import AreaKind

EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
DATE_OUT_OF_RANGE = _("Choose a date between 01/01/1900 and 31/12/2100.")


class AsOfDateField(forms.DateField):
    """An "as of" date, 1900–2100, typed as dd/mm/yyyy or picked as yyyy-mm-dd."""

    widget = forms.DateInput(
        attrs={"type": "date", "min": "1900-01-01", "max": "2100-12-31"},
        format="%Y-%m-%d",
    )
    default_error_messages = {
        "invalid": _("Enter a valid date, for example 30/06/2023."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d/%m/%Y"])
        kwargs.setdefault(
            "validators",
            [
                MinValueValidator(EARLIEST_DATE, message=DATE_OUT_OF_RANGE),
                MaxValueValidator(LATEST_DATE, message=DATE_OUT_OF_RANGE),
            ],
        )
        super().__init__(**kwargs)


class LastDayField(AsOfDateField):
    """The end of a period, as people say it: the last day in force. Periods
    are stored with an exclusive end (the first day a thing no longer exists);
    this field shows the stored end as its last day and gives back the
    exclusive end, so every form and page speaks of the same day."""

    def prepare_value(self, value):
        if isinstance(value, datetime.date):
            return super().prepare_value(value - datetime.timedelta(days=1))
        return super().prepare_value(value)

    def to_python(self, value):
        day = super().to_python(value)
        if day is None:
            return None
        try:
            return day + datetime.timedelta(days=1)
        except OverflowError:
            # 31/12/9999: no day follows it; it is out of range anyway.
            raise ValidationError(
                self.error_messages["invalid"], code="invalid"
            ) from None

    def run_validators(self, value):
        # Validate the day as typed (the last day), not the stored end.
        super().run_validators(
            None if value is None else value - datetime.timedelta(days=1)
        )


def today() -> datetime.date:
    return timezone.localdate()


class AreaFilterForm(forms.Form):
    """Filters of the area list; every field is optional."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name or GSO code, e.g. my xuyen"),
            }
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds")), *AreaKind.choices],
    )
    as_of = AsOfDateField(label=_("As of"), required=False)

    def cleaned_as_of(self) -> datetime.date:
        return self.cleaned_data.get("as_of") or today()


class AsOfForm(forms.Form):
    as_of = AsOfDateField(label=_("As of"), required=False)

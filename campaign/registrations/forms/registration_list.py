"""The filters of the registration list and its exports (shape validation only)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from campaign.committees import kept
from campaign.committees.forms.localities import LocalityChoices
from campaign.planning.choices import UnitKind
from campaign.planning.selectors.periods import every_phase
from campaign.registrations.choices import RegistrationStatus
from units.html import html_attrs, html_format
from units.widgets import SearchableChoiceField

SELECTED = mark_safe(" selected")  # noqa: S308 - a constant  # nosec B308 B703


class QuickSelect(forms.Select):
    """A ``<select>`` written out in Python instead of through one template
    include per option (and Django's option dictionaries): the same HTML as
    Django's, whitespace between the tags aside, at a tenth of the cost. The
    list pages render several of them (tens of options) on every request;
    ``tests/registrations/test_quick_select.py`` compares the two."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        chosen = self.format_value(value)
        parts = [
            html_format(
                '<select name="{}"{}>',
                name,
                html_attrs(self.build_attrs(self.attrs, attrs)),
            )
        ]
        has_selected = False
        for option_value, option_label in self.choices:
            if isinstance(option_label, (list, tuple)):
                group, options = option_value, option_label
                parts.append(html_format('<optgroup label="{}">', group))
            else:
                group = None
                options = [("" if option_value is None else option_value, option_label)]
            for value_, label in options:
                # As Django's Select: only the first matching option is selected.
                selected = not has_selected and str(value_) in chosen
                has_selected |= selected
                parts.append(
                    html_format(
                        '<option value="{}"{}>{}</option>',
                        str(value_),
                        SELECTED if selected else "",
                        label,
                    )
                )
            if group is not None:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above  # nosec B308 B703


class RegistrationFilterForm(forms.Form):
    """Filters of the registration list; every field is optional, so an empty
    form means "all the registrations I may see".

    The phases are read once, when the form is built (one query), and the
    phase and year validated against them. The locality list grows with the
    data: a chosen locality is checked against the user's scope (one query),
    and rendering reads at most ``COMBOBOX_REMOTE_THRESHOLD`` + 1 committees.
    With ``stamp`` (``registration_list_stamp()``) the phases and the
    locality list's first entries are kept between requests under it.
    """

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Unit or contact person, e.g. my binh"),
            }
        ),
    )
    phase = forms.TypedChoiceField(
        label=_("Phase"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=QuickSelect,
    )
    year = forms.TypedChoiceField(
        label=_("Year"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=QuickSelect,
    )
    unit_kind = forms.ChoiceField(
        label=_("Unit kind"),
        required=False,
        choices=[("", _("All kinds")), *UnitKind.choices],
        widget=QuickSelect,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *RegistrationStatus.choices],
        widget=QuickSelect,
    )
    locality = SearchableChoiceField(
        label=_("Locality"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("The registering committee, with the committees under it."),
    )

    def __init__(
        self,
        *args,
        user: AbstractBaseUser | AnonymousUser,
        stamp: kept.Stamp | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        phases = every_phase(stamp=stamp)
        # Kept for the view: the current year is read from them, not again.
        self.phases = phases
        self.fields["phase"].choices = [
            ("", _("All phases")),
            *((p.pk, str(p)) for p in phases),
        ]
        years = sorted(
            {year for p in phases for year in range(p.start_year, p.end_year + 1)},
            reverse=True,
        )
        self.fields["year"].choices = [("", _("All years")), *((y, y) for y in years)]
        # Grouped by level, the province first; within a level current ones
        # first. With thousands of committees (a national database) only the
        # chosen one is written and the combobox searches the rest.
        self.fields["locality"].set_source(
            LocalityChoices(user=user, stamp=stamp),
            url=reverse("committees:committee_search"),
            empty_label=_("All localities"),
        )

    def filters(self) -> dict:
        """The cleaned filters as keyword arguments of ``registration_filter``
        (call only on a valid form)."""
        data = self.cleaned_data
        return {
            "q": data["q"],
            "phase": data["phase"],
            "year": data["year"],
            "unit_kind": data["unit_kind"],
            "status": data["status"],
            "locality": data["locality"],
        }

    @property
    def is_filtering(self) -> bool:
        return self.is_valid() and any(
            value not in ("", None) for value in self.filters().values()
        )

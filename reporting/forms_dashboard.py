"""The dashboard's filter: a phase of the plan and a locality inside the
user's scope, sent by GET. Shape validation only: the figures are read by
``reporting.phase_data`` as the user, which checks the scope again.

The locality list can hold every committee of the province (more than a
hundred): it is read as plain values and written by ``PlainSelect`` in
Python, not option by option through Django's widget templates — that alone
cost more than the rest of the page. Longer than
``settings.COMBOBOX_REMOTE_THRESHOLD`` (a national database), it is not
written at all: the page gets the chosen locality only and the combobox asks
``reporting:scope_search`` as the user types (units/widgets.py)."""

from __future__ import annotations

import datetime
from array import array
from dataclasses import dataclass
from html import escape

from django import forms
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from campaign.committees import access
from campaign.committees.access import Actor
from reporting.scope_choices import ReportScopeChoices, scope_rows_own_first
from reporting.selectors import PhaseChoice, phase_choices, report_scope_committees
from units.widgets import remote_threshold

UNKNOWN_PHASE = _("There is no phase %(value)s in the plan: choose one from the list.")
OUTSIDE_SCOPE = _(
    "That locality is not in your scope: choose one from the list. You can see "
    "the figures of your own committee and of those under it only."
)


@dataclass(frozen=True)
class DashboardChoice:
    """What the dashboard shows: a phase, a committee (``None``: the whole
    province) and the day the figures are counted on — today, or the last
    day of a phase that has ended."""

    phase: PhaseChoice
    committee_id: int | None
    as_of: datetime.date

    @property
    def query(self) -> dict[str, str | int]:
        """The choice as GET parameters (for the links that keep it)."""
        query: dict[str, str | int] = {"phase": self.phase.key}
        if self.committee_id is not None:
            query["scope"] = self.committee_id
        return query


def current_phase(
    phases: list[PhaseChoice], today: datetime.date
) -> PhaseChoice | None:
    """The phase of today, or the last one (none before the plan: the first)."""
    if not phases:
        return None
    running = next(
        (p for p in phases if p.start_year <= today.year <= p.end_year), None
    )
    if running is not None:
        return running
    if today.year < phases[0].start_year:
        return phases[0]
    return phases[-1]


@dataclass(frozen=True)
class Localities:
    """The committees a user may look at, in the active language: the list's
    options already written (escaped), their ids, and the user's own
    committee (the default of a local officer). Kept between requests: an
    array and a string are read back from the cache far faster than a
    thousand-entry set or dict.

    ``remote``: more localities than the threshold — ``options`` and ``ids``
    are then empty (the list is searched, a chosen one checked by a query)
    and ``own_label`` names the default of a local officer."""

    options: str
    ids: array
    own: int | None
    remote: bool = False
    own_label: str = ""


def _day(day: datetime.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def localities_for(*, user: Actor) -> Localities:
    """``report_scope_committees`` as plain values (one query; at most the
    threshold + 1 rows, the user's own committees among them). Each is named
    with its period, as ``reporting.scope_choices.period_label`` does: the
    provincial committee before and after 01/07/2025 share a name."""
    threshold = remote_threshold()
    own_ids = access.access_for(user).committee_ids
    rows = scope_rows_own_first(
        committees=report_scope_committees(user=user),
        own_ids=own_ids,
        limit=threshold + 1,
    )
    own_row = _own_row([r for r in rows if r[0] in own_ids])
    if len(rows) > threshold:
        # Too many to write into the page: only the default is named.
        return Localities(
            options="",
            ids=array("q"),
            own=own_row[0] if own_row else None,
            remote=True,
            own_label=ReportScopeChoices.label(own_row) if own_row else "",
        )
    since = gettext("%(name)s (since %(start)s)")
    between = gettext("%(name)s (%(start)s–%(end)s)")
    options = "".join(
        [
            f'<option value="{pk}">'
            + escape(
                (between if end else since)
                % {"name": name, "start": _day(start), "end": _day(end) if end else ""},
                quote=False,
            )
            + "</option>"
            for pk, name, start, end in rows
        ]
    )
    return Localities(
        options=options,
        ids=array("q", (r[0] for r in rows)),
        own=own_row[0] if own_row else None,
    )


def _own_row(mine: list[tuple]) -> tuple | None:
    """A local officer's default: their committee in force (the latest one
    when they have several)."""
    in_force = [r for r in mine if r[3] is None] or mine
    return max(in_force, key=lambda r: (r[2], r[0])) if in_force else None


class PlainSelect(forms.Select):
    """A ``<select>`` of a few plain choices, written in Python."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = "" if value is None else str(value)
        options = "".join(
            [
                f'<option value="{escape(str(key))}"'
                f"{' selected' if str(key) == chosen else ''}>"
                f"{escape(str(label), quote=False)}</option>"
                for key, label in self.choices
            ]
        )
        return _select(self.build_attrs(self.attrs, attrs), name, options)


# The longest committee id (a bigint) has 19 digits.
ID_MAX_DIGITS = 19


class LocalitySelect(forms.Select):
    """The list of localities: its options are written once per scope and
    language (``Localities.options``, kept between requests); the chosen one
    is marked here. A combobox to type into where JavaScript runs. A long
    list (``Localities.remote``) writes the chosen option only (its label
    from ``label_of``) and the search endpoint's address."""

    localities: Localities | None = None
    empty_label: str = ""
    label_of = None  # set by the form: committee id -> label or None
    search_url: str = ""

    def render(self, name, value, attrs=None, renderer=None):
        options = self.localities.options if self.localities else ""
        attrs = dict(attrs or {})
        # Only an id can be chosen: anything else (a sent value of 100,000
        # digits, which int() refuses) chooses nothing.
        chosen = str(value)
        is_id = chosen.isdigit() and len(chosen) <= ID_MAX_DIGITS
        if self.localities is not None and self.localities.remote:
            attrs["data-combobox-url"] = self.search_url
            label = (
                self.label_of(int(chosen))
                if self.label_of is not None and is_id
                else None
            )
            if label is not None:
                options = (
                    f'<option value="{int(chosen)}" selected>'
                    f"{escape(label, quote=False)}</option>"
                )
        elif is_id:
            mark = f'<option value="{int(chosen)}">'
            options = options.replace(mark, mark[:-1] + " selected>", 1)
        if self.empty_label:
            options = (
                f'<option value="">{escape(self.empty_label, quote=False)}</option>'
                + options
            )
        return _select(self.build_attrs(self.attrs, attrs), name, options)


def _select(attrs: dict, name: str, options: str) -> str:
    attrs["name"] = name
    # The options are escaped where they are written; flatatt escapes the
    # attributes.
    return mark_safe(f"<select{flatatt(attrs)}>{options}</select>")  # noqa: S308 - escaped where written  # nosec B308 B703


class DashboardFilterForm(forms.Form):
    """``?phase=2026-2030&scope=<committee id>``; both may be left out: today's
    phase, and the whole province for the province's people or the user's
    own committee for anyone else."""

    phase = forms.ChoiceField(
        label=_("Phase"),
        required=False,
        widget=PlainSelect,
        error_messages={"invalid_choice": UNKNOWN_PHASE},
    )
    scope = forms.IntegerField(
        label=_("Locality"),
        required=False,
        widget=LocalitySelect(attrs={"data-combobox": ""}),
        error_messages={"invalid": OUTSIDE_SCOPE},
    )

    def __init__(
        self,
        *args,
        user: Actor,
        today: datetime.date,
        localities: Localities | None = None,
        phases: list[PhaseChoice] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.user = user
        self.today = today
        self.phases = phase_choices() if phases is None else phases
        self.default_phase = current_phase(self.phases, today)
        self.fields["phase"].choices = [(p.key, p.label) for p in self.phases]
        if self.default_phase is not None:
            self.fields["phase"].initial = self.default_phase.key
        self.whole_province = access.access_for(user).whole_province
        self.localities = localities or localities_for(user=user)
        widget = self.fields["scope"].widget
        widget.localities = self.localities
        # A long list: a chosen locality is checked (and named) by one query
        # against the same scope the search endpoint reads.
        self.source = ReportScopeChoices(user=user)
        self._labels: dict[int, str | None] = {}
        if self.localities.own is not None and self.localities.own_label:
            self._labels[self.localities.own] = self.localities.own_label
        widget.label_of = self.label_of
        widget.search_url = reverse("reporting:scope_search")
        if self.whole_province:
            widget.empty_label = gettext("The whole province")
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def clean_scope(self) -> int | None:
        value = self.cleaned_data.get("scope")
        if value is not None and not self.in_scope(value):
            raise forms.ValidationError(OUTSIDE_SCOPE, code="outside_scope")
        return value

    def label_of(self, committee_id: int) -> str | None:
        """The label of a committee of a long list, ``None`` outside the
        user's scope (one query per committee asked, once)."""
        if committee_id not in self._labels:
            found = self.source.options_for([str(committee_id)])
            self._labels[committee_id] = found[0][1] if found else None
        return self._labels[committee_id]

    def in_scope(self, committee_id: int) -> bool:
        if not self.localities.remote:
            return committee_id in self.localities.ids
        return self.label_of(committee_id) is not None

    def clean(self):
        cleaned = super().clean()
        # Mark what was refused, for assistive technology too.
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {
                        "class": "form-select is-invalid",
                        "aria-invalid": "true",
                        "aria-describedby": f"id_{name}_error",
                    }
                )
        return cleaned

    def chosen(self) -> DashboardChoice | None:
        """The phase, committee and day to show, from a valid form (the form
        then shows them selected, defaults included); ``None`` when the plan
        has no phase or the user no committee."""
        phase_key = self.cleaned_data.get("phase") or ""
        phase = next((p for p in self.phases if p.key == phase_key), None)
        phase = phase or self.default_phase
        if phase is None:
            return None
        committee_id = self.cleaned_data.get("scope")
        if committee_id is None and not self.whole_province:
            committee_id = self.localities.own
            if committee_id is None:
                return None
        self.data = self.data.copy()
        self.data["phase"] = phase.key
        if committee_id is not None:
            self.data["scope"] = str(committee_id)
        as_of = min(self.today, datetime.date(phase.end_year, 12, 31))
        return DashboardChoice(phase=phase, committee_id=committee_id, as_of=as_of)

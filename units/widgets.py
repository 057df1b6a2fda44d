"""Choice fields whose list grows with the data: localities, units, organisations.

A short list is written into the page as before (a ``<select data-combobox>``
that static/js/combobox.js makes searchable, and that works without
JavaScript). A list longer than ``settings.COMBOBOX_REMOTE_THRESHOLD`` is not:
the ``<select>`` holds only the empty and the chosen option, and carries
``data-combobox-url``, a scoped search endpoint the combobox asks as the user
types. With 34 provinces the registration list's locality filter alone was
3,368 options — 195 KB of a 267 KB page.

The list itself comes from a ``ChoiceSource``, written by the room that owns
the scope (committees, registrations, …): the form and the search endpoint
share it, so the endpoint can never offer what the form would refuse. Rendering
and cleaning run a constant number of queries whatever the size of the list:
the threshold decision reads at most threshold + 1 rows, and a submitted value
is checked with one query against the scoped list, never by walking it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from units.html import html_format

# (value, label, group): one entry of a choice list; group "" is ungrouped.
Option = tuple[str, str, str]

# What a search endpoint returns at most: enough to find a name by typing a
# few more letters, little enough to send at every keystroke.
SEARCH_LIMIT = 20
# Longer queries are cut: no name is longer, and a folded LIKE stays cheap.
QUERY_MAX_LENGTH = 100


def prefixed_ids(values: Iterable[str], kind: str) -> list[int]:
    """The ids of the ``"kind:id"`` values of one kind (a combobox that lists
    two kinds of record, such as areas and organisations); anything else, or
    an id too long to be one, is left out."""
    ids = []
    for value in values:
        prefix, _sep, pk = str(value).partition(":")
        if prefix == kind and pk.isdigit() and len(pk) < 12:
            ids.append(int(pk))
    return ids


def first_in_order(queryset: QuerySet, limit: int) -> QuerySet:
    """At most ``limit`` rows of ``queryset``, in its order, without sorting
    every row it matches: any ``limit`` of them are picked unordered (a LIMIT
    that stops early), then those are sorted. When the list has more than
    ``limit`` rows it is searched remotely and which ones were picked does
    not matter; when it has fewer, they are all there, in order. Sorting the
    3,550 committees of 34 provinces only to keep 201 cost about 10 ms.
    """
    picked = queryset.order_by().values("pk")[:limit]
    return queryset.filter(pk__in=picked)


class ChoiceSource(Protocol):
    """A scoped choice list, read three ways (each one query, or one per table)."""

    def options(self, *, limit: int) -> list[Option]:
        """The first ``limit`` entries, in display order (grouped entries
        consecutive)."""

    def options_for(self, values: Iterable[str]) -> list[Option]:
        """The entries among ``values`` that the list holds (the rest do not
        exist or are outside the user's scope)."""

    def search(self, query: str, *, limit: int) -> list[Option]:
        """At most ``limit`` entries matching ``query``, accents ignored, best
        first."""


def remote_threshold() -> int:
    return settings.COMBOBOX_REMOTE_THRESHOLD


def search_results(source: ChoiceSource, query: str) -> list[dict[str, str]]:
    """The JSON body of a search endpoint: ``[{value, label, group}]``; no
    query, no results (the combobox asks from the first character)."""
    query = " ".join(query.split())[:QUERY_MAX_LENGTH]
    if not query:
        return []
    return [
        {"value": value, "label": label, "group": group}
        for value, label, group in source.search(query, limit=SEARCH_LIMIT)
    ]


class SearchableChoices:
    """One field's list for one form: decides once whether it is long, and
    remembers the labels of the values it has looked up (so that a value
    checked while cleaning is not read again to be rendered)."""

    def __init__(
        self,
        source: ChoiceSource,
        *,
        url: str,
        empty_label: str = "---------",
        threshold: int | None = None,
    ) -> None:
        self.source = source
        self.url = url
        self.empty_label = empty_label
        self.threshold = remote_threshold() if threshold is None else threshold
        self._options: list[Option] | None = None
        self._known: dict[str, Option | None] = {}

    def _load(self) -> list[Option]:
        if self._options is None:
            self._options = self.source.options(limit=self.threshold + 1)
            for option in self._options:
                self._known.setdefault(option[0], option)
        return self._options

    @property
    def remote(self) -> bool:
        """More entries than the threshold: the page gets only the chosen one."""
        return len(self._load()) > self.threshold

    def lookup(self, values: Iterable[str]) -> dict[str, Option]:
        """The entries of ``values`` the list holds (one query for those not
        seen yet, none when the whole list is already read)."""
        wanted = [str(v) for v in values if str(v) != ""]
        missing = [v for v in wanted if v not in self._known]
        if missing and self._options is not None and not self.remote:
            # The whole list is read: what it lacks is not in it.
            self._known.update({v: None for v in missing})
            missing = []
        if missing:
            found = {o[0]: o for o in self.source.options_for(missing)}
            self._known.update({v: found.get(v) for v in missing})
        return {v: o for v in wanted if (o := self._known.get(v)) is not None}

    def displayed(self, values: Iterable[str]) -> list[Option]:
        """What the ``<select>`` holds: everything when short, else the
        chosen entries only."""
        if not self.remote:
            return self._load()
        return list(self.lookup(values).values())


class SearchableSelect(forms.Select):
    """The ``<select data-combobox>`` of a searchable field, written in Python
    (one string, not a template per option). ``choices`` is set by the
    field."""

    searchable: SearchableChoices | None = None

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"data-combobox": "", **(attrs or {})})

    def __deepcopy__(self, memo: dict) -> SearchableSelect:
        copy = super().__deepcopy__(memo)
        copy.searchable = self.searchable  # shared with the field, never copied
        return copy

    def format_value(self, value: Any) -> list[str]:
        if value is None or value == "":
            return []
        if isinstance(value, (list, tuple)):
            return [str(v) for v in value if v not in (None, "")]
        return [str(value)]

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        chosen = set(self.format_value(value))
        final = self.build_attrs(self.attrs, attrs)
        searchable = self.searchable
        options: list[Option] = []
        if searchable is not None:
            options = searchable.displayed(chosen)
            if searchable.remote:
                final["data-combobox-url"] = searchable.url
        parts = [html_format('<select name="{}"{}>', name, flatatt(final))]
        empty = searchable.empty_label if searchable is not None else "---------"
        if empty is not None:
            parts.append(html_format('<option value="">{}</option>', empty))
        group = ""
        for value_, label, option_group in options:
            if option_group != group:
                if group:
                    parts.append("</optgroup>")
                if option_group:
                    parts.append(html_format('<optgroup label="{}">', option_group))
                group = option_group
            parts.append(
                html_format(
                    '<option value="{}"{}>{}</option>',
                    value_,
                    mark_safe(" selected") if value_ in chosen else "",  # noqa: S308  # nosec B308 B703
                    label,
                )
            )
        if group:
            parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above  # nosec B308 B703


class SearchableChoiceField(forms.Field):
    """A choice among a ``ChoiceSource``'s entries. The list is given with
    ``set_source`` when the form is built (it depends on the user); a
    submitted value is checked against the scoped list in one query and
    coerced (``coerce``: e.g. ``int`` for a committee id)."""

    widget = SearchableSelect
    default_error_messages = {
        # Django's own message (ModelChoiceField's), translated by Django.
        "invalid_choice": _(
            "Select a valid choice. That choice is not one of the available choices."
        ),
    }

    def __init__(
        self,
        *,
        coerce: Callable[[str], Any] = str,
        empty_value: Any = "",
        **kwargs: Any,
    ) -> None:
        self.coerce = coerce
        self.empty_value = empty_value
        self.searchable: SearchableChoices | None = None
        # Why a value is refused, in words, when the form can say more than
        # "not in the list" (e.g. the unit did not exist that year).
        self.explain: Callable[[str], str] | None = None
        super().__init__(**kwargs)

    def __deepcopy__(self, memo: dict) -> SearchableChoiceField:
        copy = super().__deepcopy__(memo)
        copy.searchable = None  # each form sets its own list
        copy.widget.searchable = None
        copy.explain = None
        return copy

    def set_source(
        self,
        source: ChoiceSource,
        *,
        url: str,
        empty_label: str | None = "---------",
        threshold: int | None = None,
    ) -> SearchableChoices:
        self.searchable = SearchableChoices(
            source, url=url, empty_label=empty_label, threshold=threshold
        )
        self.widget.searchable = self.searchable
        return self.searchable

    def to_python(self, value: Any) -> str:
        return "" if value in self.empty_values else str(value).strip()

    def validate(self, value: str) -> None:
        super().validate(value)
        if value and (
            self.searchable is None or value not in self.searchable.lookup([value])
        ):
            reason = self.explain(value) if self.explain is not None else ""
            raise ValidationError(
                reason or self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if value == "":
            return self.empty_value
        try:
            return self.coerce(value)
        except (TypeError, ValueError):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            ) from None

    @property
    def choices(self) -> list[tuple[Any, Any]]:
        """Django's grouped ``choices`` of what the page lists: every entry
        when the list is short, none when it is searched remotely."""
        if self.searchable is None:
            return []
        grouped: list[tuple[Any, Any]] = []
        if self.searchable.empty_label is not None:
            grouped.append(("", self.searchable.empty_label))
        for raw, label, group in self.searchable.displayed([]):
            value = self.coerce(raw)  # as the cleaned value is (e.g. an id)
            if not group:
                grouped.append((value, label))
            elif (
                grouped and grouped[-1][0] == group and isinstance(grouped[-1][1], list)
            ):
                grouped[-1][1].append((value, label))
            else:
                grouped.append((group, [(value, label)]))
        return grouped

    def label_of(self, value: Any) -> str:
        """The label of a chosen value ("" when it is not in the list)."""
        if self.searchable is None or value in (None, ""):
            return ""
        option = self.searchable.lookup([str(value)]).get(str(value))
        return option[1] if option else ""

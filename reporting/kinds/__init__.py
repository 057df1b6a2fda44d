"""The report kinds: a registry, one module per kind.

Each kind says which capability requesting it needs, which form takes its
parameters (bound with the requesting user, so choices and checks stay inside
that user's scope), how those parameters become the job's stored ``params``
(JSON, canonical: two identical requests give identical params), how the
template context is built from a job *as the user who asked it*, and which
template renders it. The service, the worker, ``manage.py render_report`` and
the report centre all go through here; nothing else knows a kind by name.
"""

from __future__ import annotations

import abc
import datetime
from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from campaign.committees.access import Actor, Capability

UNKNOWN_KIND = _("There is no such kind of report.")


class ReportKindSpec(abc.ABC):
    """What one kind of report is. Subclasses set the class attributes and
    implement ``to_params`` and ``build_context``."""

    key: ClassVar[str]
    label: ClassVar[Any]
    description: ClassVar[Any] = ""
    capability: ClassVar[str] = Capability.REQUEST_REPORTS
    template: ClassVar[str]
    form_class: ClassVar[type[forms.Form]]

    def form(
        self,
        *,
        user: Actor,
        data: Mapping | None = None,
        prefix: str | None = None,
        initial: Mapping | None = None,
    ) -> forms.Form:
        """The parameters form, bound to ``data`` when given; an unbound one
        may start from ``initial`` values (a link from the dashboard names the
        phase and locality it showed)."""
        form = self.form_class(data=data, user=user, prefix=prefix)
        if data is None and initial:
            form.initial.update(
                {name: value for name, value in initial.items() if name in form.fields}
            )
        return form

    @abc.abstractmethod
    def to_params(self, *, cleaned_data: dict, user: Actor) -> dict:
        """The job's stored parameters from a valid form (JSON values only)."""

    def clean(self, *, data: Mapping, user: Actor) -> dict:
        """Validate raw parameters as ``user`` and return the stored form;
        ``ValidationError`` with the form's messages otherwise."""
        form = self.form(user=user, data=data)
        if not form.is_valid():
            raise ValidationError(
                {
                    field: [ValidationError(m) for m in messages]
                    for field, messages in form.errors.items()
                }
            )
        return self.to_params(cleaned_data=form.cleaned_data, user=user)

    @abc.abstractmethod
    def build_context(self, job, user: Actor) -> dict:
        """The template context of ``job``, every read done as ``user``."""

    def title(self, params: Mapping) -> str:
        """The document's title (PDF metadata and file lists)."""
        return str(self.label)

    def as_of(self, params: Mapping) -> datetime.date | None:
        value = params.get("as_of")
        return datetime.date.fromisoformat(value) if value else None


_REGISTRY: dict[str, ReportKindSpec] = {}


def register(spec_class: type[ReportKindSpec]) -> type[ReportKindSpec]:
    _REGISTRY[spec_class.key] = spec_class()
    return spec_class


def get_kind(key: str) -> ReportKindSpec:
    """The kind called ``key``; ``ValidationError`` for an unknown one."""
    _load()
    try:
        return _REGISTRY[key]
    except (KeyError, TypeError):
        raise ValidationError(UNKNOWN_KIND, code="unknown_kind") from None


def all_kinds() -> list[ReportKindSpec]:
    """Every kind, in the order of ``ReportKind`` (the phase report first)."""
    from reporting.choices import ReportKind

    _load()
    order = list(ReportKind.values)
    return sorted(
        _REGISTRY.values(),
        key=lambda spec: order.index(spec.key) if spec.key in order else len(order),
    )


def _load() -> None:
    # The kind modules register themselves on import.
    from reporting.kinds import area_catalogue, phase_progress  # noqa: F401

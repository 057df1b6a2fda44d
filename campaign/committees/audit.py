"""The audit trail: ``record`` writes one entry, ``snapshot`` and ``changes``
describe what changed on a record. Services call them in the transaction of
the change they make, so an entry exists exactly when the change does.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from campaign.committees.access import SYSTEM, Actor
from campaign.committees.models import AuditEntry
from units.text import fold

# Marked for translation: stored untranslated, translated when shown.
YES = _("Yes")
NO = _("No")


def _msgid(text) -> str:
    """The untranslated form of a (lazy) translatable text: what ``gettext``
    takes when the entry is shown, in whatever language is active then."""
    with translation.override(None):
        return str(text)


def _value(instance: models.Model, field: models.Field) -> tuple[str, bool]:
    """(the field's value as shown, whether it is a translatable label)."""
    value = getattr(instance, field.attname)
    if value is None or value == "":
        return "", False
    if field.choices:
        # The label itself (lazy), not get_FOO_display(), which would already
        # be translated into the language of the request.
        label = dict(field.flatchoices).get(value, value)
        return _msgid(label), True
    if isinstance(field, models.ForeignKey):
        return str(getattr(instance, field.name)), False
    if isinstance(field, models.BooleanField):
        return _msgid(YES if value else NO), True
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}", False
    if isinstance(value, Decimal):
        return f"{value.normalize():f}", False
    if isinstance(field, models.FileField):
        return value.rsplit("/", 1)[-1], False
    return str(value), False


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, tuple]:
    """The listed fields of ``instance`` as they read now."""
    meta = instance._meta
    return {name: _value(instance, meta.get_field(name)) for name in fields}


def changes(
    instance: models.Model,
    before: Mapping[str, tuple],
    after: Mapping[str, tuple] | None = None,
) -> list[dict]:
    """What differs between two snapshots of ``instance`` (``after`` defaults to
    its values now), as ``{"field", "old", "new", "labels"}`` with the field's
    untranslated verbose name."""
    after = after if after is not None else snapshot(instance, before)
    rows = []
    for name, (old, old_is_label) in before.items():
        new, new_is_label = after.get(name, ("", False))
        if old != new:
            rows.append(
                {
                    "field": _msgid(instance._meta.get_field(name).verbose_name),
                    "old": old,
                    "new": new,
                    "labels": old_is_label or new_is_label,
                }
            )
    return rows


def created(instance: models.Model, fields: Iterable[str]) -> list[dict]:
    """The values a new record was created with, as changes from nothing."""
    empty = {name: ("", False) for name in fields}
    return changes(instance, empty, snapshot(instance, fields))


def removed(instance: models.Model, fields: Iterable[str]) -> list[dict]:
    """The values a record had when it was deleted, as changes to nothing."""
    before = snapshot(instance, fields)
    return changes(instance, before, {name: ("", False) for name in before})


def record(
    *,
    action: str,
    by: Actor,
    object_label: str,
    link: tuple[str, int] | None = None,
    subject_user=None,
    changes: list[dict] | None = None,
    note: str | Promise = "",
) -> AuditEntry:
    """Write one entry of the trail. ``by`` is the acting user, or
    ``access.SYSTEM`` for a management command (recorded without a user)."""
    label = str(object_label)[:300]
    with translation.override("vi"):
        # A note given as a translatable text is kept in Vietnamese, the
        # language of the record; free text (a reason) is kept as typed.
        note = str(note)
    return AuditEntry.objects.create(
        action=action,
        actor=None if by is SYSTEM else by,
        object_label=label,
        search_text=fold(label)[:300],
        subject_user=subject_user,
        link_name=link[0] if link else "",
        link_pk=link[1] if link else None,
        changes=changes or [],
        note=note[:500],
    )

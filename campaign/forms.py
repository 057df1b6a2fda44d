"""Form helpers shared by the campaign's rooms: a form base that refuses data it
did not ask for, and the two helpers every form page uses (a service's error on
the form, the status code of a form page)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

FORM_UNEXPECTED_FIELDS = _(
    "The form was sent with fields that are not on it (%(fields)s). Nothing was "
    "saved: reload the page and try again."
)
# Enough to recognise the fields without echoing an attacker's payload in full.
_SHOWN_UNEXPECTED = 5
_SHOWN_NAME_LENGTH = 40


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: messages about one of
    the form's fields go next to it, all others at the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        form.add_error(target, errors)


def form_status(form: forms.BaseForm) -> int:
    """400 for a form sent back with errors, so they are not mistaken for success."""
    return 400 if form.is_bound and form.errors else 200


class StrictFormMixin:
    """Makes a form refuse data it did not ask for.

    Django ignores unknown POST keys; an edit form that silently drops a posted
    ``plan`` or ``id`` would hide a tampered or stale page. Every key of the
    posted data and files must be one of the form's own field names (with the
    extra names some widgets use), besides the CSRF token.
    """

    always_allowed = frozenset({"csrfmiddlewaretoken"})

    def expected_names(self) -> set[str]:
        names = set(self.always_allowed)
        for name, field in self.fields.items():
            html_name = self.add_prefix(name)
            names.add(html_name)
            widget = field.widget
            if isinstance(widget, forms.ClearableFileInput):
                names.add(widget.clear_checkbox_name(html_name))
            if isinstance(widget, forms.MultiWidget):
                names.update(html_name + suffix for suffix in widget.widgets_names)
        return names

    def clean(self):
        cleaned_data = super().clean()
        unexpected = sorted((set(self.data) | set(self.files)) - self.expected_names())
        if unexpected:
            shown = [
                name[:_SHOWN_NAME_LENGTH] for name in unexpected[:_SHOWN_UNEXPECTED]
            ]
            if len(unexpected) > _SHOWN_UNEXPECTED:
                shown.append("…")
            raise ValidationError(
                FORM_UNEXPECTED_FIELDS,
                code="unexpected_fields",
                params={"fields": ", ".join(shown)},
            )
        return cleaned_data

    def add_service_error(self, error: ValidationError) -> None:
        add_service_error(self, error)


class StrictForm(StrictFormMixin, forms.Form):
    """A plain form that refuses data it did not ask for."""

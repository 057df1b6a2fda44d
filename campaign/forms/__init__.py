"""Forms of the campaign app (shape validation only), one module per sub-domain,
and the two helpers every form page of the app uses."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


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

"""``{{ form.field|quick_field }}``: a filter form's field in Bootstrap 5, the
markup of crispy-forms' ``as_crispy_field`` written out in Python.

Why: the list pages (registrations, areas) render their filter forms on every
request, and crispy renders each field through a dozen template includes —
about 0.6 ms a field, a tenth of the registration list's cost. The markup is
the same: the label tied to the control, the control with ``form-control`` or
``form-select`` (``is-invalid`` and ``aria-invalid`` on an error), the errors
in ``<div id="…_error" class="invalid-feedback">`` and the help text in
``<div id="…_helptext" class="form-text">``, both named by the control's
``aria-describedby`` (Django's own ids). A field of another kind (a checkbox,
radios) is left to crispy.
"""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

# Widgets drawn as a Bootstrap text box, and as a Bootstrap select.
_TEXT_WIDGETS = (
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.DateInput,
    forms.Textarea,
)
_SELECT_WIDGETS = (forms.Select,)
_PASSED_OVER = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


@register.filter
def quick_field(field: BoundField) -> SafeString:
    widget = field.field.widget
    if isinstance(widget, _PASSED_OVER) or not isinstance(
        widget, _TEXT_WIDGETS + _SELECT_WIDGETS
    ):
        return as_crispy_field(field)
    css = "form-select" if isinstance(widget, _SELECT_WIDGETS) else "form-control"
    if field.errors:
        css += " is-invalid"
    existing = widget.attrs.get("class")
    control = field.as_widget(attrs={"class": f"{existing} {css}" if existing else css})
    auto_id = field.auto_id
    required = (
        format_html('<span class="asteriskField">*</span>')
        if field.field.required
        else ""
    )
    label = (
        format_html(
            '<label for="{}" class="form-label">{}{}</label>',
            field.id_for_label,
            field.label,
            required,
        )
        if field.label
        else ""
    )
    errors = (
        format_html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            auto_id,
            format_html_join(
                "",
                '<p id="error_{}_{}"><strong>{}</strong></p>',
                (
                    (number, auto_id, error)
                    for number, error in enumerate(field.errors, start=1)
                ),
            ),
        )
        if field.errors
        else ""
    )
    help_text = (
        format_html(
            '<div id="{}_helptext" class="form-text">{}</div>',
            auto_id,
            field.help_text,
        )
        if field.help_text
        else ""
    )
    return format_html(
        '<div id="div_{}" class="mb-3">{}{}{}{}</div>',
        auto_id,
        label,
        control,
        errors,
        help_text,
    )

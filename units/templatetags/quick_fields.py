"""``{{ form.field|quick_field }}``: a text, date, number, text area or select
field written as crispy forms' Bootstrap 5 pack writes it (``as_crispy_field``),
in Python.

Why: the list pages render their filter forms on every request, and crispy's
field is four nested templates and Django's select one more per option —
about 1 ms a field, a fifth of a filter page's CPU. The markup is crispy's:
the label tied to the control (with crispy's asterisk when required), the
control with the widget's class name and ``form-control`` or ``form-select``,
the help text in ``<div id="…_helptext" class="form-text">`` named by the
control's ``aria-describedby`` (Django's ids). A field with errors (crispy
marks them for assistive technology), a fieldset (radios, check boxes), any
other widget and a grouped select of Django's own are left to crispy forms.
"""

from __future__ import annotations

from html import escape

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.forms import BoundField
from django.utils.safestring import SafeString, mark_safe

from units.html import html_attrs

register = template.Library()

# Django's own widgets, written here as Django's own templates write them; a
# subclass of one of them (a combobox, a quick select) draws itself.
_WRITTEN_HERE = (
    forms.Select,
    forms.TextInput,
    forms.DateInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.Textarea,
)


def _select(field: BoundField, attrs: dict) -> str | None:
    chosen = set(field.field.widget.format_value(field.value()))
    options = []
    for value, label in field.field.widget.choices:
        if isinstance(label, (list, tuple)):
            return None  # a grouped select
        key = "" if value is None else str(value)
        selected = " selected" if key in chosen else ""
        options.append(
            f'<option value="{escape(key)}"{selected}>{escape(str(label))}</option>'
        )
    return f'<select name="{escape(field.html_name)}"{html_attrs(attrs)}>{"".join(options)}</select>'


def _input(field: BoundField, attrs: dict) -> str:
    widget = field.field.widget
    value = widget.format_value(field.value())
    shown = "" if value is None else f' value="{escape(str(value))}"'
    return (
        f'<input type="{widget.input_type}" name="{escape(field.html_name)}"'  # type: ignore[attr-defined]
        f"{shown}{html_attrs(attrs)}>"
    )


def _textarea(field: BoundField, attrs: dict) -> str:
    value = field.field.widget.format_value(field.value())
    text = escape(str(value)) if value else ""
    return f'<textarea name="{escape(field.html_name)}"{html_attrs(attrs)}>\n{text}</textarea>'


@register.filter
def quick_field(field: BoundField) -> SafeString:
    widget = field.field.widget
    own_rendering = type(widget) not in _WRITTEN_HERE
    if (
        field.errors
        or field.use_fieldset
        or (own_rendering and not isinstance(widget, _WRITTEN_HERE))
    ):
        return as_crispy_field(field)
    # The CSS classes crispy forms gives the widget: its class name, then
    # Bootstrap's.
    own = widget.__class__.__name__.lower()
    css = widget.attrs.get("class", "")
    css = (css if own in css else f"{css} {own}") if css else own
    bootstrap = "form-select" if isinstance(widget, forms.Select) else "form-control"
    if bootstrap not in css.split():
        css = f"{css} {bootstrap}"
    extra = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        extra.setdefault("id", field.auto_id)
    attrs = widget.build_attrs({**widget.attrs, "class": css}, extra)
    if own_rendering:
        # A subclass with its own ``render`` (a combobox, a quick select):
        # drawn by itself, with crispy's classes.
        written = str(field.as_widget(attrs={"class": css}))
    elif isinstance(widget, forms.Select):
        written = _select(field, attrs)
        if written is None:
            return as_crispy_field(field)
    elif isinstance(widget, forms.Textarea):
        written = _textarea(field, attrs)
    else:
        written = _input(field, attrs)
    required = field.field.required
    label = ""
    if field.label:
        label_class = "form-label requiredField" if required else "form-label"
        asterisk = '<span class="asteriskField">*</span>' if required else ""
        label = (
            f'<label for="{escape(field.id_for_label)}" class="{label_class}">'
            f"{escape(str(field.label))}{asterisk}</label>"
        )
    help_text = ""
    if field.help_text:
        # As crispy forms: the help text is the form's own, not escaped.
        help_text = (
            f'<div id="{field.auto_id}_helptext" class="form-text">'
            f"{field.help_text}</div>"
        )
    # The values are escaped above; the help text is the form's own markup.
    return mark_safe(  # noqa: S308 # nosec B308 B703
        f'<div id="div_{field.auto_id}" class="mb-3">{label}{written}{help_text}</div>'
    )

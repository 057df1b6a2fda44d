"""Forms of the legal documents register (shape validation only)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from campaign import uploads
from campaign.choices import DocumentType
from campaign.models import LegalDocument
from units.forms import AsOfDateField

FORM_UNEXPECTED_FIELDS = _(
    "The form was sent with fields that are not on it (%(fields)s). Nothing was "
    "saved: reload the page and try again."
)
# Enough to recognise the fields without echoing an attacker's payload in full.
_SHOWN_UNEXPECTED = 5
_SHOWN_NAME_LENGTH = 40


class StrictForm(forms.Form):
    """A form that refuses data it did not ask for.

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
        """Show a service's ``ValidationError`` on the form: messages about one
        of the form's fields go next to it, all others at the top."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            target = field if field in self.fields else None
            if field == NON_FIELD_ERRORS:
                target = None
            self.add_error(target, errors)


class DocumentFilterForm(forms.Form):
    """Filters of the document list; every field is optional."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Number, title or issuer, e.g. bcd-cat"),
            }
        ),
    )
    doc_type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("All types")), *DocumentType.choices],
    )


def _model_field(name: str):
    return LegalDocument._meta.get_field(name)


def _label(name: str):
    return capfirst(_model_field(name).verbose_name)


class LegalDocumentForm(StrictForm):
    """Create or edit a legal document. The file field comes last: when an
    upload is stopped for being too large, the fields after it are lost."""

    number_symbol = forms.CharField(
        label=_label("number_symbol"),
        help_text=_model_field("number_symbol").help_text,
        max_length=_model_field("number_symbol").max_length,
        required=False,
    )
    doc_type = forms.ChoiceField(label=_label("doc_type"), choices=DocumentType.choices)
    issued_on = AsOfDateField(
        label=_label("issued_on"),
        required=False,
        help_text=_("Leave empty while it is unknown."),
    )
    issuer = forms.CharField(
        label=_label("issuer"),
        max_length=_model_field("issuer").max_length,
    )
    title = forms.CharField(
        label=_label("title"),
        max_length=_model_field("title").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    remove_file = forms.BooleanField(label=_("Remove the current file"), required=False)
    file = forms.FileField(
        label=_label("file"),
        required=False,
        # The uploader's name is only displayed (shortened if needed), never
        # used to store the file: do not refuse long names.
        max_length=None,
        widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def __init__(
        self,
        *args,
        has_file: bool = False,
        too_large_fields: frozenset[str] = frozenset(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.too_large_fields = too_large_fields
        self.fields["file"].help_text = _(
            "PDF only, at most %(limit)s. It replaces the current file, if any."
        ) % {"limit": filesizeformat(uploads.upload_max_bytes())}
        if not has_file:
            del self.fields["remove_file"]

    @classmethod
    def initial_for(cls, document: LegalDocument) -> dict:
        return {
            "number_symbol": document.number_symbol,
            "doc_type": document.doc_type,
            "issued_on": document.issued_on,
            "issuer": document.issuer,
            "title": document.title,
        }

    def clean(self):
        cleaned_data = super().clean()
        for name in self.too_large_fields:
            if name in self.fields:
                self.add_error(name, uploads.too_large_error())
        return cleaned_data

    def document_data(self) -> dict:
        """Keyword arguments for the document services."""
        data = self.cleaned_data
        return {
            "number_symbol": data["number_symbol"],
            "doc_type": data["doc_type"],
            "issued_on": data["issued_on"],
            "issuer": data["issuer"],
            "title": data["title"],
            "upload": data.get("file") or None,
        }

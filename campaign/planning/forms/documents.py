"""Forms of the legal documents register (shape validation only)."""

from __future__ import annotations

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from campaign import uploads
from campaign.forms import StrictForm
from campaign.planning.choices import DocumentType
from campaign.planning.models import LegalDocument
from units.forms import AsOfDateField


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

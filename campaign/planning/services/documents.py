"""Writes of the legal documents register: every service checks the actor's
capability, re-reads the document, and records the change in the audit trail."""

from __future__ import annotations

import datetime
import unicodedata

from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from campaign import uploads
from campaign.committees import access, audit
from campaign.committees.access import Actor, Capability
from campaign.committees.choices import AuditAction
from campaign.planning.models import LegalDocument
from campaign.planning.selectors.documents import document_get

# The model constraint's message: shown when the database refuses a duplicate.
DOCUMENT_DUPLICATE_NUMBER = _(
    "A document with this number and symbol is already registered."
)


DOCUMENT_FIELDS = (
    "number_symbol",
    "doc_type",
    "issued_on",
    "issuer",
    "title",
    "file_name",
)


def _text(value: str) -> str:
    """One spelling for Vietnamese text (composed, as typed on Windows; macOS
    sends decomposed letters) without stray spaces."""
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def _attach(document: LegalDocument, upload: UploadedFile) -> None:
    """Check ``upload`` and put it on ``document``; the model's ``upload_to``
    gives it a generated name, the uploader's name is kept for display."""
    try:
        uploads.check_upload(upload, allowed=uploads.DOCUMENT_KINDS)
    except ValidationError as error:
        raise ValidationError({"file": error.error_list}) from None
    document.file = upload
    document.file_name = uploads.safe_display_name(upload.name or "")


def _storage() -> Storage:
    return LegalDocument._meta.get_field("file").storage


def _delete_file_after_commit(name: str) -> None:
    storage = _storage()
    transaction.on_commit(lambda: storage.delete(name))


def _save(document: LegalDocument, *, new_file: bool) -> None:
    if (
        document.number_symbol
        and LegalDocument.objects.filter(number_symbol__iexact=document.number_symbol)
        .exclude(pk=document.pk)
        .exists()
    ):
        raise ValidationError(
            {"number_symbol": DOCUMENT_DUPLICATE_NUMBER}, code="duplicate"
        )
    document.full_clean()
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        # Someone registered the same number between the check and the save;
        # the new file was already stored by then.
        if new_file and document.file.name:
            _storage().delete(document.file.name)
        raise ValidationError(
            {"number_symbol": DOCUMENT_DUPLICATE_NUMBER}, code="duplicate"
        ) from None


@transaction.atomic
def document_create(
    *,
    number_symbol: str,
    doc_type: str,
    issued_on: datetime.date | None,
    issuer: str,
    title: str,
    upload: UploadedFile | None = None,
    reference_key: str = "",
    by: Actor,
) -> LegalDocument:
    access.require(by, Capability.MANAGE_DOCUMENTS)
    document = LegalDocument(
        reference_key=reference_key,
        number_symbol=_text(number_symbol),
        doc_type=doc_type,
        issued_on=issued_on,
        issuer=_text(issuer),
        title=_text(title),
    )
    if upload is not None:
        _attach(document, upload)
    _save(document, new_file=upload is not None)
    audit.record(
        action=AuditAction.DOCUMENT_CREATED,
        by=by,
        object_label=str(document),
        link=("planning:document_detail", document.pk),
        changes=audit.created(document, DOCUMENT_FIELDS),
    )
    return document


@transaction.atomic
def document_update(
    *,
    document: LegalDocument,
    number_symbol: str,
    doc_type: str,
    issued_on: datetime.date | None,
    issuer: str,
    title: str,
    upload: UploadedFile | None = None,
    remove_file: bool = False,
    by: Actor,
) -> LegalDocument:
    """Change a document; a new ``upload`` replaces its file, ``remove_file``
    drops it. A replaced file is deleted from storage once the change is
    committed."""
    access.require(by, Capability.MANAGE_DOCUMENTS)
    document = document_get(user=by, pk=document.pk, for_update=True)
    before = audit.snapshot(document, DOCUMENT_FIELDS)
    old_file = document.file.name or ""
    document.number_symbol = _text(number_symbol)
    document.doc_type = doc_type
    document.issued_on = issued_on
    document.issuer = _text(issuer)
    document.title = _text(title)
    if upload is not None:
        _attach(document, upload)
    elif remove_file:
        document.file = ""
        document.file_name = ""
    _save(document, new_file=upload is not None)
    if old_file and old_file != document.file.name:
        _delete_file_after_commit(old_file)
    diff = audit.changes(document, before)
    if diff or old_file != (document.file.name or ""):
        audit.record(
            action=AuditAction.DOCUMENT_UPDATED,
            by=by,
            object_label=str(document),
            link=("planning:document_detail", document.pk),
            changes=diff,
            note=_("A new file was attached.")
            if upload is not None
            else (_("The file was removed.") if remove_file and old_file else ""),
        )
    return document

"""Reads of the legal documents register.

Legal documents are province-wide reference material: every user who may
view the campaign (any membership) sees all of them; others see none.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.http import Http404

from campaign import uploads
from campaign.committees import access
from campaign.committees.access import Capability
from campaign.planning.models import LegalDocument, Plan, Programme
from units.text import fold

User = access.Reader


def _searchable(document: LegalDocument) -> str:
    return fold(f"{document.number_symbol} {document.title} {document.issuer}")


def document_list(
    *, user: User, query: str = "", doc_type: str = ""
) -> list[LegalDocument]:
    """Documents, newest first; every word of ``query`` must appear in the
    number, title or issuer, accents and case ignored ("bcd cat" finds
    10/KH-BCĐ-CAT).

    The register holds tens of documents, so the search is done in Python on
    the folded text instead of keeping a folded copy in the table.
    """
    if not access.can(user, Capability.VIEW):
        return []
    documents = LegalDocument.objects.all()
    if doc_type:
        documents = documents.filter(doc_type=doc_type)
    words = fold(query).split()
    if not words:
        return list(documents)
    return [d for d in documents if all(w in _searchable(d) for w in words)]


def document_get(*, user: User, pk: int, for_update: bool = False) -> LegalDocument:
    if not access.can(user, Capability.VIEW):
        raise Http404("No such document.")
    documents = LegalDocument.objects.all()
    if for_update:
        documents = documents.select_for_update()
    try:
        return documents.get(pk=pk)
    except LegalDocument.DoesNotExist:
        raise Http404("No such document.") from None


@dataclass(frozen=True)
class DocumentUse:
    """Where a document is used: plans it is the text of, plans and
    programmes it is a legal basis of."""

    plans: list[Plan]
    basis_of_plans: list[Plan]
    basis_of_programmes: list[Programme]


def document_use(*, document: LegalDocument) -> DocumentUse:
    return DocumentUse(
        plans=list(Plan.objects.filter(document=document)),
        basis_of_plans=list(document.plans_based_on.all()),
        basis_of_programmes=list(document.programmes_based_on.select_related("plan")),
    )


def document_download_name(*, document: LegalDocument) -> str:
    """The name offered when downloading: the uploader's name, with the stored
    file's extension added if it lacks it."""
    _, extension = os.path.splitext(document.file.name)
    name = document.file_name or uploads.safe_display_name(
        (document.number_symbol or document.get_doc_type_display()).replace("/", "-")
    )
    if extension and not name.lower().endswith(extension.lower()):
        name += extension
    return name


def document_content_type(*, document: LegalDocument) -> str:
    _, extension = os.path.splitext(document.file.name)
    return uploads.CONTENT_TYPES.get(extension[1:].lower(), "application/octet-stream")

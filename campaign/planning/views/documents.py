"""The legal documents register: list and search, detail, create, edit, download."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from campaign import uploads
from campaign.committees import access
from campaign.committees.access import Capability
from campaign.downloads import private_file_response
from campaign.planning.forms.documents import DocumentFilterForm, LegalDocumentForm
from campaign.planning.models import LegalDocument
from campaign.planning.selectors import documents as selectors
from campaign.planning.services import documents as services

DOCUMENTS_PER_PAGE = 50


@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    form = DocumentFilterForm(request.GET)
    documents = (
        selectors.document_list(
            user=request.user,
            query=form.cleaned_data["q"],
            doc_type=form.cleaned_data["doc_type"],
        )
        if form.is_valid()
        else []
    )
    page = Paginator(documents, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "planning/document_list.html",
        {
            "form": form,
            "page_obj": page,
            "searching": bool(form.is_valid() and any(form.cleaned_data.values())),
            "can_manage": access.can(request.user, Capability.MANAGE_DOCUMENTS),
        },
    )


@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    document = selectors.document_get(user=request.user, pk=pk)
    return render(
        request,
        "planning/document_detail.html",
        {
            "document": document,
            "use": selectors.document_use(document=document),
            "can_manage": access.can(request.user, Capability.MANAGE_DOCUMENTS),
        },
    )


def _bound_form(request: HttpRequest, *, has_file: bool = False) -> LegalDocumentForm:
    # Reading request.POST/FILES parses the upload; only then does the size
    # limit handler know whether it stopped a file.
    data, files = request.POST, request.FILES
    return LegalDocumentForm(
        data,
        files,
        has_file=has_file,
        too_large_fields=uploads.too_large_fields(request),
    )


def _form_page(
    request: HttpRequest,
    form: LegalDocumentForm,
    document: LegalDocument | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "planning/document_form.html",
        {"form": form, "document": document},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest) -> HttpResponse:
    access.require(request.user, Capability.MANAGE_DOCUMENTS)
    if request.method != "POST":
        return _form_page(request, LegalDocumentForm())
    form = _bound_form(request)
    if form.is_valid():
        try:
            document = services.document_create(**form.document_data(), by=request.user)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("The document has been registered."))
            return redirect(document)
    return _form_page(request, form, status=400)


@require_http_methods(["GET", "POST"])
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, Capability.MANAGE_DOCUMENTS)
    document = selectors.document_get(user=request.user, pk=pk)
    has_file = bool(document.file)
    if request.method != "POST":
        form = LegalDocumentForm(
            initial=LegalDocumentForm.initial_for(document), has_file=has_file
        )
        return _form_page(request, form, document)
    form = _bound_form(request, has_file=has_file)
    if form.is_valid():
        try:
            services.document_update(
                document=document,
                remove_file=form.cleaned_data.get("remove_file", False),
                **form.document_data(),
                by=request.user,
            )
        except ValidationError as error:
            form.add_service_error(error)
            # The page shows the stored document, not the refused changes.
            document.refresh_from_db()
        else:
            messages.success(request, _("The document has been saved."))
            return redirect(document)
    return _form_page(request, form, document, status=400)


@require_GET
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request.user, Capability.VIEW)
    document = selectors.document_get(user=request.user, pk=pk)
    return private_file_response(
        document.file,
        filename=selectors.document_download_name(document=document),
        content_type=selectors.document_content_type(document=document),
    )

"""The applicant's documents page, upload/remove actions and the protected download."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from admissions.applications.services import application_draft_for, application_step_complete
from admissions.applications.steps import step_number
from admissions.documents.forms import ACCEPT_ATTRIBUTE, ACCEPT_EXTENSIONS, DocumentUploadForm
from admissions.documents.requests import (
    document_change_refusal,
    document_request_open,
    documents_request_answer,
    documents_still_requested,
)
from admissions.documents.services import (
    ACCEPTED_CONTENT_TYPES,
    document_add_pages,
    document_download_name,
    document_remove,
    document_requirements,
    document_upload,
    documents_may_change,
)
from admissions.enums import ApplicationStatus, DocumentKind, DocumentStatus
from admissions.errors import DomainError
from admissions.models import Application, ApplicationChoice, Document, DocumentPage
from admissions.permissions import staff_may_see
from admissions.selectors import cycle_open, documents_visible_to

DOCUMENTS_STEP = "documents"


def _current_application(user) -> Application | None:
    """The application the page works on: one the office asked documents for (of any
    cycle: the dashboard sends the applicant here to answer that request), else the open
    cycle's (a draft is created on the first visit, like the other steps of the form), else
    the applicant's latest one."""
    mine = list(
        Application.objects.filter(applicant=user)
        .only("pk", "status", "cycle_id")
        # The latest cycle first, as `selectors.application_current` chooses.
        .order_by("-cycle__opens_at")
    )
    current = next((a for a in mine if a.status == ApplicationStatus.DOCUMENTS_REQUESTED), None)
    if current is None:
        cycle = cycle_open()
        in_open = [a for a in mine if cycle is not None and a.cycle_id == cycle.pk]
        current = in_open[0] if in_open else (mine[0] if mine else None)
        if cycle is not None and (current is None or current.cycle_id != cycle.pk):
            current = application_draft_for(user=user, cycle=cycle)
    if current is None:
        return None
    return (
        Application.objects.filter(pk=current.pk)
        .select_related("cycle")
        .prefetch_related(
            Prefetch(
                "choices",
                queryset=ApplicationChoice.objects.select_related("offering__program", "language"),
            ),
            "documents__extra_pages",
            "document_requests",
        )
        .get()
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def documents(request):
    application = _current_application(request.user)
    if application is None:
        messages.info(request, _("Applications are not open at the moment."))
        return redirect("admissions:dashboard")
    form = DocumentUploadForm()
    if request.method == "POST":
        if "continue" in request.POST:
            return _continue(request, application)
        form = DocumentUploadForm(request.POST, request.FILES)
        problems = _upload(request, application, form)
        if _wants_json(request):
            # The page's script (progress bar) shows the problems in place, or follows the
            # redirect to show the success message.
            if problems:
                return JsonResponse({"ok": False, "errors": problems}, status=400)
            return JsonResponse({"ok": True, "redirect": reverse("admissions:documents")})
        if not problems:
            return redirect("admissions:documents")
        for problem in problems:
            messages.error(request, problem)
        # Re-render with fresh data: nothing was saved.
        application = _current_application(request.user)
    requirements = document_requirements(application=application)
    open_request = document_request_open(application)
    return render(
        request,
        "admissions/documents.html",
        {
            "application": application,
            "requirements": requirements,
            "open_request": open_request,
            "requested_labels": [DocumentKind(kind).label for kind in open_request.kinds]
            if open_request
            else [],
            "still_requested": documents_still_requested(application),
            "upload_kinds": _upload_kinds(application, requirements),
            "removable_documents": _removable_documents(application, requirements),
            "can_upload": documents_may_change(application),
            "documents_requested": application.status == ApplicationStatus.DOCUMENTS_REQUESTED,
            "is_draft": application.is_editable_by_applicant,
            "form": form,
            "accept": ACCEPT_ATTRIBUTE,
            "accept_extensions": ",".join(ACCEPT_EXTENSIONS),
            "max_bytes": settings.DOCUMENT_MAX_BYTES,
            "max_total_bytes": settings.DOCUMENT_MAX_TOTAL_BYTES,
            "max_files": settings.DOCUMENT_MAX_FILES,
            "page_documents": _page_documents(application, requirements),
            "missing": [r for r in requirements if r.status == "missing"],
            "wizard_step": step_number(DOCUMENTS_STEP),
        },
    )


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _upload(request, application: Application, form: DocumentUploadForm) -> list[str]:
    """Save an upload (a new document, or pages added to one); the problems, if any."""
    if not form.is_valid():
        return [str(error) for errors in form.errors.values() for error in errors]
    files = form.cleaned_data["file"]
    try:
        if form.cleaned_data.get("document"):
            document = application.documents.filter(
                pk=form.cleaned_data["document"], kind=form.cleaned_data["kind"]
            ).first()
            if document is None:
                return [_("This document has been replaced or removed.")]
            document_add_pages(document=document, uploaded_files=files, actor=request.user)
            messages.success(
                request,
                ngettext(
                    "The page has been added to the document.",
                    "%(count)s pages have been added to the document.",
                    len(files),
                )
                % {"count": len(files)},
            )
        else:
            document_upload(
                application=application,
                kind=form.cleaned_data["kind"],
                uploaded_files=files,
                actor=request.user,
            )
            messages.success(request, _("The document has been uploaded."))
    except DomainError as error:
        return [error.message]
    return []


def _page_documents(application: Application, requirements) -> set[int]:
    """Documents the applicant may add pages to now: not verified, changeable, below the
    limit of files."""
    return {
        document.pk
        for requirement in requirements
        for document in requirement.documents
        if document.status != DocumentStatus.VERIFIED
        and document.page_count < settings.DOCUMENT_MAX_FILES
        and document_change_refusal(application, kind=document.kind, document=document) is None
    }


def _upload_kinds(application: Application, requirements) -> set[str]:
    """Kinds the applicant may upload or replace now (`document_change_refusal`)."""
    return {
        requirement.kind
        for requirement in requirements
        if document_change_refusal(
            application,
            kind=requirement.kind,
            # "Other" holds several files: uploading adds one, it replaces none.
            document=None if requirement.kind == DocumentKind.OTHER else requirement.document,
        )
        is None
    }


def _removable_documents(application: Application, requirements) -> set[int]:
    return {
        document.pk
        for requirement in requirements
        for document in requirement.documents
        if document_change_refusal(
            application, kind=document.kind, document=document, removing=True
        )
        is None
    }


@login_required
@require_POST
def documents_uploaded(request):
    """The applicant's "I have uploaded the documents" (`documents_request_answer`)."""
    application = (
        Application.objects.filter(
            applicant=request.user, status=ApplicationStatus.DOCUMENTS_REQUESTED
        )
        .order_by("-cycle__opens_at")
        .first()
    )
    if application is None:
        messages.info(request, _("The admissions office is not waiting for documents from you."))
        return redirect("admissions:dashboard")
    try:
        documents_request_answer(application=application, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("admissions:documents")
    messages.success(
        request,
        _("Thank you. Your application is back under review; the admissions office knows."),
    )
    return redirect("admissions:dashboard")


def _continue(request, application):
    if not application.is_editable_by_applicant:
        return redirect("admissions:dashboard")
    try:
        application_step_complete(application=application, step=DOCUMENTS_STEP)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("admissions:documents")
    return redirect("admissions:application_step", step="review")


@login_required
@require_POST
def document_remove_view(request, pk: int):
    document = get_object_or_404(
        Document.objects.select_related("application"),
        pk=pk,
        application__applicant=request.user,
    )
    try:
        document_remove(document=document, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The document has been removed."))
    return redirect("admissions:documents")


# Previews are shown inline, framed by the staff pages and the applicant's own pages.
PREVIEWABLE_CONTENT_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


def document_display_name(document, user) -> str:
    """The file name `user` is shown for `document` (a `Document`, or one of its
    `DocumentPage`s): the uploaded name, or, for whom file names are personal data they may
    not see (blind review), the kind, the number and the extension."""
    if staff_may_see(user, "document.original_name"):
        return document_download_name(document)
    extension = ACCEPTED_CONTENT_TYPES.get(document.content_type, "bin")
    whole = getattr(document, "document", None) if document.number > 1 else None
    if whole is not None:
        label = slugify(DocumentKind(whole.kind).label) or whole.kind
        return f"{label}-{whole.pk}-{document.number}.{extension}"
    return (
        f"{slugify(DocumentKind(document.kind).label) or document.kind}-{document.pk}.{extension}"
    )


@login_required
@require_http_methods(["GET", "HEAD"])
@xframe_options_sameorigin
def document_download(request, pk: int):
    """Serve a document to its owner or to staff allowed to see it; anyone else gets 404.

    `?preview=1` serves a PDF or an image inline, and lets pages of this site (only) frame
    it: the staff document desk and review page show it beside the application. Otherwise
    the file is an attachment. Either way the content type is the one detected on upload
    (`nosniff`), nothing is cached, and the file may load nothing else (`default-src
    'none'`). The attachment is also sandboxed; the preview is not, because browsers' PDF
    viewers refuse to run in a sandboxed document.
    """
    document = get_object_or_404(documents_visible_to(request.user), pk=pk)
    return _serve(request, document)


@login_required
@require_http_methods(["GET", "HEAD"])
@xframe_options_sameorigin
def document_page_download(request, pk: int, number: int):
    """A further page (file) of a document, served as `document_download` serves the first,
    to whom may see the document (anyone else: 404)."""
    document = get_object_or_404(documents_visible_to(request.user), pk=pk)
    if number == 1:
        return _serve(request, document)
    page = get_object_or_404(
        DocumentPage.objects.select_related("document"), document=document, number=number
    )
    return _serve(request, page)


def _serve(request, document):
    if not document.file:
        raise Http404
    preview = request.GET.get("preview") == "1"
    if preview and document.content_type not in PREVIEWABLE_CONTENT_TYPES:
        raise Http404
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=not preview,
        filename=document_display_name(document, request.user),
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if preview:
        response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    else:
        response["X-Frame-Options"] = "DENY"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

"""The applicant's documents page, upload/remove actions and the protected download."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from admissions.applications.services import application_draft_for, application_step_complete
from admissions.applications.steps import step_number
from admissions.documents.forms import ACCEPT_ATTRIBUTE, DocumentUploadForm
from admissions.documents.services import (
    document_download_name,
    document_remove,
    document_requirements,
    document_upload,
    documents_may_change,
    verified_documents_locked,
)
from admissions.enums import ApplicationStatus
from admissions.errors import DomainError
from admissions.models import Application, ApplicationChoice, Document
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
            "documents",
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
        if form.is_valid():
            try:
                document_upload(
                    application=application,
                    kind=form.cleaned_data["kind"],
                    uploaded_file=form.cleaned_data["file"],
                    actor=request.user,
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The document has been uploaded."))
                return redirect("admissions:documents")
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        # Re-render with fresh data: nothing was saved.
        application = _current_application(request.user)
    requirements = document_requirements(application=application)
    return render(
        request,
        "admissions/documents.html",
        {
            "application": application,
            "requirements": requirements,
            "can_upload": documents_may_change(application),
            "verified_may_change": not verified_documents_locked(application),
            "documents_requested": application.status == ApplicationStatus.DOCUMENTS_REQUESTED,
            "is_draft": application.is_editable_by_applicant,
            "form": form,
            "accept": ACCEPT_ATTRIBUTE,
            "max_bytes": settings.DOCUMENT_MAX_BYTES,
            "missing": [r for r in requirements if r.status == "missing"],
            "wizard_step": step_number(DOCUMENTS_STEP),
        },
    )


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


@login_required
@require_http_methods(["GET", "HEAD"])
def document_download(request, pk: int):
    """Serve a document to its owner or to staff allowed to see it; anyone else gets 404."""
    document = get_object_or_404(documents_visible_to(request.user), pk=pk)
    if not document.file:
        raise Http404
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document_download_name(document),
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

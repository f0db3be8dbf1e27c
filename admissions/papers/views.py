"""Download of the applicant's papers (owner and permitted staff only) and the public page
that verifies a printed paper by its signed token."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from admissions.applications.lifecycle import Group, statuses_in
from admissions.models import Application, ScholarshipAward
from admissions.papers.printing import (
    paper_application_pdf,
    paper_filename,
    paper_offer_letter_pdf,
)
from admissions.papers.selectors import applications_printable_by, awards_printable_by
from admissions.papers.verification import PaperKind, paper_token_read


def _pdf_response(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@login_required
@require_GET
def application_pdf(request, pk: int):
    application = get_object_or_404(applications_printable_by(request.user), pk=pk)
    return _pdf_response(
        paper_application_pdf(application=application),
        filename=paper_filename(kind=PaperKind.APPLICATION, reference=application.reference),
    )


@never_cache
@login_required
@require_GET
def offer_letter_pdf(request, pk: int):
    award = get_object_or_404(
        awards_printable_by(request.user).select_related("application"), pk=pk
    )
    return _pdf_response(
        paper_offer_letter_pdf(award=award),
        filename=paper_filename(
            kind=PaperKind.OFFER_LETTER, reference=award.application.reference
        ),
    )


def _verified(paper) -> dict:
    """What the public page may show: the kind of paper, the reference number and the
    current decision, nothing personal."""
    if paper.kind == PaperKind.APPLICATION:
        application = (
            Application.objects.exclude(status__in=statuses_in(Group.EDITABLE))
            .only("reference", "status")
            .filter(reference=paper.key)
            .first()
        )
        if application is None:
            raise Http404
        return {"reference": application.reference, "decision": application.get_status_display()}
    if not paper.key.isdigit():
        raise Http404
    award = (
        ScholarshipAward.objects.select_related("application")
        .only("state", "application__reference")
        .filter(pk=int(paper.key))
        .first()
    )
    if award is None:
        raise Http404
    return {"reference": award.application.reference, "decision": award.get_state_display()}


@require_GET
def paper_verify(request, token: str):
    """Public: confirms that a paper with this token was issued by the portal."""
    paper = paper_token_read(token)
    if paper is None:
        raise Http404
    context = {"paper": paper, "kind_label": paper.kind.label, **_verified(paper)}
    response = render(request, "admissions/papers/verify.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response

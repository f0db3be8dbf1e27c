"""The two papers: the submitted application and the scholarship offer letter, as PDF.

Each is rendered in the applicant's language (their profile's preferred language, as their
mail), whoever downloads it, and carries a link to its public verification page.
"""

from __future__ import annotations

from django.utils import timezone, translation

from admissions.models import Application, ApplicationChoice, ScholarshipAward
from admissions.papers.rendering import absolute_url, pdf_render
from admissions.papers.verification import PaperKind, paper_verify_path
from admissions.selectors import applicant_language, application_full

__all__ = ["paper_application_pdf", "paper_filename", "paper_offer_letter_pdf"]


def _verification(*, kind: PaperKind, key: str | int, language: str) -> str:
    with translation.override(language):
        return absolute_url(paper_verify_path(kind=kind, key=key))


def paper_filename(*, kind: PaperKind, reference: str) -> str:
    """The download name, e.g. ``KZO-2025-000123-application.pdf``."""
    suffix = "application" if kind == PaperKind.APPLICATION else "scholarship-offer"
    return f"{reference}-{suffix}.pdf"


def paper_application_pdf(*, application: Application) -> bytes:
    """The PDF of a submitted `application` (all its data, program choices, documents list,
    reference, submission time and consent version). Raises ValueError for a draft (no
    reference number yet)."""
    if not application.reference:
        raise ValueError("A draft has no paper: it is printed once submitted")
    application = application_full(pk=application.pk)
    language = applicant_language(application.applicant)
    context = {
        "application": application,
        "profile": getattr(application.applicant, "applicant_profile", None),
        "choices": list(application.choices.all()),
        "exam_results": list(application.exam_results.all()),
        "documents": sorted(application.documents.all(), key=lambda d: (d.kind, d.uploaded_at)),
        "verify_url": _verification(
            kind=PaperKind.APPLICATION, key=application.reference, language=language
        ),
        "issued_at": timezone.now(),
    }
    return pdf_render(
        template="admissions/papers/application.html", context=context, language=language
    )


def paper_offer_letter_pdf(*, award: ScholarshipAward) -> bytes:
    """The offer letter of a scholarship `award`: who is offered which scholarship, for
    which program and language of instruction, until when to answer (Omsk time), and the
    award's state."""
    award = ScholarshipAward.objects.select_related(
        "application__applicant__applicant_profile",
        "application__cycle",
        "fund",
        "offering__program",
        "offering__cycle",
    ).get(pk=award.pk)
    application = award.application
    language = applicant_language(application.applicant)
    choice = (
        ApplicationChoice.objects.filter(application=application, offering=award.offering)
        .select_related("language")
        .first()
    )
    context = {
        "award": award,
        "application": application,
        "profile": getattr(application.applicant, "applicant_profile", None),
        "choice": choice,
        "verify_url": _verification(kind=PaperKind.OFFER_LETTER, key=award.pk, language=language),
        "issued_at": timezone.now(),
    }
    return pdf_render(
        template="admissions/papers/offer_letter.html", context=context, language=language
    )

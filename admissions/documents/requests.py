"""Documents requested, the round trip: staff ask for named document kinds with a message;
the applicant replaces exactly those kinds (even a verified document) and says "I have
uploaded the documents", which returns the application to review and tells the officer.

Rules (DESIGN.md, invariant 3: after submission nothing changes but the documents staff
asked for, and withdrawal):

* While an application is `documents_requested` with an open request (`DocumentRequest`
  not answered), the applicant may upload and replace documents of the requested kinds
  only, verified ones included, and remove unverified documents of those kinds.
* A request made without kinds (rows from before kinds were recorded) keeps the older rule:
  any kind may be uploaded, pending and rejected documents replaced or removed, verified
  ones never.
* The answer is accepted once every requested kind has a document uploaded after the
  request; it moves the application back to `under_review` through the transition service
  (audited as the applicant's own move) and mails the officer who asked, in the language
  they worked in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from admissions.applications.lifecycle import Group, statuses_in
from admissions.applications.services import application_transition
from admissions.enums import ApplicationStatus, DocumentKind, DocumentStatus, SiteLanguage
from admissions.errors import DomainError
from admissions.models import Application, Document, DocumentRequest, StatusEvent
from admissions.notifications.outbox import notification_queue
from admissions.permissions import OFFICER_GROUP
from admissions.selectors import applicant_language

__all__ = [
    "document_change_refusal",
    "document_request_open",
    "documents_request",
    "documents_request_answer",
    "documents_request_many",
    "documents_still_requested",
]


# --- Reads and the rule ---------------------------------------------------------------------


def document_request_open(application: Application) -> DocumentRequest | None:
    """The request the applicant is answering: the latest unanswered one, while the
    application is `documents_requested`; otherwise None. Uses prefetched
    `document_requests` when the caller loaded them."""
    if application.status != ApplicationStatus.DOCUMENTS_REQUESTED:
        return None
    requests = sorted(
        application.document_requests.all(),
        key=lambda request: (request.requested_at, request.pk),
        reverse=True,
    )
    latest = requests[0] if requests else None
    return latest if latest is not None and latest.answered_at is None else None


def document_change_refusal(
    application: Application, *, kind: str, document: Document | None, removing: bool = False
) -> str | None:
    """Why the applicant may not upload (`document` None), replace or remove (`removing`)
    a document of `kind` now; None when they may. Only the status side of the rule: the
    caller checks that the actor is the applicant."""
    if application.status in statuses_in(Group.EDITABLE):
        return None
    if application.status not in statuses_in(Group.DOCUMENTS_MAY_CHANGE):
        return _(
            "Documents can no longer be changed: the application has been submitted. "
            "The admissions office will tell you if they need another document."
        )
    request = document_request_open(application)
    verified = document is not None and document.status == DocumentStatus.VERIFIED
    if request is None or not request.kinds:
        if verified:
            return _(
                "This document has already been verified by the admissions office and "
                "cannot be changed."
            )
        return None
    if kind not in request.kinds:
        return _(
            "The admissions office asked for other documents: only %(kinds)s can be uploaded now."
        ) % {"kinds": _kind_labels(request.kinds)}
    if removing and verified:
        # Replace it instead: a verified document stays on file until its successor arrives.
        return _(
            "This document has already been verified by the admissions office and cannot "
            "be removed; upload its replacement instead."
        )
    return None


def documents_still_requested(application: Application) -> list[str]:
    """Requested kinds without a document uploaded since the open request (in the order of
    the request); empty when there is no open request or everything has arrived."""
    request = document_request_open(application)
    if request is None:
        return []
    uploaded = {
        document.kind
        for document in application.documents.all()
        if document.uploaded_at >= request.requested_at
    }
    return [kind for kind in request.kinds if kind not in uploaded]


def _kind_labels(kinds: Iterable[str]) -> str:
    return ", ".join(f"“{DocumentKind(kind).label}”" for kind in kinds)


def _clean_kinds(kinds: Iterable[str]) -> list[str]:
    wanted = set(kinds)
    unknown = wanted - set(DocumentKind.values)
    if unknown:
        raise DomainError(_("Unknown document kind: %(kinds)s.") % {"kinds": sorted(unknown)})
    if not wanted:
        raise DomainError(_("Choose at least one document the applicant must upload."))
    return [kind for kind in DocumentKind.values if kind in wanted]


# --- Services -------------------------------------------------------------------------------


@transaction.atomic
def documents_request(
    *, application: Application, kinds: Sequence[str], note: str, actor
) -> DocumentRequest:
    """Ask the applicant for documents of `kinds` (DocumentKind values, at least one), with
    `note` (the message they read; required). Moves the application to
    `documents_requested` (audited, mailed with the kinds listed) and records the request,
    with the officer's current language for the reply mail.

    Raises DomainError for no kinds, an unknown kind, no note, or a move the state machine
    refuses (nothing is saved then).
    """
    kinds = _clean_kinds(kinds)
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say which documents are needed."))
    language = (translation.get_language() or "").split("-")[0]
    request = DocumentRequest.objects.create(
        application=application,
        kinds=kinds,
        note=note,
        requested_by=actor,
        language=language if language in SiteLanguage.values else SiteLanguage.RU,
    )
    application_transition(
        application=application,
        to_status=ApplicationStatus.DOCUMENTS_REQUESTED,
        actor=actor,
        note=note,
        mail_context={"requested_kinds": kinds},
    )
    return request


def documents_request_many(*, applications, kinds: Sequence[str], note: str, actor):
    """`documents_request` for each application, each in its own transaction; returns a
    `DecisionOutcome` (what was done, what was refused and why)."""
    from admissions.reviews.services import DecisionOutcome

    outcome = DecisionOutcome()
    for application in applications:
        try:
            documents_request(application=application, kinds=kinds, note=note, actor=actor)
        except DomainError as exc:
            outcome.refused.append((application, exc.message))
        else:
            outcome.done.append(application)
    return outcome


@transaction.atomic
def documents_request_answer(*, application: Application, actor) -> StatusEvent:
    """The applicant says they have uploaded what was asked: the application returns to
    `under_review` (a StatusEvent by the applicant), the request is marked answered and the
    officer who asked is mailed in their language (every officer, if that account is gone).

    Raises DomainError when `actor` is not the applicant, the application is not waiting
    for documents, or a requested kind has no new upload (the message names them).
    """
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if actor is None or actor.pk != locked.applicant_id:
        raise DomainError(_("Only the applicant can answer a request for documents."))
    if locked.status != ApplicationStatus.DOCUMENTS_REQUESTED:
        raise DomainError(_("The admissions office is not waiting for documents from you."))
    missing = documents_still_requested(locked)
    if missing:
        raise DomainError(
            _("Upload these documents first: %(kinds)s.") % {"kinds": _kind_labels(missing)}
        )
    request = document_request_open(locked)
    event = application_transition(
        application=locked, to_status=ApplicationStatus.UNDER_REVIEW, actor=actor
    )
    if request is not None:
        request.answered_at = timezone.now()
        request.save(update_fields=["answered_at"])
        _notify_officers(application=locked, request=request)
    application.status = locked.status
    return event


def _notify_officers(*, application: Application, request: DocumentRequest) -> None:
    officer = request.requested_by
    if officer is not None and officer.is_active and officer.email:
        recipients = [officer]
    else:
        recipients = list(
            get_user_model()
            .objects.filter(is_active=True, is_staff=True, groups__name=OFFICER_GROUP)
            .exclude(email="")
            .order_by("pk")
        )
    for recipient in recipients:
        notification_queue(
            recipient=recipient.email,
            template="documents_uploaded",
            context={
                "application_id": application.pk,
                "reference": application.reference or "",
                "requested_kinds": list(request.kinds),
                "requested_at": request.requested_at.isoformat(),
            },
            # The staff member's own mail language; the page language they asked in
            # stands in when they never chose one.
            language=applicant_language(recipient, default=request.language),
            key=f"documents-uploaded-{request.pk}-{recipient.pk}",
            user=recipient,
        )

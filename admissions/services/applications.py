"""Application state changes. Every move goes through `application_transition`."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from ..enums import ALLOWED_TRANSITIONS, ApplicationStatus
from ..errors import IllegalTransition
from ..models import Application, StatusEvent
from .notifications import notification_queue

__all__ = ["application_notify", "application_transition"]

# Which e-mail template announces arriving in a state; the rest use `status_changed`.
STATUS_TEMPLATES = {
    ApplicationStatus.SUBMITTED: "application_submitted",
    ApplicationStatus.DOCUMENTS_REQUESTED: "documents_requested",
}


def application_notify(*, application: Application, template: str, key: str, **extra) -> None:
    """Queue a mail about `application` to its applicant, in their language."""
    user = application.applicant
    profile = getattr(user, "applicant_profile", None)
    language = profile.preferred_language if profile else "ru"
    context = {
        "application_id": application.pk,
        "reference": application.reference or "",
        "status": application.status,
        "name": profile.first_name_native if profile else "",
        **extra,
    }
    notification_queue(
        recipient=user.email,
        template=template,
        context=context,
        language=language,
        key=key,
        user=user,
    )


@transaction.atomic
def application_transition(
    *,
    application: Application,
    to_status: str,
    actor=None,
    note: str = "",
) -> StatusEvent:
    """Move `application` to `to_status`, audit it and queue the applicant's mail.

    The row is locked, so two concurrent moves cannot both start from the same state.
    Raises `IllegalTransition` for a move the state machine does not allow.
    """
    locked = Application.objects.select_for_update().get(pk=application.pk)
    from_status = locked.status
    if to_status not in ALLOWED_TRANSITIONS.get(from_status, frozenset()):
        raise IllegalTransition(
            _("An application that is “%(from)s” cannot become “%(to)s”.")
            % {
                "from": ApplicationStatus(from_status).label,
                "to": ApplicationStatus(to_status).label,
            }
        )
    locked.status = to_status
    update_fields = ["status", "updated_at"]
    if to_status == ApplicationStatus.DOCUMENTS_REQUESTED:
        locked.documents_request_message = note
        update_fields.append("documents_request_message")
    elif to_status in (
        ApplicationStatus.REJECTED,
        ApplicationStatus.ACCEPTED,
        ApplicationStatus.WAITLISTED,
    ):
        locked.decision_note = note
        update_fields.append("decision_note")
    locked.save(update_fields=update_fields)
    event = StatusEvent.objects.create(
        application=locked, from_status=from_status, to_status=to_status, actor=actor, note=note
    )
    application_notify(
        application=locked,
        template=STATUS_TEMPLATES.get(to_status, "status_changed"),
        key=f"application-{locked.pk}-event-{event.pk}",
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    # Keep the caller's instance in step with the database.
    application.status = locked.status
    application.documents_request_message = locked.documents_request_message
    application.decision_note = locked.decision_note
    return event

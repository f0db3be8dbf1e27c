"""Release of decisions at the cycle's results time.

Decisions (accepted, waitlisted, rejected) made before a cycle's results time are held by
`application_transition`: staff see them at once, the applicant does not (their page shows
`Application.released_status`, the audit row is `withheld`, no mail is queued). At the
results time, or at once for a cycle that releases decisions immediately, the release job
shows each held decision and queues its mail, in one transaction per application, with
the same outbox key an immediate decision would have had: the mail goes out once, however
often the job runs.
"""

from __future__ import annotations

import datetime as _dt

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from admissions.applications import lifecycle
from admissions.applications.services import application_notify
from admissions.models import Application, StatusEvent

__all__ = [
    "application_as_applicant_sees",
    "application_release_decision",
    "decision_release_time",
    "decisions_due",
    "decisions_pending_release",
    "decisions_release",
]


def decisions_pending_release(queryset: QuerySet[Application] | None = None):
    """Applications (of `queryset`, default all) whose decision the applicant has not seen."""
    queryset = Application.objects.all() if queryset is None else queryset
    return queryset.exclude(released_status="")


def decisions_due(*, now: _dt.datetime | None = None) -> QuerySet[Application]:
    """Held decisions whose cycle releases them now (results time reached, or released
    immediately because the cycle says so)."""
    now = now or timezone.now()
    return decisions_pending_release().filter(
        Q(cycle__release_decisions_immediately=True) | Q(cycle__results_at__lte=now)
    )


@transaction.atomic
def application_release_decision(
    *, application_id: int, now: _dt.datetime | None = None
) -> StatusEvent | None:
    """Show the held decision of application `application_id` to its applicant and queue
    its mail. Returns the released audit row, or None when there is nothing to release
    (already released, changed back, or the cycle's results time not reached)."""
    now = now or timezone.now()
    locked = Application.objects.select_for_update().get(pk=application_id)
    if not locked.released_status or not locked.cycle.decisions_released(now):
        return None
    shown = locked.released_status
    # While a decision is held every move records a newer event, so the latest is it.
    event = locked.events.order_by("-created_at", "-pk").first()
    locked.released_status = ""
    locked.save(update_fields=["released_status", "updated_at"])
    event.withheld = False
    event.released_at = now
    event.save(update_fields=["withheld", "released_at"])
    application_notify(
        application=locked,
        template=lifecycle.spec(locked.status).mail or "status_changed",
        key=f"application-{locked.pk}-event-{event.pk}",
        from_status=shown,
        to_status=locked.status,
        note=locked.decision_note,
    )
    return event


def decisions_release(*, now: _dt.datetime | None = None) -> int:
    """Release every held decision that is due (`decisions_due`); returns how many.
    Safe to run any number of times and concurrently (each application is locked)."""
    now = now or timezone.now()
    released = 0
    for application_id in list(decisions_due(now=now).values_list("pk", flat=True)):
        if application_release_decision(application_id=application_id, now=now) is not None:
            released += 1
    return released


def decision_release_time(*, cycle, to_status: str) -> _dt.datetime | None:
    """When applicants of `cycle` would see a move to `to_status` made now: the results
    time for a decision that would be held, else None (at once)."""
    if lifecycle.released_at_results(to_status) and not cycle.decisions_released():
        return cycle.results_at
    return None


def application_as_applicant_sees(application: Application) -> Application:
    """`application` for display to its applicant: a held decision replaced by the status
    they saw before it, its note removed. The instance is for reading only (never saved);
    the timeline is filtered separately (`StatusEvent.withheld`)."""
    if application is not None and application.released_status:
        application.status = application.released_status
        application.decision_note = ""
    return application

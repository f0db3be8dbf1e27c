"""What an applicant must do after a decision, and by when: the `NextStep` rows of the
application's cycle for the status the applicant sees.

The steps are data, edited per cycle in the admin (on the cycle's page) and translated.
A decision held until the results time (`Application.released_status`, see
`admissions.applications.release`) shows the steps of the status the applicant still sees,
never those of the held decision. A due date is either fixed or a number of days after the
applicant saw the status (the day of the decision, or of its release), counted in Omsk
local dates.

Read by the applicant's dashboard (`templates/admissions/partials/next_steps.html`) and by
`application_notify`, which stores the steps in the mail's context in the applicant's
language (`templates/emails/_next_steps.{html,txt}`).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation

from admissions.models import Application, NextStep
from programs.page_cache import catalogue_cached

__all__ = [
    "DueStep",
    "application_next_steps",
    "application_status_seen",
    "next_steps_mail_context",
    "status_seen_at",
]


@dataclass(frozen=True)
class DueStep:
    """One step as the applicant reads it: `due` is an Omsk calendar date or None."""

    title: str
    instructions: str
    due: _dt.date | None


def application_status_seen(application: Application) -> str:
    """The status the applicant sees: the one before a held decision, else the status."""
    return application.released_status or application.status


def status_seen_at(application: Application) -> _dt.datetime | None:
    """When the applicant was shown the status they see now: the release time of the
    latest announced move into it, or that move's own time. Reads `application.events`
    (prefetched by the dashboard's selector, so no query there); None without such a move.
    """
    status = application_status_seen(application)
    moves = [
        event
        for event in application.events.all()
        if event.to_status == status and not event.withheld
    ]
    if not moves:
        return None
    latest = max(moves, key=lambda event: (event.created_at, event.pk))
    return latest.released_at or latest.created_at


def _local_date(moment: _dt.datetime) -> _dt.date:
    return timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE)).date()


def _due(step: NextStep, seen_at: _dt.datetime | None) -> _dt.date | None:
    if step.due_date is not None:
        return step.due_date
    if step.due_days is not None and seen_at is not None:
        return _local_date(seen_at) + _dt.timedelta(days=step.due_days)
    return None


def _steps(*, cycle_id: int, status: str) -> Iterable[NextStep]:
    """The cycle's steps after `status`, read once per catalogue version (a saved or
    deleted step makes a new version, see AdmissionsConfig.ready), not on every page."""
    return catalogue_cached(
        f"next-steps:{cycle_id}:{status}",
        lambda: list(
            NextStep.objects.filter(cycle_id=cycle_id, status=status).order_by("position", "pk")
        ),
    )


def application_next_steps(
    *, application: Application | None, seen_at: _dt.datetime | None = None
) -> list[DueStep]:
    """The next steps of `application` for the status its applicant sees, in the active
    language, in order, with due dates computed.

    `seen_at` (aware datetime): when the applicant saw that status; default
    `status_seen_at(application)`. One query. An empty list for no application or no steps.
    """
    if application is None:
        return []
    if seen_at is None:
        seen_at = status_seen_at(application)
    return [
        DueStep(title=step.title, instructions=step.instructions, due=_due(step, seen_at))
        for step in _steps(
            cycle_id=application.cycle_id, status=application_status_seen(application)
        )
    ]


def next_steps_mail_context(
    *, application: Application, language: str, seen_at: _dt.datetime | None = None
) -> list[dict[str, str]]:
    """The next steps for a mail, JSON-ready: [{"title", "instructions", "due"}] with the
    texts in `language` (a site language code) and `due` an ISO date or "".

    `seen_at` defaults to now: the mail is queued when the applicant is told.
    """
    seen_at = seen_at or timezone.now()
    with translation.override(language):
        steps = application_next_steps(application=application, seen_at=seen_at)
    return [
        {
            "title": step.title,
            "instructions": step.instructions,
            "due": step.due.isoformat() if step.due else "",
        }
        for step in steps
    ]

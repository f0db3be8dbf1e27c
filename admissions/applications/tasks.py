"""Reminders of unfinished drafts before the deadline (Celery beat, daily) and the release of
decisions at the cycle's results time (Celery beat, each minute)."""

from __future__ import annotations

from celery import shared_task

from admissions.applications.release import decisions_release
from admissions.applications.services import drafts_remind

__all__ = ["release_decisions", "remind_drafts"]


@shared_task(name="admissions.remind_drafts")
def remind_drafts() -> int:
    """Queue the 7-, 3- and 1-day reminders that are due; safe to run any number of times."""
    return drafts_remind()


@shared_task(name="admissions.release_decisions")
def release_decisions() -> int:
    """Show and mail the decisions whose cycle's results time has come."""
    return decisions_release()

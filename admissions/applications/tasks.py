"""Reminders of unfinished drafts before the deadline (Celery beat, daily)."""

from __future__ import annotations

from celery import shared_task

from admissions.applications.services import drafts_remind

__all__ = ["remind_drafts"]


@shared_task(name="admissions.remind_drafts")
def remind_drafts() -> int:
    """Queue the 7-, 3- and 1-day reminders that are due; safe to run any number of times."""
    return drafts_remind()

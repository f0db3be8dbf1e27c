"""The daily staff digest (beat: 08:00 Asia/Omsk, see setup_periodic_tasks)."""

from __future__ import annotations

from celery import shared_task

from ..services.digest import staff_digest_send

__all__ = ["staff_digest"]


@shared_task(name="admissions.staff_digest")
def staff_digest() -> int:
    # Safe to run twice: the service queues one mail per staff member per local date.
    return staff_digest_send()

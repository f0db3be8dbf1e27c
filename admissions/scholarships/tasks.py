"""Scheduled scholarship jobs. Thin: the services lock each award, so runs may overlap."""

from __future__ import annotations

from celery import shared_task

from admissions.scholarships.awards import awards_expire, awards_remind

__all__ = ["expire_offers", "remind_offers"]


@shared_task(name="admissions.remind_offers")
def remind_offers() -> int:
    """Mail open offers 2 days and 1 day before they expire (once each: idempotency keys)."""
    return awards_remind()


@shared_task(name="admissions.expire_offers")
def expire_offers() -> int:
    """Expire unanswered offers and offer each freed seat to the next applicant."""
    return awards_expire()

"""Mail tasks: the outbox (thin wrappers around `admissions.notifications.outbox`) and the
daily staff digest (beat: 08:00 Asia/Omsk, see setup_periodic_tasks)."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from celery.signals import worker_process_shutdown
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from admissions.enums import MailState
from admissions.models import OutgoingMail
from admissions.notifications.digest import staff_digest_send
from admissions.notifications.outbox import (
    mail_connection_close,
    mail_deliver,
    mail_deliver_batch,
    mail_enqueue_batch,
    mail_retry_countdown,
)

__all__ = ["mail_send", "mail_send_batch", "mail_sweep", "staff_digest"]

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500


@shared_task(
    name="admissions.mail_send",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    # The attempt count lives in the row (OUTBOX_MAX_ATTEMPTS), not in the message: a
    # re-enqueued mail (sweep, re-send) keeps counting from where it was.
    max_retries=None,
)
def mail_send(self, mail_id: int) -> str:
    """Send one outbox row at most once; retry transient SMTP failures with backoff."""
    delivery = mail_deliver(mail_id=mail_id)
    if delivery.outcome == "retry":
        if self.request.is_eager:
            # No broker to wait on (local set-up): the row stays pending for the sweep.
            return delivery.outcome
        # Raised after mail_deliver committed, so the attempt count is saved. If the broker
        # is down now, the retry is lost but the row is pending: the sweep picks it up.
        raise self.retry(countdown=delivery.countdown, max_retries=None)
    return delivery.outcome


@shared_task(
    name="admissions.mail_send_batch",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
)
def mail_send_batch(self, mail_ids: list[int]) -> dict[str, int]:
    """Send a batch of outbox rows over one SMTP connection, each at most once (see
    `mail_deliver_batch`); rows that failed transiently come back in retry batches after
    their backoff. Returns how many rows had each outcome.

    A lost or crashed task loses nothing: each outcome is written under the task's claim
    on the row, a redelivered batch skips the rows already sent or claimed, and the sweep
    re-enqueues rows left pending (also when the retry could not be enqueued) and rows
    whose claim went stale (the worker died while sending them).
    """
    outcomes = mail_deliver_batch(mail_ids=mail_ids)
    retries: dict[float, list[int]] = {}
    for mail_id, delivery in outcomes.items():
        if delivery.outcome == "retry":
            retries.setdefault(delivery.countdown, []).append(mail_id)
    if retries and not self.request.is_eager:
        # Enqueued after each row's attempt committed, so the attempt counts are saved.
        # No broker to wait on (eager, local set-up): the rows stay pending for the sweep.
        for countdown, ids in retries.items():
            mail_enqueue_batch(ids, countdown=countdown)
    counts: dict[str, int] = {}
    for delivery in outcomes.values():
        counts[delivery.outcome] = counts.get(delivery.outcome, 0) + 1
    return counts


@worker_process_shutdown.connect
def _close_smtp_connection(**_kwargs) -> None:
    """Say goodbye to the SMTP server on the connection a worker process kept open."""
    mail_connection_close()


def _due_for_sweep(now) -> Q:
    """Rows whose task must have been lost: pending and never tried, older than the grace
    period; pending and past their retry countdown plus the grace period; or claimed by a
    worker longer ago than OUTBOX_CLAIM_SECONDS (the worker died while sending them)."""
    grace = timedelta(seconds=settings.OUTBOX_GRACE_SECONDS)
    due = Q(attempts=0, created_at__lte=now - grace)
    for attempts in range(1, settings.OUTBOX_MAX_ATTEMPTS + 1):
        wait = timedelta(seconds=mail_retry_countdown(attempts)) + grace
        due |= Q(attempts=attempts, last_attempt_at__lte=now - wait)
    stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
    return (Q(state=MailState.PENDING) & due) | (
        Q(state=MailState.SENDING) & (Q(claimed_at__lte=stale) | Q(claimed_at__isnull=True))
    )


@shared_task(name="admissions.mail_sweep")
def mail_sweep() -> int:
    """Re-enqueue mail still pending after the grace period (queued while the broker was
    down, or whose task was lost) and mail whose worker died while sending it (a stale
    claim). Sending twice is impossible: the task claims each row before sending it, and
    skips rows that are sent, claimed by a live worker, or whose retry is not due yet."""
    ids = list(
        OutgoingMail.objects.filter(_due_for_sweep(timezone.now()))
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    enqueued = mail_enqueue_batch(ids)
    if ids:
        logger.info("Outbox sweep re-enqueued %s of %s pending mail", enqueued, len(ids))
    return enqueued


@shared_task(name="admissions.staff_digest")
def staff_digest() -> int:
    # Safe to run twice: the service queues one mail per staff member per local date.
    return staff_digest_send()

"""A send task claims its rows ("sending", with the claim time) before it talks to the SMTP
server, writes each outcome only under its own claim, and holds no database transaction
while it sends. A claim older than OUTBOX_CLAIM_SECONDS is a dead worker's: the sweep hands
the row to the next task, which sends it once."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail as django_mail
from django.db import connection, connections, transaction
from django.utils import timezone

from admissions.enums import MailState
from admissions.models import OutgoingMail
from admissions.notifications import outbox
from admissions.notifications.outbox import (
    mail_connection_close,
    mail_deliver_batch,
    notification_queue,
)
from admissions.notifications.tasks import mail_send_batch, mail_sweep
from tests.services_fixtures import broker_at, dead_broker_url, free_port

pytestmark = pytest.mark.django_db


def queue(number: int) -> OutgoingMail:
    return notification_queue(
        recipient=f"r{number}@example.org",
        template="test_notification",
        context={"requested_at": "2025-09-15T04:00:00+00:00"},
        language="kk",
        key=f"claims-{number}",
    )


def queued(count: int, django_capture_on_commit_callbacks) -> list[OutgoingMail]:
    """`count` pending rows, not handed to any worker (the test sends them)."""
    with django_capture_on_commit_callbacks(execute=False):
        return [queue(number) for number in range(count)]


def states(mails: list[OutgoingMail]) -> list[str]:
    found = dict(
        OutgoingMail.objects.filter(pk__in=[m.pk for m in mails]).values_list("pk", "state")
    )
    return [found[m.pk] for m in mails]


def sent_to() -> Counter:
    return Counter(message.to[0] for message in django_mail.outbox)


# --- Claims left by a dead worker -----------------------------------------------------------


def test_a_claim_abandoned_by_a_dead_worker_is_sent_by_the_sweep_exactly_once(
    settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_CLAIM_SECONDS = 600
    abandoned, live = queued(2, django_capture_on_commit_callbacks)
    now = timezone.now()
    # A worker claimed the first row eleven minutes ago and died; another is sending the
    # second right now.
    OutgoingMail.objects.filter(pk=abandoned.pk).update(
        state=MailState.SENDING, claimed_at=now - timedelta(minutes=11)
    )
    OutgoingMail.objects.filter(pk=live.pk).update(state=MailState.SENDING, claimed_at=now)

    assert mail_sweep() == 1  # the abandoned claim only (tasks run eagerly here)
    assert states([abandoned, live]) == [MailState.SENT, MailState.SENDING]
    assert sent_to() == Counter({"r0@example.org": 1})
    abandoned.refresh_from_db()
    assert (abandoned.attempts, abandoned.last_error) == (1, "")

    # Sweeping again, or a task for both rows, sends nothing more.
    assert mail_sweep() == 0
    outcomes = mail_deliver_batch(mail_ids=[abandoned.pk, live.pk])
    assert {delivery.outcome for delivery in outcomes.values()} == {"skipped"}
    assert sent_to() == Counter({"r0@example.org": 1})


def test_a_claim_goes_stale_only_after_the_claim_time(
    settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_CLAIM_SECONDS = 600
    (mail,) = queued(1, django_capture_on_commit_callbacks)
    claimed_at = timezone.now()
    OutgoingMail.objects.filter(pk=mail.pk).update(state=MailState.SENDING, claimed_at=claimed_at)
    with time_machine.travel(claimed_at + timedelta(seconds=599), tick=False):
        assert mail_sweep() == 0
        assert mail_deliver_batch(mail_ids=[mail.pk])[mail.pk].outcome == "skipped"
    with time_machine.travel(claimed_at + timedelta(seconds=600), tick=False):
        assert mail_sweep() == 1
    assert states([mail]) == [MailState.SENT]
    assert len(django_mail.outbox) == 1


# --- While a batch runs ------------------------------------------------------------------------


@pytest.fixture
def hand_over_hook(monkeypatch):
    """Run a callable, given the row, right after each mail is handed to the backend."""
    hooks: list = []
    real = outbox._hand_over

    def hand_over(backend, mail, **kwargs):
        real(backend, mail, **kwargs)
        for hook in hooks:
            hook(mail)

    monkeypatch.setattr(outbox, "_hand_over", hand_over)
    return hooks


def test_a_long_batch_renews_its_claims_and_leaves_a_row_taken_over_to_its_new_worker(
    settings, hand_over_hook, django_capture_on_commit_callbacks
):
    settings.OUTBOX_CLAIM_SECONDS = 600
    mails = queued(4, django_capture_on_commit_callbacks)
    started = timezone.now()
    with time_machine.travel(started, tick=False) as clock:

        def after_each(mail):
            # Every mail takes four minutes; while the first goes out, the last row's
            # claim is taken over by another task (as if this one had stalled).
            clock.shift(timedelta(minutes=4))
            if mail.pk == mails[0].pk:
                OutgoingMail.objects.filter(pk=mails[3].pk).update(
                    claimed_at=timezone.now() - timedelta(seconds=1)
                )

        hand_over_hook.append(after_each)
        outcomes = mail_deliver_batch(mail_ids=[m.pk for m in mails])
    assert [outcomes[m.pk].outcome for m in mails] == ["sent", "sent", "sent", "skipped"]
    assert sent_to() == Counter({f"r{n}@example.org": 1 for n in range(3)})
    # Its claims were renewed as they aged (every mail found its row still claimed by
    # this task), and the row taken over is still the other task's.
    assert states(mails) == [MailState.SENT] * 3 + [MailState.SENDING]
    mails[3].refresh_from_db()
    assert mails[3].claimed_at == started + timedelta(minutes=4) - timedelta(seconds=1)


def test_an_outcome_is_not_written_over_a_claim_another_task_holds(
    hand_over_hook, caplog, django_capture_on_commit_callbacks
):
    (mail,) = queued(1, django_capture_on_commit_callbacks)
    taken_over_at = timezone.now() + timedelta(hours=1)
    hand_over_hook.append(
        lambda sent: OutgoingMail.objects.filter(pk=sent.pk).update(claimed_at=taken_over_at)
    )
    with caplog.at_level(logging.WARNING, logger="admissions.notifications.outbox"):
        mail_deliver_batch(mail_ids=[mail.pk])
    mail.refresh_from_db()
    assert (mail.state, mail.claimed_at, mail.attempts) == (
        MailState.SENDING,
        taken_over_at,
        0,
    )
    assert "claim taken over" in caplog.text


def test_an_unexpected_error_keeps_what_was_sent_and_puts_the_untried_rows_back(
    monkeypatch, django_capture_on_commit_callbacks
):
    mails = queued(5, django_capture_on_commit_callbacks)
    real = outbox._send_claimed
    calls = []

    def send_claimed(mail, rows, **kwargs):
        calls.append(mail.pk)
        if len(calls) == 3:
            raise RuntimeError("the worker's code broke")
        return real(mail, rows, **kwargs)

    monkeypatch.setattr(outbox, "_send_claimed", send_claimed)
    with pytest.raises(RuntimeError):
        mail_deliver_batch(mail_ids=[m.pk for m in mails])
    # The two sent are marked (their group written on the way out); the third, in flight
    # when it broke, is left to its claim going stale; the two not tried are pending.
    assert states(mails) == [
        MailState.SENT,
        MailState.SENT,
        MailState.SENDING,
        MailState.PENDING,
        MailState.PENDING,
    ]
    assert sent_to() == Counter({"r0@example.org": 1, "r1@example.org": 1})


def test_a_message_the_backend_refuses_fails_alone(
    monkeypatch, django_capture_on_commit_callbacks
):
    mails = queued(3, django_capture_on_commit_callbacks)
    real = outbox._hand_over

    def hand_over(backend, mail, **kwargs):
        if mail.pk == mails[1].pk:
            raise ValueError("Invalid address")
        real(backend, mail, **kwargs)

    monkeypatch.setattr(outbox, "_hand_over", hand_over)
    outcomes = mail_deliver_batch(mail_ids=[m.pk for m in mails])
    assert [outcomes[m.pk].outcome for m in mails] == ["sent", "failed", "sent"]
    assert states(mails) == [MailState.SENT, MailState.FAILED, MailState.SENT]
    mails[1].refresh_from_db()
    assert (mails[1].attempts, mails[1].last_error) == (1, "ValueError: Invalid address")


def test_a_batch_costs_a_few_queries_however_many_mails_it_sends(
    django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    mails = queued(25, django_capture_on_commit_callbacks)
    mail_deliver_batch(mail_ids=[mails[0].pk])  # reads the office into the cache
    # One claim (savepoint, lock, mark, release), then the sent rows written in groups.
    groups = -(-24 // outbox.MARK_GROUP_SIZE)
    with django_assert_max_num_queries(4 + groups):
        outcomes = mail_deliver_batch(mail_ids=[m.pk for m in mails[1:]])
    assert {delivery.outcome for delivery in outcomes.values()} == {"sent"}
    assert len(django_mail.outbox) == 25


# --- Against PostgreSQL and a real SMTP server ----------------------------------------------


class WatchingHandler:
    """Accepts every message; when one arrives, records the states of the outbox rows and
    whether any other connection to the database is inside a transaction, both read on a
    connection of its own."""

    def __init__(self, database_alias: str):
        self.alias = database_alias
        self.received: list[bytes] = []
        self.seen: list[tuple[dict[str, str], list[str]]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        seen = await asyncio.to_thread(self._look)
        with self.lock:
            self.received.append(envelope.original_content)
            self.seen.append(seen)
        return "250 OK"

    def _look(self):
        db = connections[self.alias]
        try:
            with db.cursor() as cursor:
                cursor.execute("SELECT recipient, state FROM admissions_outgoingmail ORDER BY id")
                rows = dict(cursor.fetchall())
                cursor.execute(
                    "SELECT state FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%%'"
                )
                open_transactions = [state for (state,) in cursor.fetchall()]
        finally:
            db.close()
        return rows, open_transactions


@pytest.mark.postgres
@pytest.mark.smtp
@pytest.mark.django_db(transaction=True)
def test_no_database_transaction_is_open_while_the_smtp_server_is_spoken_to(settings):
    handler = WatchingHandler(connection.alias)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    mail_connection_close()
    try:
        # Queued and committed, but not handed to a worker (the broker is down): this
        # test runs the task itself.
        with broker_at(dead_broker_url()), transaction.atomic():
            mails = [queue(number) for number in range(3)]
        counts = mail_send_batch.apply(args=([m.pk for m in mails],)).result
    finally:
        mail_connection_close()
        controller.stop()
    assert counts == {"sent": 3}
    for number, (rows, open_transactions) in enumerate(handler.seen):
        # The mail being received is claimed, the ones before it are sent (or waiting in
        # the group to be marked), the ones after it still claimed; and the worker holds
        # no transaction open meanwhile.
        assert rows[f"r{number}@example.org"] == MailState.SENDING
        assert open_transactions == []
    # What the server got is, byte for byte, the message built when the mail was queued.
    stored = [bytes(m.message) for m in OutgoingMail.objects.order_by("pk")]
    assert [received.rstrip(b"\r\n") for received in handler.received] == [
        message.rstrip(b"\r\n") for message in stored
    ]

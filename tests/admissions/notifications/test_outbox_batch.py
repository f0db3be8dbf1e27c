"""Mail sent in batches: queued together, enqueued together after commit, sent one after the
other over one SMTP connection, each row claimed with SKIP LOCKED and marked as it goes.

The guarantees of the single-mail path hold per row: at most one message per successful
claim, retries with backoff, a failure of one mail loses no other, a dropped connection
is reopened."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from django.core import mail as django_mail
from django.db import connection, transaction

from admissions.enums import MailState
from admissions.models import OutgoingMail
from admissions.notifications import outbox
from admissions.notifications.outbox import (
    mail_connection_close,
    mail_deliver_batch,
    notification_queue,
)
from admissions.notifications.tasks import mail_send_batch
from tests.services_fixtures import broker_at, dead_broker_url, free_port, wait_until

pytestmark = pytest.mark.django_db


def queue(key: str, recipient: str = "applicant@example.org") -> OutgoingMail:
    return notification_queue(
        recipient=recipient,
        template="test_notification",
        context={"requested_at": "2025-09-15T04:00:00+00:00"},
        language="ru",
        key=key,
    )


# --- Enqueued together, after commit --------------------------------------------------------


@pytest.fixture
def enqueued(monkeypatch) -> list[tuple[list[int], float | None]]:
    """The batches handed to the broker (ids, countdown), instead of the broker."""
    calls: list[tuple[list[int], float | None]] = []

    def apply_async(args, countdown=None, **_options):
        calls.append((list(args[0]), countdown))

    monkeypatch.setattr(mail_send_batch, "apply_async", apply_async)
    return calls


def test_mail_queued_in_one_transaction_goes_to_the_broker_in_even_batches_after_commit(
    settings, enqueued, django_capture_on_commit_callbacks
):
    settings.OUTBOX_BATCH_SIZE = 25
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        mails = [queue(f"burst-{number}") for number in range(60)]
    assert enqueued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    # As few tasks as hold at most 25 each, the same size, so the workers share them.
    assert [len(ids) for ids, _countdown in enqueued] == [20, 20, 20]
    assert [mail_id for ids, _countdown in enqueued for mail_id in ids] == [m.pk for m in mails]
    assert {countdown for _ids, countdown in enqueued} == {None}


def test_mail_of_a_rolled_back_transaction_is_never_enqueued(enqueued):
    with pytest.raises(RuntimeError), transaction.atomic():
        queue("rolled-back")
        raise RuntimeError("the caller fails")
    assert enqueued == []
    assert not OutgoingMail.objects.filter(idempotency_key="rolled-back").exists()


def test_a_rolled_back_savepoint_loses_none_of_the_mail_queued_around_it(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        before = queue("before", "before@example.org")
        with pytest.raises(RuntimeError), transaction.atomic():
            queue("inside", "inside@example.org")
            raise RuntimeError("the inner step fails")
        after = queue("after", "after@example.org")
    sent = sorted(message.to[0] for message in django_mail.outbox)
    assert sent == ["after@example.org", "before@example.org"]
    assert set(OutgoingMail.objects.values_list("pk", "state")) == {
        (before.pk, MailState.SENT),
        (after.pk, MailState.SENT),
    }


def test_broker_down_leaves_the_batch_pending_for_the_sweep_within_seconds(
    django_capture_on_commit_callbacks,
):
    with broker_at(dead_broker_url()):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            mails = [queue(f"no-broker-{number}") for number in range(60)]
        elapsed = time.monotonic() - started
    assert elapsed < 5  # one failed hand-over, not one per batch or per mail
    assert {m.state for m in OutgoingMail.objects.filter(pk__in=[m.pk for m in mails])} == {
        MailState.PENDING
    }
    assert django_mail.outbox == []


# --- Sent over one connection ----------------------------------------------------------------


class ScriptedHandler:
    """Accepts every message, except what `script` says for a recipient:
    "550"/"451" refuse it at RCPT; "drop-after" accepts it, then closes the connection;
    "drop-during" closes the connection instead of answering its DATA (once each)."""

    def __init__(self):
        self.script: dict[str, str] = {}
        self.received: list[tuple[str, str, tuple]] = []  # (recipient, Message-ID, peer)
        self.connections = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        action = self.script.get(address)
        if action == "550":
            return "550 5.1.1 No such user here"
        if action == "451":
            return "451 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        (recipient,) = envelope.rcpt_tos
        action = self.script.get(recipient)
        if action == "drop-during":
            del self.script[recipient]
            server.transport.close()
            return "421 closing"
        message_id = next(
            line.split(":", 1)[1].strip()
            for line in envelope.original_content.decode().splitlines()
            if line.lower().startswith("message-id:")
        )
        with self.lock:
            self.received.append((recipient, message_id, tuple(session.peer)))
        if action == "drop-after":
            del self.script[recipient]
            asyncio.get_running_loop().call_soon(server.transport.close)
        return "250 OK"


class ScriptedServer:
    def __init__(self):
        self.port = free_port()
        self.handler = ScriptedHandler()
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=10
        )

    def peers(self) -> set[tuple]:
        return {peer for _recipient, _message_id, peer in self.handler.received}

    def recipients(self) -> Counter:
        return Counter(recipient for recipient, _message_id, _peer in self.handler.received)


@pytest.fixture
def server(settings):
    server = ScriptedServer()
    server.controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    mail_connection_close()
    yield server
    mail_connection_close()
    if server.controller.loop.is_running():
        server.controller.stop()


def queued(count: int, django_capture_on_commit_callbacks) -> list[OutgoingMail]:
    """`count` pending rows, not handed to any worker (the test sends them)."""
    with django_capture_on_commit_callbacks(execute=False):
        return [queue(f"batch-{number}", f"r{number}@example.org") for number in range(count)]


def states(mails: list[OutgoingMail]) -> list[tuple[str, int]]:
    """(state, attempts) of each of `mails`, in their order."""
    rows = {
        pk: (state, attempts)
        for pk, state, attempts in OutgoingMail.objects.filter(
            pk__in=[m.pk for m in mails]
        ).values_list("pk", "state", "attempts")
    }
    return [rows[m.pk] for m in mails]


def test_a_batch_goes_through_one_connection_and_each_row_is_marked_sent(
    server, django_capture_on_commit_callbacks
):
    mails = queued(6, django_capture_on_commit_callbacks)
    outcomes = mail_deliver_batch(mail_ids=[m.pk for m in mails])
    assert [outcomes[m.pk].outcome for m in mails] == ["sent"] * 6
    assert states(mails) == [(MailState.SENT, 1)] * 6
    assert len(server.peers()) == 1
    message_ids = [message_id for _r, message_id, _p in server.handler.received]
    assert len(set(message_ids)) == 6
    # Run again (a redelivered task): nothing is sent twice.
    again = mail_deliver_batch(mail_ids=[m.pk for m in mails])
    assert {delivery.outcome for delivery in again.values()} == {"skipped"}
    assert len(server.handler.received) == 6


def test_refused_recipients_in_the_middle_of_a_batch_fail_alone(
    server, django_capture_on_commit_callbacks
):
    mails = queued(5, django_capture_on_commit_callbacks)
    server.handler.script = {"r1@example.org": "550", "r2@example.org": "451"}
    outcomes = mail_deliver_batch(mail_ids=[m.pk for m in mails])
    assert [outcomes[m.pk].outcome for m in mails] == ["sent", "failed", "retry", "sent", "sent"]
    assert states(mails) == [
        (MailState.SENT, 1),
        (MailState.FAILED, 1),  # permanent: not retried
        (MailState.PENDING, 1),  # transient: retried after its backoff
        (MailState.SENT, 1),
        (MailState.SENT, 1),
    ]
    assert outcomes[mails[2].pk].countdown == outbox.mail_retry_countdown(1)
    refused = OutgoingMail.objects.get(pk=mails[1].pk)
    assert "550" in refused.last_error
    assert server.recipients() == Counter(
        {"r0@example.org": 1, "r3@example.org": 1, "r4@example.org": 1}
    )


def test_a_connection_dropped_after_a_mail_is_reopened_for_the_rest(
    server, django_capture_on_commit_callbacks
):
    mails = queued(5, django_capture_on_commit_callbacks)
    server.handler.script = {"r1@example.org": "drop-after"}
    outcomes = mail_deliver_batch(mail_ids=[m.pk for m in mails])
    assert [outcomes[m.pk].outcome for m in mails] == ["sent"] * 5
    assert states(mails) == [(MailState.SENT, 1)] * 5
    assert server.recipients() == Counter({f"r{n}@example.org": 1 for n in range(5)})
    assert len(server.peers()) == 2  # one connection up to the drop, a new one after


def test_a_connection_dropped_during_a_mail_sends_that_mail_once_on_a_new_one(
    server, django_capture_on_commit_callbacks
):
    mails = queued(4, django_capture_on_commit_callbacks)
    server.handler.script = {"r2@example.org": "drop-during"}
    outcomes = mail_deliver_batch(mail_ids=[m.pk for m in mails])
    assert [outcomes[m.pk].outcome for m in mails] == ["sent"] * 4
    assert states(mails) == [(MailState.SENT, 1)] * 4
    assert server.recipients() == Counter({f"r{n}@example.org": 1 for n in range(4)})


def test_server_down_costs_one_connection_attempt_and_every_mail_is_retried(
    server, monkeypatch, django_capture_on_commit_callbacks
):
    mails = queued(4, django_capture_on_commit_callbacks)
    server.controller.stop()
    opened = []
    real_get_connection = outbox.get_connection

    def counting_get_connection(**kwargs):
        opened.append(kwargs)
        return real_get_connection(**kwargs)

    monkeypatch.setattr(outbox, "get_connection", counting_get_connection)
    outcomes = mail_deliver_batch(mail_ids=[m.pk for m in mails])
    assert len(opened) == 1
    assert [outcomes[m.pk].outcome for m in mails] == ["retry"] * 4
    assert states(mails) == [(MailState.PENDING, 1)] * 4
    errors = set(
        OutgoingMail.objects.filter(pk__in=[m.pk for m in mails]).values_list(
            "last_error", flat=True
        )
    )
    assert len(errors) == 1 and "refused" in errors.pop().lower()


def test_a_batch_task_reports_its_outcomes_and_leaves_retries_to_the_sweep_when_eager(
    server, django_capture_on_commit_callbacks
):
    mails = queued(3, django_capture_on_commit_callbacks)
    server.handler.script = {"r1@example.org": "451"}
    counts = mail_send_batch.apply(args=([m.pk for m in mails],)).result
    assert counts == {"sent": 2, "retry": 1}
    assert states(mails)[1] == (MailState.PENDING, 1)


def test_a_retry_batch_is_enqueued_with_the_backoff_when_a_broker_is_there(
    server, enqueued, django_capture_on_commit_callbacks
):
    mails = queued(4, django_capture_on_commit_callbacks)
    server.handler.script = {"r1@example.org": "451", "r3@example.org": "451"}
    # As a worker runs it (not eager): the task body, with a request that is not eager.
    mail_send_batch.push_request(is_eager=False)
    try:
        counts = mail_send_batch.run([m.pk for m in mails])
    finally:
        mail_send_batch.pop_request()
    assert counts == {"sent": 2, "retry": 2}
    assert enqueued == [([mails[1].pk, mails[3].pk], outbox.mail_retry_countdown(1))]


# --- Concurrency on PostgreSQL ---------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_given_the_same_rows_send_each_row_once(server, enqueued):
    with transaction.atomic():
        mails = [queue(f"shared-{n}", f"r{n}@example.org") for n in range(40)]
    ids = [m.pk for m in mails]
    barrier = threading.Barrier(2)
    results: list = []

    def worker():
        try:
            barrier.wait(timeout=30)
            results.append(mail_deliver_batch(mail_ids=ids))
        except Exception as exc:
            results.append(exc)
        finally:
            mail_connection_close()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(result, dict) for result in results), results
    for mail_id in ids:
        outcomes = sorted(result[mail_id].outcome for result in results)
        assert outcomes == ["sent", "skipped"], (mail_id, outcomes)
    time.sleep(0.3)  # a duplicate would arrive right after the first
    assert server.recipients() == Counter({f"r{n}@example.org": 1 for n in range(40)})
    assert len({message_id for _r, message_id, _p in server.handler.received}) == 40
    assert set(OutgoingMail.objects.filter(pk__in=ids).values_list("state", "attempts")) == {
        (MailState.SENT, 1)
    }


# --- With the real worker ---------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.smtp
@pytest.mark.django_db(transaction=True)
def test_worker_sends_a_burst_queued_in_one_transaction_once_each_and_retries_refusals(
    celery_worker, smtp_server
):
    smtp_server.reply = "451 4.3.0 Mailbox temporarily unavailable"
    with transaction.atomic():
        mails = [queue(f"worker-burst-{n}", f"r{n}@example.org") for n in range(60)]
    ids = [m.pk for m in mails]
    pending = OutgoingMail.objects.filter(pk__in=ids)
    wait_until(lambda: not pending.filter(attempts=0).exists(), 30)
    assert smtp_server.messages == []
    smtp_server.reply = None  # the server recovers: the retry batches deliver everything
    wait_until(lambda: not pending.exclude(state=MailState.SENT).exists(), 30)
    time.sleep(1.0)  # a duplicate would arrive right after the first
    recipients = Counter(message["To"] for message in smtp_server.messages)
    assert recipients == Counter({f"r{n}@example.org": 1 for n in range(60)})
    # At least one refused attempt each, then one that went through.
    assert min(pending.values_list("attempts", flat=True)) >= 2

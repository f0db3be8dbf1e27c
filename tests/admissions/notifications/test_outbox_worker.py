"""The outbox end to end with real components: Redis, a Celery worker process started by the
suite, PostgreSQL and an SMTP server on loopback (see tests/services_fixtures.py).

The worker runs with short retry countdowns (base 0.5 s, 4 attempts) so these take seconds.
"""

from __future__ import annotations

import time

import pytest
from django.utils import translation
from django.utils.translation import gettext

from admissions.enums import MailState
from admissions.models import OutgoingMail
from admissions.notifications.outbox import notification_queue
from admissions.notifications.tasks import mail_send, mail_sweep
from tests.services_fixtures import (
    WORKER_MAX_ATTEMPTS,
    broker_at,
    dead_broker_url,
    wait_until,
)

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.smtp,
    pytest.mark.django_db(transaction=True),
]


def queue(key: str, language: str = "kk") -> OutgoingMail:
    return notification_queue(
        recipient="applicant@example.org",
        template="test_notification",
        context={"requested_at": "2025-11-27T04:00:00+00:00"},
        language=language,
        key=key,
    )


def wait_for(mail: OutgoingMail, worker, condition, timeout: float = 20.0) -> OutgoingMail:
    def check():
        mail.refresh_from_db()
        return condition(mail)

    try:
        wait_until(check, timeout)
    except AssertionError:
        tail = "\n".join(worker.log().splitlines()[-40:])
        raise AssertionError(
            f"mail {mail.pk} is {mail.state} after {mail.attempts} attempts "
            f"({mail.last_error}); worker log:\n{tail}"
        ) from None
    return mail


def settle() -> None:
    """Give a (wrong) second delivery time to arrive before asserting there is none."""
    time.sleep(1.0)


def test_worker_delivers_one_message_in_the_recipients_language_with_both_parts(
    celery_worker, smtp_server
):
    started = time.monotonic()
    mail = queue("worker-kk")
    wait_for(mail, celery_worker, lambda m: m.state == MailState.SENT)
    elapsed = time.monotonic() - started
    settle()

    (message,) = smtp_server.messages
    with translation.override("kk"):
        expected_subject = gettext("Test message from the KazNU Omsk admissions portal")
    # Folding a long encoded header may leave whitespace where the lines were joined.
    assert " ".join(str(message["Subject"]).split()) == expected_subject == mail.subject
    assert message["To"] == "applicant@example.org"
    assert message["Content-Language"] == "kk"
    assert message["Message-ID"].startswith(f"<outbox-{mail.pk}-")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "/kk/" in text
    assert '<html lang="kk">' in html
    # The date is rendered by Django's Kazakh locale, in Omsk time (04:00 UTC = 10:00).
    assert "қараша 2025 ж., 10:00" in text
    assert mail.attempts == 1
    assert elapsed < 15


def test_broker_down_at_queue_time_then_the_sweep_sends_it_once(celery_worker, smtp_server):
    with broker_at(dead_broker_url()):
        started = time.monotonic()
        mail = queue("broker-down")  # the caller sees no error
        elapsed = time.monotonic() - started
    assert elapsed < 3
    settle()
    mail.refresh_from_db()
    assert (mail.state, mail.attempts) == (MailState.PENDING, 0)
    assert smtp_server.messages == []

    # The broker is back: the periodic sweep hands the row to the worker.
    assert mail_sweep() == 1
    wait_for(mail, celery_worker, lambda m: m.state == MailState.SENT)
    assert mail_sweep() == 0
    settle()
    assert len(smtp_server.messages) == 1


def test_smtp_outage_is_retried_with_backoff_and_sent_once_when_it_recovers(
    celery_worker, smtp_server
):
    smtp_server.stop()
    mail = queue("smtp-down")
    wait_for(mail, celery_worker, lambda m: m.attempts >= 2)
    # Waiting for its next attempt, or in it (claimed by the worker): neither sent nor failed.
    assert mail.state in (MailState.PENDING, MailState.SENDING)
    assert mail.last_error  # e.g. ConnectionRefusedError: [Errno 111] Connection refused

    smtp_server.start()
    wait_for(mail, celery_worker, lambda m: m.state == MailState.SENT)
    assert mail.attempts >= 3
    assert mail.last_error == ""
    settle()
    assert len(smtp_server.messages) == 1


def test_smtp_down_past_the_last_attempt_marks_the_mail_failed(celery_worker, smtp_server):
    smtp_server.stop()
    mail = queue("smtp-down-for-good")
    wait_for(mail, celery_worker, lambda m: m.state in (MailState.SENT, MailState.FAILED))
    assert mail.state == MailState.FAILED
    assert mail.attempts == WORKER_MAX_ATTEMPTS
    assert "refused" in mail.last_error.lower()


def test_same_task_delivered_twice_sends_one_message(celery_worker, smtp_server):
    with broker_at(dead_broker_url()):
        mail = queue("duplicate-task")  # saved, not enqueued
    for _ in range(3):  # the same task, several times, for a worker with two threads
        mail_send.apply_async((mail.pk,))
    wait_for(mail, celery_worker, lambda m: m.state == MailState.SENT)
    settle()
    assert len(smtp_server.messages) == 1
    assert mail.attempts == 1


def database_sessions() -> int:
    """Connections ever opened to the test database (PostgreSQL's own count)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_worker_keeps_its_database_connection_from_task_to_task(celery_worker, smtp_server):
    with broker_at(dead_broker_url()):
        mails = [queue(f"one-connection-{number}") for number in range(6)]
    before = database_sessions()
    for mail in mails:  # six tasks, one after the other
        mail_send.apply_async((mail.pk,))
        wait_for(mail, celery_worker, lambda m: m.state == MailState.SENT)
    # At most one new connection per worker thread (Celery alone would open one per task).
    assert database_sessions() - before <= 2
    assert len(smtp_server.messages) == 6

"""The outbox keeps one SMTP connection per process and reuses it from mail to mail,
without giving up its guarantees (row lock, sent once, retries)."""

from __future__ import annotations

import threading

import pytest
from aiosmtpd.controller import Controller
from django.core import mail as django_mail

from admissions.enums import MailState
from admissions.models import OutgoingMail
from admissions.notifications.outbox import mail_connection_close, notification_queue
from admissions.notifications.tasks import mail_send
from tests.services_fixtures import free_port

pytestmark = [pytest.mark.django_db, pytest.mark.smtp]


class RecordingHandler:
    """Remembers, for every accepted message, the client's address (one per connection)."""

    def __init__(self):
        self.peers: list[tuple] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.peers.append(tuple(session.peer))
        return "250 OK"


class Server:
    def __init__(self):
        self.port = free_port()
        self.handler = RecordingHandler()
        self.controller = None

    def start(self):
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=10
        )
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def server(settings):
    server = Server()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    mail_connection_close()
    yield server
    mail_connection_close()
    server.stop()


def queued(count: int, django_capture_on_commit_callbacks) -> list[OutgoingMail]:
    with django_capture_on_commit_callbacks(execute=False):
        return [
            notification_queue(
                recipient=f"applicant{number}@example.org",
                template="test_notification",
                context={"requested_at": "2025-09-15T04:00:00+00:00"},
                language="ru",
                key=f"connection-{number}",
            )
            for number in range(count)
        ]


def send(mail: OutgoingMail) -> str:
    return mail_send.apply(args=(mail.pk,)).result


def test_mails_in_a_row_go_through_one_smtp_connection(server, django_capture_on_commit_callbacks):
    mails = queued(5, django_capture_on_commit_callbacks)
    assert [send(mail) for mail in mails] == ["sent"] * 5
    assert len(server.handler.peers) == 5
    assert len(set(server.handler.peers)) == 1
    assert set(OutgoingMail.objects.values_list("state", flat=True)) == {MailState.SENT}


def test_a_connection_the_server_dropped_is_replaced_and_the_mail_sent_once(
    server, django_capture_on_commit_callbacks
):
    first, second = queued(2, django_capture_on_commit_callbacks)
    assert send(first) == "sent"
    server.stop()  # drops the kept connection, as an idle timeout or a restart would
    server.start()
    assert send(second) == "sent"
    assert send(second) == "skipped"  # the row lock and state still make it once
    assert len(server.handler.peers) == 2
    assert server.handler.peers[0] != server.handler.peers[1]
    second.refresh_from_db()
    assert (second.state, second.attempts, second.last_error) == (MailState.SENT, 1, "")


def test_server_down_is_a_transient_failure_and_the_next_attempt_reconnects(
    server, django_capture_on_commit_callbacks
):
    first, second = queued(2, django_capture_on_commit_callbacks)
    assert send(first) == "sent"
    server.stop()
    assert send(second) == "retry"  # the dead connection, then a refused new one
    second.refresh_from_db()
    assert (second.state, second.attempts) == (MailState.PENDING, 1)
    assert second.last_error


def test_other_mail_settings_get_their_own_connection(
    server, settings, django_capture_on_commit_callbacks
):
    first, second = queued(2, django_capture_on_commit_callbacks)
    assert send(first) == "sent"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send(second) == "sent"
    assert len(server.handler.peers) == 1  # the second went to the new backend
    assert [message.to for message in django_mail.outbox] == [["applicant1@example.org"]]

"""The outbox in this process: queueing, delivery, retries and the sweep.

These run everywhere (SQLite with eager tasks, or PostgreSQL); the ones that need row locks
under real concurrency carry the `postgres` marker. The end-to-end tests with a real worker
and Redis are in test_outbox_worker.py.
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail as django_mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from admissions.enums import MailState
from admissions.models import OutgoingMail
from admissions.notifications import outbox
from admissions.notifications.outbox import mail_retry_countdown, notification_queue, outbox_resend
from admissions.notifications.tasks import mail_send, mail_sweep
from tests.services_fixtures import broker_at, dead_broker_url

pytestmark = pytest.mark.django_db


def queue(key="k-1", recipient="applicant@example.org", template="test_notification", **kw):
    return notification_queue(
        recipient=recipient,
        template=template,
        context=kw.pop("context", {"requested_at": "2025-09-15T04:00:00+00:00"}),
        language=kw.pop("language", "kk"),
        key=key,
        **kw,
    )


def send(mail: OutgoingMail) -> str:
    """Run the task for `mail` in this process, as a worker would, and return its outcome.

    `.result`, not `.get()`: Celery's eager `apply` flags "inside a task" in a process-wide
    variable, so `.get()` in one thread fails while another thread is inside `apply`."""
    return mail_send.apply(args=(mail.pk,)).result


# --- Queueing ----------------------------------------------------------------------------


def test_queued_mail_is_sent_after_commit_in_the_recipients_language(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mail = queue()
    assert len(callbacks) == 1
    assert django_mail.outbox == []  # nothing leaves before the caller commits
    for callback in callbacks:
        callback()
    mail.refresh_from_db()
    assert mail.state == MailState.SENT
    assert mail.attempts == 1
    assert mail.sent_at is not None
    (message,) = django_mail.outbox
    assert message.to == ["applicant@example.org"]
    assert message.subject == mail.subject
    assert message.extra_headers["Content-Language"] == "kk"
    assert "/kk/" in message.body
    assert message.alternatives[0].mimetype == "text/html"
    assert '<html lang="kk">' in message.alternatives[0].content
    assert mail.body_text == message.body


def test_same_key_twice_makes_one_row_and_one_mail(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(key="application-1-event-1")
        second = queue(key="application-1-event-1", recipient="other@example.org")
    assert first.pk == second.pk
    assert OutgoingMail.objects.count() == 1
    assert len(django_mail.outbox) == 1
    assert django_mail.outbox[0].to == ["applicant@example.org"]


def test_nothing_is_sent_when_the_callers_transaction_rolls_back(
    django_capture_on_commit_callbacks,
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue()
        raise RuntimeError("the caller failed after queueing")
    assert not OutgoingMail.objects.exists()
    assert django_mail.outbox == []


@pytest.mark.parametrize(
    "address",
    [
        "",
        "not-an-address",
        "two@at@example.org",
        "applicant@example.org\nBcc: everyone@example.org",
        "applicant@",
    ],
)
def test_invalid_address_is_refused_with_a_clear_error_and_nothing_saved(address):
    with pytest.raises(ValidationError) as caught:
        queue(recipient=address)
    assert "valid e-mail address" in " ".join(caught.value.messages)
    assert caught.value.error_list[0].code == "invalid_recipient"
    assert not OutgoingMail.objects.exists()


def test_address_is_stored_without_surrounding_blanks():
    assert queue(recipient="  applicant@example.org ").recipient == "applicant@example.org"


@pytest.mark.parametrize("template", ["", "../secrets", "emails/base", "Test Notification"])
def test_template_name_that_is_not_a_plain_name_is_refused(template):
    with pytest.raises(ValidationError):
        queue(template=template)
    assert not OutgoingMail.objects.exists()


def test_context_that_cannot_be_stored_as_json_is_refused():
    with pytest.raises(ValidationError):
        queue(context={"user": object()})
    with pytest.raises(ValidationError):
        queue(key="")
    assert not OutgoingMail.objects.exists()


def test_unknown_language_falls_back_to_the_site_default():
    assert queue(language="de").language == "ru"


# --- Broker outage at queue time -----------------------------------------------------------


def test_broker_down_at_queue_time_is_fast_and_silent_then_the_sweep_sends_it(
    django_capture_on_commit_callbacks,
):
    with broker_at(dead_broker_url()):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            mail = queue()
        elapsed = time.monotonic() - started
    assert elapsed < 3, f"enqueueing with the broker down took {elapsed:.1f}s"
    mail.refresh_from_db()
    assert mail.state == MailState.PENDING
    assert mail.attempts == 0
    assert django_mail.outbox == []

    # The broker is back (here: eager again); the sweep sends it, once.
    assert mail_sweep() == 1
    assert mail_sweep() == 0
    mail.refresh_from_db()
    assert mail.state == MailState.SENT
    assert len(django_mail.outbox) == 1


# --- Delivery -------------------------------------------------------------------------------


def test_sent_mail_keeps_the_message_as_sent_and_text_is_not_html_escaped(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        mail = queue(
            template="documents_requested",
            language="en",
            context={"reference": "KZO-1", "name": "Ann", "note": "Scan <both> sides & sign"},
        )
    mail.refresh_from_db()
    assert mail.state == MailState.SENT
    assert mail.subject == "Application KZO-1: documents requested"
    assert "Scan <both> sides & sign" in mail.body_text
    assert "Scan &lt;both&gt; sides &amp; sign" in mail.body_html
    assert "<both>" not in mail.body_html


def test_the_message_is_rendered_and_built_when_queued_as_django_would_build_it(
    settings, django_capture_on_commit_callbacks
):
    settings.ADMISSIONS_REPLY_TO = "priem@kaznu-omsk.example"
    with django_capture_on_commit_callbacks(execute=False):
        mail = queue(language="ru")
    mail.refresh_from_db()
    assert mail.state == MailState.PENDING  # nothing sent yet, but the message is ready
    prepared = bytes(mail.message)
    assert b"\n" not in prepared.replace(b"\r\n", b"")  # lines as SMTP wants them
    stored = email.message_from_bytes(prepared, policy=email.policy.default)
    # The same message Django builds from the stored subject and bodies, headers and all
    # (only the Date, set when a message is built, and the MIME boundary differ).
    fresh = email.message_from_bytes(
        outbox._message(mail, reply_to="priem@kaznu-omsk.example")
        .message()
        .as_bytes(linesep="\r\n"),
        policy=email.policy.default,
    )
    headers = [name for name in fresh if name not in ("Date", "Content-Type")]
    assert [name for name in stored if name not in ("Date", "Content-Type")] == headers
    assert all(stored[name] == fresh[name] for name in headers)
    assert stored["Message-ID"].startswith(f"<outbox-{mail.pk}-")
    assert stored["Content-Language"] == "ru"
    assert stored["Reply-To"] == "priem@kaznu-omsk.example"
    for kind in ("plain", "html"):
        assert stored.get_body((kind,)).get_content() == fresh.get_body((kind,)).get_content()
    text = stored.get_body(("plain",)).get_content()
    assert text.replace("\r\n", "\n") == mail.body_text
    assert " ".join(str(stored["Subject"]).split()) == mail.subject


def test_a_mail_sent_after_an_outage_keeps_the_date_it_was_queued_with(
    smtp_server, django_capture_on_commit_callbacks
):
    queued_at = timezone.now().replace(microsecond=0)
    with time_machine.travel(queued_at, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=False):
            mail = queue(language="en")
        clock.shift(timedelta(hours=3))
        assert send(mail) == "sent"
    (message,) = smtp_server.wait_for(1)
    # Django writes the Date in UTC as "-0000", which the parser reads as a naive time.
    assert message["Date"].datetime == queued_at.replace(tzinfo=None)
    assert message["Message-ID"].startswith(f"<outbox-{mail.pk}-")


def test_a_reply_to_django_refuses_fails_the_mail_when_queued_not_the_callers_change(
    settings, django_capture_on_commit_callbacks
):
    settings.ADMISSIONS_REPLY_TO = "priem@example.org\nBcc: everyone@example.org"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        mail = queue()
    mail.refresh_from_db()
    assert mail.state == MailState.FAILED
    assert mail.last_error.startswith("render: BadHeaderError")
    assert callbacks == []  # nothing handed to the broker
    assert django_mail.outbox == []


def test_a_mail_queued_without_its_message_is_rendered_and_built_when_sent(smtp_server, settings):
    """Rows queued before messages were built when queued (and failed rows re-sent after
    their template was fixed) have no stored message: the worker renders and builds it."""
    settings.ADMISSIONS_REPLY_TO = "priem@kaznu-omsk.example"
    mail = OutgoingMail.objects.create(
        recipient="applicant@example.org",
        template="test_notification",
        context={"requested_at": "2025-09-15T04:00:00+00:00"},
        language="kk",
        idempotency_key="queued-long-ago",
    )
    assert send(mail) == "sent"
    (message,) = smtp_server.wait_for(1)
    mail.refresh_from_db()
    assert (mail.state, mail.attempts) == (MailState.SENT, 1)
    assert message["Content-Language"] == "kk"
    assert message["Reply-To"] == "priem@kaznu-omsk.example"
    assert message["Message-ID"].startswith(f"<outbox-{mail.pk}-")
    assert " ".join(str(message["Subject"]).split()) == mail.subject
    text = message.get_body(("plain",)).get_content()
    assert text.replace("\r\n", "\n") == mail.body_text
    assert '<html lang="kk">' in mail.body_html


def test_task_delivered_twice_sends_one_message(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        mail = queue()
    assert send(mail) == "sent"
    assert send(mail) == "skipped"
    assert len(django_mail.outbox) == 1


def test_task_for_a_missing_row_is_skipped():
    assert mail_send.apply(args=(987654,)).get() == "skipped"


def test_retry_countdown_doubles_and_is_capped(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600
    assert [mail_retry_countdown(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert mail_retry_countdown(10) == 3600


def test_smtp_outage_retries_with_backoff_then_sends_once(
    smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        mail = queue()
    smtp_server.stop()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert send(mail) == "retry"
        mail.refresh_from_db()
        assert (mail.state, mail.attempts) == (MailState.PENDING, 1)
        assert "Connection refused" in mail.last_error or "Errno" in mail.last_error

        # A duplicate task before the countdown neither sends nor counts an attempt.
        assert send(mail) == "not_due"
        clock.shift(timedelta(seconds=mail_retry_countdown(1)))
        assert send(mail) == "retry"
        mail.refresh_from_db()
        assert mail.attempts == 2

        smtp_server.start()
        clock.shift(timedelta(seconds=mail_retry_countdown(2)))
        assert send(mail) == "sent"
        assert send(mail) == "skipped"
    mail.refresh_from_db()
    assert (mail.state, mail.attempts, mail.last_error) == (MailState.SENT, 3, "")
    assert len(smtp_server.wait_for(1)) == 1


def test_after_the_last_attempt_mail_is_failed_with_the_error(
    smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    settings.OUTBOX_RETRY_BASE_SECONDS = 0
    smtp_server.reply = "451 4.3.0 Mailbox temporarily unavailable"
    with django_capture_on_commit_callbacks(execute=False):
        mail = queue()
    assert send(mail) == "retry"
    assert send(mail) == "failed"
    mail.refresh_from_db()
    assert mail.state == MailState.FAILED
    assert mail.attempts == 2
    assert "451" in mail.last_error
    assert smtp_server.messages == []


def test_permanent_smtp_refusal_fails_at_once(smtp_server, django_capture_on_commit_callbacks):
    smtp_server.reply = "550 5.1.1 No such user here"
    with django_capture_on_commit_callbacks(execute=False):
        mail = queue()
    assert send(mail) == "failed"
    mail.refresh_from_db()
    assert (mail.state, mail.attempts) == (MailState.FAILED, 1)
    assert "550" in mail.last_error


@pytest.fixture
def broken_templates(settings, tmp_path):
    """An extra template folder with a template that fails to compile."""
    folder = tmp_path / "templates" / "emails"
    folder.mkdir(parents=True)
    (folder / "broken.subject.txt").write_text("Broken")
    (folder / "broken.txt").write_text("{% if %}")
    (folder / "broken.html").write_text("<p>broken</p>")
    templates = [dict(engine) for engine in settings.TEMPLATES]
    templates[0]["DIRS"] = [tmp_path / "templates", *templates[0]["DIRS"]]
    settings.TEMPLATES = templates


@pytest.mark.parametrize("template", ["broken", "no_such_template"])
def test_render_failure_marks_the_row_failed_and_other_mail_goes_on(
    template, broken_templates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bad = queue(key="bad", template=template)
        good = queue(key="good")
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.state == MailState.FAILED
    assert bad.last_error.startswith("render: ")
    assert ("TemplateSyntaxError" if template == "broken" else "TemplateDoesNotExist") in (
        bad.last_error
    )
    assert good.state == MailState.SENT
    assert [message.to for message in django_mail.outbox] == [["applicant@example.org"]]


# --- Sweep and re-send ---------------------------------------------------------------------


def test_sweep_leaves_sent_failed_and_not_yet_due_mail_alone(
    settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_GRACE_SECONDS = 60
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=False):
        queue(key="fresh")  # still within the grace period
        lost = queue(key="lost")
        retrying = queue(key="retrying")
        stalled = queue(key="stalled")
        sent = queue(key="sent")
        failed = queue(key="failed")
    old = now - timedelta(minutes=10)
    OutgoingMail.objects.filter(pk__in=[lost.pk, retrying.pk, stalled.pk]).update(created_at=old)
    OutgoingMail.objects.filter(pk=retrying.pk).update(attempts=3, last_attempt_at=now)
    stalled_at = now - timedelta(seconds=mail_retry_countdown(3) + 61)
    OutgoingMail.objects.filter(pk=stalled.pk).update(attempts=3, last_attempt_at=stalled_at)
    OutgoingMail.objects.filter(pk=sent.pk).update(state=MailState.SENT, created_at=old)
    OutgoingMail.objects.filter(pk=failed.pk).update(state=MailState.FAILED, created_at=old)

    assert mail_sweep() == 2
    states = dict(OutgoingMail.objects.values_list("idempotency_key", "state"))
    assert states == {
        "fresh": MailState.PENDING,
        "lost": MailState.SENT,
        "retrying": MailState.PENDING,
        "stalled": MailState.SENT,
        "sent": MailState.SENT,
        "failed": MailState.FAILED,
    }
    assert len(django_mail.outbox) == 2


def test_resend_puts_only_failed_mail_back_and_sends_it(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        failed = queue(key="failed")
        sent = queue(key="sent")
    OutgoingMail.objects.filter(pk=failed.pk).update(
        state=MailState.FAILED, attempts=6, last_error="SMTPServerDisconnected"
    )
    OutgoingMail.objects.filter(pk=sent.pk).update(state=MailState.SENT)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_resend(mail_ids=OutgoingMail.objects.values_list("pk", flat=True)) == 1
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (MailState.SENT, 1)
    assert len(django_mail.outbox) == 1


# --- Concurrency on PostgreSQL -------------------------------------------------------------


def run_in_threads(target, count: int) -> list:
    """Start `count` threads at once on `target`; return results (or exceptions)."""
    barrier = threading.Barrier(count)
    results: list = []

    def run():
        try:
            barrier.wait(timeout=30)
            results.append(target())
        except Exception as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_key_queued_concurrently_makes_one_row_and_one_mail():
    results = run_in_threads(lambda: queue(key="concurrent").pk, 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1
    assert OutgoingMail.objects.count() == 1
    assert len(django_mail.outbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_mail_sent_concurrently_is_delivered_once(smtp_server):
    with broker_at(dead_broker_url()):  # queue without sending: the threads will send
        mail = queue()
    results = run_in_threads(lambda: send(mail), 4)
    assert all(isinstance(result, str) for result in results), results
    assert sorted(results) == ["sent", "skipped", "skipped", "skipped"]
    time.sleep(0.3)  # a duplicate would arrive right after the first
    assert len(smtp_server.messages) == 1

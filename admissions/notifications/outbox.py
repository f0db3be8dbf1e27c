"""The transactional e-mail outbox.

`notification_queue` is called inside the caller's transaction: it saves an `OutgoingMail`
row and, once the transaction commits, enqueues a send task; mail queued in the same
transaction shares batch tasks of OUTBOX_BATCH_SIZE rows. The task (see
`admissions/notifications/tasks.py`) sends its rows one after the other over the worker's
kept SMTP connection, each in its own transaction: lock the row (FOR UPDATE SKIP LOCKED),
skip it unless pending and due, send it, mark it sent. So a repeated or concurrent task
sends no second copy, and a failure later in a batch takes back nothing already sent; a
periodic sweep re-enqueues rows still pending, so a task lost with the broker loses no
mail.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import smtplib
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email
from django.db import connection, transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from admissions.enums import MailState
from admissions.models import OutgoingMail
from admissions.selectors import office_get, office_reply_to

__all__ = [
    "MailDelivery",
    "mail_connection_close",
    "mail_deliver",
    "mail_deliver_batch",
    "mail_enqueue",
    "mail_enqueue_batch",
    "mail_enqueue_on_commit",
    "mail_render",
    "mail_retry_countdown",
    "notification_queue",
    "outbox_resend",
]

logger = logging.getLogger(__name__)

SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}
# A template name is a file name under templates/emails/, never a path.
TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,64}$")
KEY_MAX_LENGTH = OutgoingMail._meta.get_field("idempotency_key").max_length


def mail_enqueue_batch(mail_ids: Iterable[int], *, countdown: float | None = None) -> int:
    """Hand outbox rows to the broker, at most OUTBOX_BATCH_SIZE ids per send task (each
    task sends its rows over one SMTP connection); never raise.

    `countdown` (seconds) delays the tasks (retries). `retry=False` and the broker
    transport options in settings make this fail within about a second when the broker
    is down; the rows then stay pending and the sweep enqueues them again later (the
    first failure ends the call, so a dead broker costs one timeout, not one per batch).
    Returns how many ids the broker took.
    """
    from admissions.notifications.tasks import mail_send_batch

    ids = list(dict.fromkeys(mail_ids))
    size = max(1, settings.OUTBOX_BATCH_SIZE)
    taken = 0
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        try:
            mail_send_batch.apply_async((chunk,), countdown=countdown, retry=False)
        except Exception as exc:  # the broker is down or unreachable: the sweep sends it later
            logger.warning(
                "Could not enqueue %s mail (%s: %s); the outbox sweep will retry",
                len(ids) - taken,
                type(exc).__name__,
                exc,
            )
            break
        taken += len(chunk)
    return taken


def mail_enqueue(mail_id: int) -> bool:
    """Hand one outbox row to the broker; never raise. Returns whether the broker took
    it (see `mail_enqueue_batch`)."""
    return mail_enqueue_batch([mail_id]) == 1


class _CommitBatch:
    """The outbox ids queued in one transaction, enqueued together once it commits.

    Every queued mail registers the same `flush` with `on_commit`; the first one to run
    enqueues all ids (in tasks of OUTBOX_BATCH_SIZE), the others find nothing left. A
    savepoint rolled back discards its own callbacks only: the ids it queued stay in the
    list, but their rows no longer exist and the task skips missing rows.
    """

    def __init__(self, hooks: list):
        self.hooks = hooks  # the connection's list of commit hooks when this batch began
        self.ids: list[int] = []
        self.flushed = False

    def flush(self) -> None:
        if self.flushed:
            return
        self.flushed = True
        mail_enqueue_batch(self.ids)


_commit_batches = threading.local()


def mail_enqueue_on_commit(mail_id: int) -> None:
    """Enqueue the send task once the current transaction commits (never before: the
    worker must find the row). Mail queued in the same transaction goes out in shared
    batch tasks."""
    db = transaction.get_connection()
    batch = getattr(_commit_batches, "batch", None)
    # Django starts a new list of hooks at every commit, rollback and savepoint rollback,
    # so the same list means the same transaction (and no savepoint rolled back since).
    if (
        batch is None
        or batch.flushed
        or not db.in_atomic_block
        or batch.hooks is not db.run_on_commit
    ):
        batch = _CommitBatch(db.run_on_commit)
        _commit_batches.batch = batch
    batch.ids.append(mail_id)
    transaction.on_commit(batch.flush)


def _validated_recipient(recipient: str) -> str:
    address = (recipient or "").strip()
    try:
        validate_email(address)
    except ValidationError as exc:
        raise ValidationError(
            _("“%(address)s” is not a valid e-mail address.") % {"address": recipient},
            code="invalid_recipient",
        ) from exc
    return address


def _validated_context(context: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(context, dict):
        raise ValidationError(_("The mail context must be a mapping."), code="invalid_context")
    try:
        # Round-trip, so what is stored is exactly what the template will see later.
        return json.loads(json.dumps(context, cls=DjangoJSONEncoder))
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            _("The mail context cannot be stored: %(error)s") % {"error": exc},
            code="invalid_context",
        ) from exc


def notification_queue(
    *,
    recipient: str,
    template: str,
    context: dict[str, Any],
    language: str,
    key: str,
    user=None,
) -> OutgoingMail:
    """Save one outgoing mail for `key` (once, however often called) and send it on commit.

    `context` must be JSON-serialisable (dates as ISO strings): the message is rendered when
    it is sent, in `language`, from `templates/emails/<template>.{subject.txt,txt,html}`.
    An invalid address, template name or context raises `ValidationError` before anything
    is saved. Queuing an existing `key` again returns the existing row and sends nothing.
    """
    address = _validated_recipient(recipient)
    if not TEMPLATE_NAME.match(template or ""):
        raise ValidationError(
            _("“%(template)s” is not a mail template name.") % {"template": template},
            code="invalid_template",
        )
    if not key or len(key) > KEY_MAX_LENGTH:
        raise ValidationError(
            _("A mail needs an idempotency key of at most %(max)s characters.")
            % {"max": KEY_MAX_LENGTH},
            code="invalid_key",
        )
    stored_context = _validated_context(context)
    if language not in SUPPORTED_LANGUAGES:
        language = settings.LANGUAGE_CODE
    # get_or_create is safe under concurrency: the unique key makes a concurrent second
    # insert fail (on PostgreSQL it waits for the first transaction), and the existing row
    # is then read back.
    with transaction.atomic():
        mail, created = OutgoingMail.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "recipient": address,
                "template": template,
                "context": stored_context,
                "language": language,
                "user": user,
            },
        )
        if created:
            mail_enqueue_on_commit(mail.pk)
    return mail


@transaction.atomic
def outbox_resend(*, mail_ids: Iterable[int]) -> int:
    """Put failed mail back to pending (attempts reset) and enqueue it on commit.

    Mail that is pending or already sent is left alone, so a mail is never sent twice by
    re-sending. Returns how many rows were reset.
    """
    ids = list(mail_ids)
    locked = list(
        OutgoingMail.objects.select_for_update()
        .filter(pk__in=ids, state=MailState.FAILED)
        .values_list("pk", flat=True)
    )
    OutgoingMail.objects.filter(pk__in=locked).update(
        state=MailState.PENDING, attempts=0, last_attempt_at=None
    )
    for mail_id in locked:
        mail_enqueue_on_commit(mail_id)
    return len(locked)


# --- Sending --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailDelivery:
    """What one delivery attempt did: `outcome` is sent, skipped, not_due, failed or retry;
    `countdown` (seconds) is set for retry."""

    outcome: str
    countdown: float | None = None
    error: str = ""


def mail_retry_countdown(attempts: int) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: base * 2**(n-1), capped."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    return min(base * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_MAX_SECONDS)


def _render(name: str, context: dict[str, Any], *, autoescape: bool) -> str:
    template = get_template(name)
    if autoescape:
        return template.render(context)
    # Subjects and plain-text bodies are not HTML: nothing in them may be entity-escaped.
    return template.template.render(Context(context, autoescape=False))


def mail_render(mail: OutgoingMail) -> tuple[str, str, str]:
    """Render (subject, text, html) of `mail` in its language, from templates/emails/."""
    context = {
        **mail.context,
        "site_url": settings.SITE_URL.rstrip("/"),
        # Read when sent, so the footer has the contacts in force (in the mail's language).
        "office": office_get(),
    }
    with translation.override(mail.language):
        context["language"] = mail.language
        name = f"emails/{mail.template}"
        subject = _render(f"{name}.subject.txt", context, autoescape=False)
        text = _render(f"{name}.txt", context, autoescape=False)
        html = _render(f"{name}.html", context, autoescape=True)
    # A header is one line; newlines in it would be refused by Django as header injection.
    subject = " ".join(subject.split())
    if not subject:
        raise ValueError(f"{name}.subject.txt rendered an empty subject")
    # Template tags leave blank lines behind; a plain-text mail reads better without them.
    text = re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", text)).strip() + "\n"
    return subject, text, html


def _message_id(mail: OutgoingMail) -> str:
    """The same Message-ID for every attempt, so a receiver can drop a duplicate."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(mail.idempotency_key.encode()).hexdigest()[:16]
    return f"<outbox-{mail.pk}-{digest}@{domain}>"


# --- One SMTP connection per process, reused across mails ---------------------------------
# Opening a connection (TCP, greeting, EHLO, STARTTLS, AUTH) cost more than sending a mail;
# a worker now keeps one open and sends mail after mail through it. It is per thread, and
# replaced when the mail settings change (tests switch servers).
_connections = threading.local()
CONNECTION_SETTINGS = (
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_TIMEOUT",
)


def _connection_settings() -> tuple:
    return tuple(getattr(settings, name, None) for name in CONNECTION_SETTINGS)


def mail_connection_close() -> None:
    """Close this thread's kept SMTP connection, if any (worker shutdown, tests)."""
    backend = getattr(_connections, "backend", None)
    _connections.backend = None
    if backend is not None:
        try:
            backend.close()
        except (smtplib.SMTPException, OSError):  # already broken: nothing left to close
            logger.debug("Closing a broken SMTP connection failed", exc_info=True)


def _send_reusing_connection(message: EmailMultiAlternatives) -> None:
    """Send `message` through this thread's open connection, opening it when needed.

    A kept connection the server has dropped meanwhile (idle timeout, restart) fails on
    first use with a disconnect or a reset: it is replaced and the message sent once more
    on a fresh connection. Any failure on a fresh connection is the caller's to handle.
    """
    backend = getattr(_connections, "backend", None)
    if backend is not None and getattr(_connections, "config", None) != _connection_settings():
        mail_connection_close()
        backend = None
    reused = backend is not None
    if backend is None:
        backend = get_connection(fail_silently=False)
        backend.open()  # opened here, so send_messages leaves it open for the next mail
        _connections.backend, _connections.config = backend, _connection_settings()
    message.connection = backend
    try:
        message.send()
    except (smtplib.SMTPServerDisconnected, ConnectionError):
        mail_connection_close()
        if not reused:
            raise
        _send_reusing_connection(message)
    except (smtplib.SMTPException, OSError):
        # The conversation may be in any state after an error: start the next mail afresh.
        mail_connection_close()
        raise


def _is_permanent(exc: Exception) -> bool:
    """SMTP 5xx replies are permanent (unknown user, refused sender); anything else
    (4xx, connection refused, timeouts) is worth retrying."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def _is_due(mail: OutgoingMail, now) -> bool:
    """A mail that failed before is due once its backoff has passed. A duplicate task (a
    re-delivery, or the sweep racing the retry) that arrives earlier must not cut the
    backoff short or start a second chain of retries."""
    if not mail.attempts or mail.last_attempt_at is None:
        return True
    backoff = mail_retry_countdown(mail.attempts)
    tolerance = min(2.0, backoff / 2)  # clock skew between worker machines
    return now >= mail.last_attempt_at + timedelta(seconds=backoff - tolerance)


def _is_unreachable(exc: Exception) -> bool:
    """The server could not be reached or dropped us (refused, timeout, disconnect), as
    opposed to an SMTP reply about this one message (a refused recipient, say)."""
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _claim(
    mail_id: int, *, skip_locked: bool, known: OutgoingMail | None = None
) -> OutgoingMail | None:
    """Lock the row `mail_id` for this transaction; None when it is gone, or (with
    `skip_locked`) when another worker holds it.

    `known` is the row as read before (a batch reads its rows in one query): only what
    can change meanwhile (state, attempts, last attempt) is read again, under the lock.
    """
    if known is None:
        return (
            OutgoingMail.objects.select_for_update(skip_locked=skip_locked)
            .filter(pk=mail_id)
            .first()
        )
    # One short statement per mail: the ORM spends more time building this query than
    # PostgreSQL spends running it. Names come from the model, the id is a parameter.
    quote = connection.ops.quote_name
    opts = OutgoingMail._meta
    columns = ", ".join(
        quote(opts.get_field(name).column) for name in ("state", "attempts", "last_attempt_at")
    )
    sql = "SELECT {} FROM {} WHERE {} = %s FOR UPDATE{}".format(  # noqa: S608  # nosec B608
        columns,
        quote(opts.db_table),
        quote(opts.pk.column),
        " SKIP LOCKED" if skip_locked else "",
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [mail_id])
        row = cursor.fetchone()
    if row is None:
        return None
    known.state, known.attempts, known.last_attempt_at = row
    return known


def _deliver(
    mail_id: int,
    *,
    skip_locked: bool,
    unreachable: Exception | None = None,
    known: OutgoingMail | None = None,
) -> tuple[MailDelivery, Exception | None]:
    """One delivery attempt of one row, in its own transaction (see `mail_deliver`).

    With `unreachable` (the error of a server that could not be reached a moment ago, in
    the same batch) the attempt is recorded as failed with that error, without connecting
    again. `known` is the row as read before (see `_claim`). Returns the outcome and,
    when the server could not be reached, the error.
    """
    with transaction.atomic():
        mail = _claim(mail_id, skip_locked=skip_locked, known=known)
        if mail is None or mail.state != MailState.PENDING:
            return MailDelivery("skipped"), None
        now = timezone.now()
        if not _is_due(mail, now):
            return MailDelivery("not_due"), None
        try:
            subject, text, html = mail_render(mail)
        except Exception as exc:  # a broken template must not block other mail
            logger.exception("Mail %s (%s) failed to render", mail.pk, mail.template)
            mail.state = MailState.FAILED
            mail.last_error = f"render: {exc!r}"
            mail.last_attempt_at = now
            mail.save(update_fields=["state", "last_error", "last_attempt_at"])
            return MailDelivery("failed", error=mail.last_error), None
        mail.attempts += 1
        mail.last_attempt_at = now
        reply_to = office_reply_to()
        message = EmailMultiAlternatives(
            subject,
            text,
            to=[mail.recipient],
            reply_to=[reply_to] if reply_to else None,
            headers={
                "Message-ID": _message_id(mail),
                "Content-Language": mail.language,
                "Auto-Submitted": "auto-generated",
            },
        )
        message.attach_alternative(html, "text/html")
        try:
            if unreachable is not None:
                raise unreachable
            _send_reusing_connection(message)
        except (smtplib.SMTPException, OSError) as exc:  # OSError: refused, timeout, DNS
            mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            permanent = _is_permanent(exc)
            if permanent or mail.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                mail.state = MailState.FAILED
            mail.save(update_fields=["attempts", "last_attempt_at", "last_error", "state"])
            logger.warning(
                "Mail %s attempt %s failed (%s): %s",
                mail.pk,
                mail.attempts,
                "permanent" if permanent else "transient",
                mail.last_error,
            )
            server_error = exc if _is_unreachable(exc) else None
            if mail.state == MailState.FAILED:
                return MailDelivery("failed", error=mail.last_error), server_error
            return (
                MailDelivery(
                    "retry", countdown=mail_retry_countdown(mail.attempts), error=mail.last_error
                ),
                server_error,
            )
        mail.state = MailState.SENT
        mail.sent_at = timezone.now()
        mail.subject = subject[: OutgoingMail._meta.get_field("subject").max_length]
        mail.body_text, mail.body_html = text, html
        mail.last_error = ""
        mail.save(
            update_fields=[
                "state",
                "sent_at",
                "subject",
                "body_text",
                "body_html",
                "last_error",
                "attempts",
                "last_attempt_at",
            ]
        )
        return MailDelivery("sent"), None


def mail_deliver(*, mail_id: int) -> MailDelivery:
    """Send the outbox row `mail_id` once, if it is pending and due.

    The row stays locked (SELECT ... FOR UPDATE) while the SMTP server is spoken to, and
    is marked sent in the same transaction. This is what makes a repeated or concurrent
    task harmless: a second task waits for the lock, then finds the row sent and skips it.
    Releasing the lock before sending would let two workers both see "pending" and both
    send. The price is one database connection held for the SMTP conversation (bounded by
    EMAIL_TIMEOUT). What remains is the unavoidable at-least-once gap: if the process dies
    after the SMTP server accepted the message but before the commit, the row is still
    pending and the message is sent again later (with the same Message-ID).
    """
    delivery, _unreachable = _deliver(mail_id, skip_locked=False)
    return delivery


def mail_deliver_batch(*, mail_ids: Iterable[int]) -> dict[int, MailDelivery]:
    """Send several outbox rows one after the other over this process's kept SMTP
    connection; return the outcome of each id (in the order given, duplicates once).

    Each row is claimed and marked in its own transaction, as in `mail_deliver`, so a
    mail is marked sent as soon as the server took it and a failure later in the batch
    takes nothing back. Rows are claimed with SELECT ... FOR UPDATE SKIP LOCKED: a row
    another worker is sending right now is skipped here (that worker marks it, or
    schedules its retry), so two workers given the same ids send each mail once, without
    waiting on each other. A refused recipient or any other SMTP reply fails that mail
    only; the next one goes out on a fresh connection. When the server cannot be reached
    at all (refused, timed out, dropped a fresh connection), the remaining rows of the
    batch get a failed attempt with the same error without connecting again, so an
    outage costs one timeout per batch instead of one per mail.
    """
    ids = list(dict.fromkeys(mail_ids))
    # What never changes after queuing is read once for the batch; each row's state is
    # read again under its lock. Rows no longer pending are not even locked.
    pending = OutgoingMail.objects.filter(pk__in=ids, state=MailState.PENDING).defer(
        "body_text", "body_html"
    )
    known = {mail.pk: mail for mail in pending}
    outcomes: dict[int, MailDelivery] = {}
    unreachable: Exception | None = None
    for mail_id in ids:
        if mail_id not in known:
            outcomes[mail_id] = MailDelivery("skipped")
            continue
        delivery, server_error = _deliver(
            mail_id, skip_locked=True, unreachable=unreachable, known=known[mail_id]
        )
        outcomes[mail_id] = delivery
        unreachable = unreachable or server_error
    return outcomes

"""The transactional e-mail outbox.

`notification_queue` is called inside the caller's transaction: it renders the message
(subject, text and HTML in the recipient's language), builds it as the SMTP server will
get it, saves both on an `OutgoingMail` row and, once the transaction commits, enqueues a
send task; mail queued in the same transaction shares batch tasks of OUTBOX_BATCH_SIZE
rows. The task (see `admissions/notifications/tasks.py`) claims its rows in one short
transaction (locked FOR UPDATE SKIP LOCKED, skipped unless pending and due, marked
"sending"), then sends them one after the other over the worker's kept SMTP connection
with no transaction open, and writes each outcome under its claim: sent (in small
groups), retry after a backoff, or failed. So a repeated or concurrent task sends no
second copy, and a failure later in a batch takes back nothing already sent. A periodic
sweep re-enqueues rows still pending, and rows whose claim is older than
OUTBOX_CLAIM_SECONDS (their worker died), so neither a task lost with the broker nor a
dead worker loses mail.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import smtplib
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.db.models import F
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
SUBJECT_MAX_LENGTH = OutgoingMail._meta.get_field("subject").max_length


def mail_enqueue_batch(mail_ids: Iterable[int], *, countdown: float | None = None) -> int:
    """Hand outbox rows to the broker in as few send tasks as hold at most
    OUTBOX_BATCH_SIZE ids each, split evenly (60 ids with a size of 50 go out as two tasks
    of 30, so the worker processes share them); each task sends its rows over one SMTP
    connection. Never raises.

    `countdown` (seconds) delays the tasks (retries). `retry=False` and the broker
    transport options in settings make this fail within about a second when the broker
    is down; the rows then stay pending and the sweep enqueues them again later (the
    first failure ends the call, so a dead broker costs one timeout, not one per batch).
    Returns how many ids the broker took.
    """
    from admissions.notifications.tasks import mail_send_batch

    ids = list(dict.fromkeys(mail_ids))
    tasks = -(-len(ids) // max(1, settings.OUTBOX_BATCH_SIZE))  # rounded up
    taken = 0
    for number in range(tasks):
        chunk = ids[len(ids) * number // tasks : len(ids) * (number + 1) // tasks]
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

    `context` must be JSON-serialisable (dates as ISO strings). The message is rendered
    now, in `language`, from `templates/emails/<template>.{subject.txt,txt,html}` with the
    office's contacts in force now, and built whole (its Date is now, its Reply-To the
    office's now), so the worker only sends it. A template that fails to render saves the
    row as failed with the error, and the caller's change goes on. An invalid address,
    template name or context raises `ValidationError` before anything is saved. Queuing
    an existing `key` again returns the existing row and sends nothing.
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
    fields = {
        "recipient": address,
        "template": template,
        "context": stored_context,
        "language": language,
        "user": user,
    }
    fields.update(_rendered_fields(OutgoingMail(idempotency_key=key, **fields)))
    # get_or_create is safe under concurrency: the unique key makes a concurrent second
    # insert fail (on PostgreSQL it waits for the first transaction), and the existing row
    # is then read back.
    with transaction.atomic():
        mail, created = OutgoingMail.objects.get_or_create(idempotency_key=key, defaults=fields)
        if created and mail.state == MailState.PENDING:
            _prepare(mail)
        if created and mail.state == MailState.PENDING:
            mail_enqueue_on_commit(mail.pk)
    return mail


def _rendered_fields(mail: OutgoingMail) -> dict[str, Any]:
    """The fields that store the message of a new row, rendered now: the subject and both
    bodies; or, when a template fails to render, the failed state with the error (the
    caller's change goes on; the mail can be re-sent from the admin once the template is
    fixed, and is rendered again then)."""
    try:
        subject, text, html = mail_render(mail)
    except DatabaseError:  # not the template's fault: the caller's transaction is broken
        raise
    except Exception as exc:
        logger.exception("Mail %s (%s) failed to render", mail.idempotency_key, mail.template)
        return {
            "state": MailState.FAILED,
            "last_error": f"render: {exc!r}",
            "last_attempt_at": timezone.now(),
        }
    return {"subject": subject, "body_text": text, "body_html": html}


def _prepare(mail: OutgoingMail) -> None:
    """Build the MIME message of the new, rendered row `mail` as the SMTP server will get
    it (its Message-ID needs the row's id, hence after the INSERT) and store it, so the
    worker only sends it; a message that cannot be built marks the row failed."""
    try:
        message = _message(mail, reply_to=office_reply_to())
        values: dict[str, Any] = {"message": message.message().as_bytes(linesep="\r\n")}
    except DatabaseError:
        raise
    except Exception as exc:  # an address or header Django refuses: this mail only
        logger.exception("Mail %s (%s) could not be built", mail.pk, mail.template)
        values = {
            "state": MailState.FAILED,
            "last_error": f"render: {exc!r}",
            "last_attempt_at": timezone.now(),
        }
    OutgoingMail.objects.filter(pk=mail.pk).update(**values)
    for name, value in values.items():
        setattr(mail, name, value)


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
    """Render (subject, text, html) of `mail` in its language, from templates/emails/,
    with the admissions office's contacts in the footer. Template errors propagate."""
    return _render_message(mail, office_get())


def _render_message(mail: OutgoingMail, office) -> tuple[str, str, str]:
    context = {
        **mail.context,
        "site_url": settings.SITE_URL.rstrip("/"),
        # The footer's contacts, shown in the mail's language.
        "office": office,
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
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise ValueError(
            f"{name}.subject.txt rendered a subject over {SUBJECT_MAX_LENGTH} characters"
        )
    # Template tags leave blank lines behind; a plain-text mail reads better without them.
    text = re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", text)).strip() + "\n"
    return subject, text, html


@functools.cache
def _message_id_domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"


def _message_id(mail: OutgoingMail) -> str:
    """The same Message-ID for every attempt, so a receiver can drop a duplicate."""
    domain = _message_id_domain(settings.DEFAULT_FROM_EMAIL)
    digest = hashlib.sha256(mail.idempotency_key.encode()).hexdigest()[:16]
    return f"<outbox-{mail.pk}-{digest}@{domain}>"


def _headers(mail: OutgoingMail) -> dict[str, str]:
    return {
        "Message-ID": _message_id(mail),
        "Content-Language": mail.language,
        "Auto-Submitted": "auto-generated",
    }


def _message(mail: OutgoingMail, *, reply_to: str) -> EmailMultiAlternatives:
    """The message of the rendered row `mail` (subject and bodies stored on it): the MIME
    form prepared when it was queued (`OutgoingMail.message`) where there is one, else
    built afresh by Django when sent."""
    fields = {
        "subject": mail.subject,
        "body": mail.body_text,
        "to": [mail.recipient],
        "reply_to": [reply_to] if reply_to else None,
        "headers": _headers(mail),
    }
    if mail.message:
        message: EmailMultiAlternatives = _PreparedMessage(bytes(mail.message), **fields)
    else:
        message = EmailMultiAlternatives(**fields)
    message.attach_alternative(mail.body_html, "text/html")
    return message


class _PreparedMIME:
    """The MIME form of a message, as bytes built earlier: what a mail backend asks of
    `EmailMessage.message()` (Django's SMTP backend: its bytes with CRLF line ends)."""

    def __init__(self, data: bytes):
        self.data = data  # lines end with CRLF

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n", **_options) -> bytes:
        return self.data if linesep == "\r\n" else self.data.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, **_options) -> str:
        return self.as_bytes().decode("utf-8", "replace")

    def get_charset(self) -> None:
        return None


class _PreparedMessage(EmailMultiAlternatives):
    """A message whose MIME form was built when it was queued (`OutgoingMail.message`,
    see `_prepare`): a backend gets those bytes, headers included, instead of building
    them again. Its attributes (subject, bodies, recipient, headers) describe the same
    message for backends that keep the object (the in-memory one of the tests), its
    `reply_to` as read when sent."""

    def __init__(self, prepared: bytes, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prepared = prepared

    def message(self, **_options) -> _PreparedMIME:
        return _PreparedMIME(self.prepared)


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


@functools.cache
def _envelope_address(address: str, encoding: str) -> str:
    return sanitize_address(address, encoding)


def _hand_over(backend: BaseEmailBackend, mail: OutgoingMail, *, reply_to: str) -> None:
    """Give the rendered row `mail` to `backend`.

    Over Django's SMTP backend a message prepared when queued goes out as those bytes,
    with the envelope Django would use (a plain SMTP transaction: the server sees what
    `EmailMessage.send()` would send). Any other backend (the console, the tests'
    in-memory one, an SMTP backend subclass that may sign or rewrite) gets a message
    object: the prepared one, or one Django builds now.
    """
    if mail.message and type(backend) is SMTPBackend:
        encoding = settings.DEFAULT_CHARSET
        backend.connection.sendmail(
            _envelope_address(settings.DEFAULT_FROM_EMAIL, encoding),
            [sanitize_address(mail.recipient, encoding)],
            bytes(mail.message),
        )
        return
    message = _message(mail, reply_to=reply_to)
    message.connection = backend
    message.send()


def _send_reusing_connection(mail: OutgoingMail, *, reply_to: str) -> None:
    """Send the rendered row `mail` through this thread's open connection, opening it
    when needed (see `_hand_over`).

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
    try:
        _hand_over(backend, mail, reply_to=reply_to)
    except (smtplib.SMTPServerDisconnected, ConnectionError):
        mail_connection_close()
        if not reused:
            raise
        _send_reusing_connection(mail, reply_to=reply_to)
    except Exception:
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


def _claimable(mail: OutgoingMail, now: datetime) -> bool:
    """Whether a task may take `mail` for sending now: pending and due, or claimed by a
    worker so long ago (OUTBOX_CLAIM_SECONDS) that it must have died."""
    if mail.state == MailState.PENDING:
        return _is_due(mail, now)
    if mail.state == MailState.SENDING:
        stale = now - timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)
        return mail.claimed_at is None or mail.claimed_at <= stale
    return False


def _claim(ids: list[int], now: datetime) -> tuple[list[OutgoingMail], dict[int, MailDelivery]]:
    """Claim the claimable rows of `ids` for this worker, in one short transaction: lock
    them (FOR UPDATE SKIP LOCKED, so a row another task is claiming right now is left to
    it), then mark them "sending" with the claim time `now`, and commit.

    Returns the claimed rows (in the order of `ids`) and the outcome of every other id:
    not_due for a pending row whose backoff has not passed, skipped for the rest (gone,
    sent, failed, locked or freshly claimed elsewhere).
    """
    outcomes: dict[int, MailDelivery] = {}
    with transaction.atomic():
        rows = {
            mail.pk: mail
            for mail in OutgoingMail.objects.select_for_update(skip_locked=True).filter(
                pk__in=ids, state__in=(MailState.PENDING, MailState.SENDING)
            )
        }
        claimed = []
        for mail_id in ids:
            mail = rows.get(mail_id)
            if mail is not None and _claimable(mail, now):
                claimed.append(mail)
            elif mail is not None and mail.state == MailState.PENDING:
                outcomes[mail_id] = MailDelivery("not_due")
            else:
                outcomes[mail_id] = MailDelivery("skipped")
        if claimed:
            OutgoingMail.objects.filter(pk__in=[mail.pk for mail in claimed]).update(
                state=MailState.SENDING, claimed_at=now
            )
    for mail in claimed:
        mail.state, mail.claimed_at = MailState.SENDING, now
    return claimed, outcomes


def _renew(mails: list[OutgoingMail], claim: datetime, now: datetime) -> list[OutgoingMail]:
    """Move this worker's claim on `mails` from `claim` to `now`, so that a long batch
    keeps its rows; return the rows still claimed (a row whose claim another task has
    taken over meanwhile is left to that task)."""
    with transaction.atomic():
        kept = set(
            OutgoingMail.objects.select_for_update()
            .filter(pk__in=[mail.pk for mail in mails], state=MailState.SENDING, claimed_at=claim)
            .values_list("pk", flat=True)
        )
        OutgoingMail.objects.filter(pk__in=kept).update(claimed_at=now)
    return [mail for mail in mails if mail.pk in kept]


def _release(mails: list[OutgoingMail], claim: datetime) -> None:
    """Put rows this worker claimed but did not try back to pending (the batch stopped on
    an unexpected error), so the sweep need not wait for the claim to go stale."""
    try:
        OutgoingMail.objects.filter(
            pk__in=[mail.pk for mail in mails], state=MailState.SENDING, claimed_at=claim
        ).update(state=MailState.PENDING)
    except DatabaseError:  # the claims go stale instead, and the sweep takes them then
        logger.warning("Could not release %s claimed mail", len(mails), exc_info=True)


# Mail that went out is marked sent in groups of at most this many rows, or after at most
# this many seconds: one round trip to the database per group instead of one per mail. The
# price is the at-least-once gap: a worker that dies leaves the mail of its unwritten group
# (at most MARK_GROUP_SIZE) to be sent again once the claim is stale, with the same
# Message-ID. Any error, in a mail or in the batch, writes the group first.
MARK_GROUP_SIZE = 25
MARK_GROUP_SECONDS = 1.0


class _ClaimedRows:
    """Writes the outcomes of the rows a worker claimed, each only while its row still
    carries the worker's claim (the claim time is the token): a failure at once, sent
    mail in groups."""

    def __init__(self, claim: datetime):
        self.claim = claim
        self.sent: list[int] = []  # ids of the rows sent and not yet marked
        self.sent_since = 0.0

    def _claimed(self, ids: list[int]):
        return OutgoingMail.objects.filter(
            pk__in=ids, state=MailState.SENDING, claimed_at=self.claim
        )

    def write(self, mail: OutgoingMail, **values: Any) -> None:
        """Write `values` (field name to value) to the row of `mail` now (after the group
        of sent rows, so the rows are written in the order they were tried)."""
        self.flush()
        if not self._claimed([mail.pk]).update(**values):
            logger.warning("Mail %s: its claim was taken over; outcome not written", mail.pk)

    def mark_sent(self, mail: OutgoingMail) -> None:
        """Mark `mail` sent with the next group (see MARK_GROUP_SIZE)."""
        if not self.sent:
            self.sent_since = time.monotonic()
        self.sent.append(mail.pk)
        if len(self.sent) >= MARK_GROUP_SIZE:
            self.flush()

    def flush_if_old(self) -> None:
        """Write the group if its first row has waited MARK_GROUP_SECONDS (a slow server)."""
        if self.sent and time.monotonic() - self.sent_since >= MARK_GROUP_SECONDS:
            self.flush()

    def flush(self) -> None:
        """Write the group of sent rows in one statement: sent now (the time the group is
        written, at most MARK_GROUP_SECONDS after each mail went out), one more attempt
        counted, no error."""
        if not self.sent:
            return
        ids, self.sent = self.sent, []
        now = timezone.now()
        written = self._claimed(ids).update(
            state=MailState.SENT,
            sent_at=now,
            last_attempt_at=now,
            attempts=F("attempts") + 1,
            last_error="",
        )
        if written != len(ids):
            logger.warning(
                "%s of %s sent mail had their claim taken over; not marked sent",
                len(ids) - written,
                len(ids),
            )


def _send_claimed(
    mail: OutgoingMail,
    rows: _ClaimedRows,
    *,
    office,
    reply_to: str,
    unreachable: Exception | None = None,
) -> tuple[MailDelivery, Exception | None]:
    """One delivery attempt of a row this worker claimed, its outcome written through
    `rows` (a failure at once, a sent mail with its group).

    `office` and `reply_to` are read once per batch. With `unreachable` (the error of a
    server that could not be reached a moment ago, in the same batch) the attempt is
    recorded as failed with that error, without connecting again. Returns the outcome
    and, when the server could not be reached, the error.
    """
    now = timezone.now()
    rendered_now = not mail.subject
    if not mail.message and rendered_now:
        # A mail queued before messages were stored when queued, or re-sent after its
        # template failed and was fixed: rendered now (and built when handed over).
        try:
            mail.subject, mail.body_text, mail.body_html = _render_message(mail, office)
        except Exception as exc:  # a broken template must not block other mail
            logger.exception("Mail %s (%s) failed to render", mail.pk, mail.template)
            error = f"render: {exc!r}"
            rows.write(mail, state=MailState.FAILED, last_error=error, last_attempt_at=now)
            return MailDelivery("failed", error=error), None
    attempts = mail.attempts + 1
    try:
        if unreachable is not None:
            raise unreachable
        _send_reusing_connection(mail, reply_to=reply_to)
    except (smtplib.SMTPException, OSError) as exc:  # OSError: refused, timeout, DNS
        error = f"{type(exc).__name__}: {exc}"[:2000]
        permanent = _is_permanent(exc)
        failed = permanent or attempts >= settings.OUTBOX_MAX_ATTEMPTS
        rows.write(
            mail,
            state=MailState.FAILED if failed else MailState.PENDING,
            attempts=attempts,
            last_attempt_at=now,
            last_error=error,
        )
        logger.warning(
            "Mail %s attempt %s failed (%s): %s",
            mail.pk,
            attempts,
            "permanent" if permanent else "transient",
            error,
        )
        server_error = exc if _is_unreachable(exc) else None
        if failed:
            return MailDelivery("failed", error=error), server_error
        return (
            MailDelivery("retry", countdown=mail_retry_countdown(attempts), error=error),
            server_error,
        )
    except Exception as exc:  # a message the backend refuses (a bad address): this mail only
        logger.exception("Mail %s could not be handed to the mail backend", mail.pk)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        rows.write(
            mail,
            state=MailState.FAILED,
            attempts=attempts,
            last_attempt_at=now,
            last_error=error,
        )
        return MailDelivery("failed", error=error), None
    if rendered_now:  # rare: written on its own, with the message as rendered
        rows.write(
            mail,
            state=MailState.SENT,
            sent_at=timezone.now(),
            attempts=attempts,
            last_attempt_at=now,
            last_error="",
            subject=mail.subject,
            body_text=mail.body_text,
            body_html=mail.body_html,
        )
    else:
        rows.mark_sent(mail)
    return MailDelivery("sent"), None


def mail_deliver(*, mail_id: int) -> MailDelivery:
    """Send the outbox row `mail_id` once, if it is pending and due (see
    `mail_deliver_batch`): sent, skipped (gone, not pending, or being sent by another
    task), not_due, failed, or retry with its countdown."""
    return mail_deliver_batch(mail_ids=[mail_id])[mail_id]


def mail_deliver_batch(*, mail_ids: Iterable[int]) -> dict[int, MailDelivery]:
    """Send several outbox rows one after the other over this process's kept SMTP
    connection; return the outcome of each id (in the order given, duplicates once).

    The rows are first claimed in one short transaction (`_claim`: locked with SKIP
    LOCKED, checked pending and due, marked "sending", committed), so no database
    transaction stays open while the SMTP server is spoken to. A second task given the
    same ids, at the same time or later, finds them claimed or sent and skips them: each
    mail is sent once. Each outcome is written under the claim as soon as it is known:
    a failure at once (pending again with its attempt counted, for a retry after the
    backoff; or failed), sent mail in groups (`MARK_GROUP_SIZE`). Every error writes the
    group first, so a failure later in the batch takes nothing back.

    A refused recipient or any other SMTP reply fails that mail only; the next one goes
    out on a fresh connection. When the server cannot be reached at all (refused, timed
    out, dropped a fresh connection), the remaining rows of the batch get a failed
    attempt with the same error without connecting again, so an outage costs one timeout
    per batch instead of one per mail. Rows not yet tried when the batch stops on an
    unexpected error go back to pending. A worker that dies leaves its rows "sending":
    once the claim is OUTBOX_CLAIM_SECONDS old they count as pending again, and the sweep
    hands them to another task. The unavoidable at-least-once gap remains: a worker that
    dies after the SMTP server took a message but before its outcome is written leaves
    that message to be sent again (with the same Message-ID).
    """
    ids = list(dict.fromkeys(mail_ids))
    claim = timezone.now()
    claimed, outcomes = _claim(ids, claim)
    if claimed:
        # What every mail of the batch shares is read once.
        office = office_get()
        reply_to = office_reply_to()
        renew_after = timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS / 3)
        waiting = deque(claimed)
        rows = _ClaimedRows(claim)
        unreachable: Exception | None = None
        try:
            while waiting:
                rows.flush_if_old()
                now = timezone.now()
                if now - rows.claim >= renew_after:
                    rows.flush()  # written under the claim they were sent with
                    kept = _renew(list(waiting), rows.claim, now)
                    for mail in waiting:
                        if mail not in kept:
                            outcomes[mail.pk] = MailDelivery("skipped")
                    waiting, rows.claim = deque(kept), now
                    continue
                mail = waiting.popleft()
                delivery, server_error = _send_claimed(
                    mail, rows, office=office, reply_to=reply_to, unreachable=unreachable
                )
                outcomes[mail.pk] = delivery
                unreachable = unreachable or server_error
        finally:
            try:
                rows.flush()
            finally:
                if waiting:
                    _release(list(waiting), rows.claim)
    return {mail_id: outcomes[mail_id] for mail_id in ids}

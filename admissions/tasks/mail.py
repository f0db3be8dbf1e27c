"""Celery tasks: thin wrappers that take ids and call services."""

from __future__ import annotations

import logging
import smtplib
import socket
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ..enums import MailState
from ..models import OutgoingMail

__all__ = ["mail_send", "mail_sweep", "render_mail"]

logger = logging.getLogger(__name__)

TRANSIENT_MAIL_ERRORS = (smtplib.SMTPException, socket.error, TimeoutError, ConnectionError)


def render_mail(mail: OutgoingMail) -> tuple[str, str, str]:
    context = {**mail.context, "site_url": settings.SITE_URL, "language": mail.language}
    with translation.override(mail.language):
        subject = render_to_string(f"emails/{mail.template}.subject.txt", context)
        text = render_to_string(f"emails/{mail.template}.txt", context)
        html = render_to_string(f"emails/{mail.template}.html", context)
    return " ".join(subject.split()), text, html


@shared_task(name="admissions.mail_send", bind=True, acks_late=True, max_retries=None)
def mail_send(self, mail_id: int) -> str:
    """Send one outbox row at most once."""
    with transaction.atomic():
        mail = OutgoingMail.objects.select_for_update().filter(pk=mail_id).first()
        if mail is None or mail.state != MailState.PENDING:
            return "skipped"
        try:
            subject, text, html = render_mail(mail)
        except Exception as exc:  # a broken template must not block other mail
            mail.state = MailState.FAILED
            mail.last_error = f"render: {exc!r}"
            mail.save(update_fields=["state", "last_error"])
            return "failed"
        mail.attempts += 1
        mail.last_attempt_at = timezone.now()
        message = EmailMultiAlternatives(subject, text, to=[mail.recipient])
        message.attach_alternative(html, "text/html")
        try:
            message.send()
        except TRANSIENT_MAIL_ERRORS as exc:
            mail.last_error = repr(exc)
            if mail.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
                mail.state = MailState.FAILED
            mail.save(update_fields=["attempts", "last_attempt_at", "last_error", "state"])
            if mail.state == MailState.FAILED:
                return "failed"
            retry_exc = exc
        else:
            mail.state = MailState.SENT
            mail.sent_at = timezone.now()
            mail.subject, mail.body_text, mail.body_html = subject, text, html
            mail.last_error = ""
            mail.save()
            return "sent"
    # Retry outside the transaction, so the attempt count above is committed.
    raise self.retry(exc=retry_exc, countdown=min(30 * 2 ** (mail.attempts - 1), 3600))


@shared_task(name="admissions.mail_sweep")
def mail_sweep() -> int:
    """Re-enqueue mail still pending after the grace period (e.g. queued while the broker
    was down)."""
    cutoff = timezone.now() - timedelta(seconds=settings.OUTBOX_GRACE_SECONDS)
    ids = list(
        OutgoingMail.objects.filter(state=MailState.PENDING, created_at__lte=cutoff).values_list(
            "pk", flat=True
        )[:1000]
    )
    for mail_id in ids:
        mail_send.delay(mail_id)
    return len(ids)

"""The transactional e-mail outbox.

`notification_queue` is called inside the caller's transaction: it saves an `OutgoingMail`
row and, once the transaction commits, enqueues the send task. The task (see `tasks.py`)
locks the row, skips it unless pending, sends it and marks it sent, so a repeated task sends
no second copy; a periodic sweep re-enqueues rows still pending, so a lost task loses no mail.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import OutgoingMail

__all__ = ["mail_enqueue_on_commit", "notification_queue"]

logger = logging.getLogger(__name__)

SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def mail_enqueue_on_commit(mail_id: int) -> None:
    """Enqueue the send task after commit; a broker outage must not break the caller."""

    def enqueue() -> None:
        from ..tasks import mail_send

        try:
            mail_send.delay(mail_id)
        except Exception:  # the broker is down: the sweep will send it later
            logger.warning("Could not enqueue mail %s; the outbox sweep will retry", mail_id)

    transaction.on_commit(enqueue)


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

    `context` must be JSON-serialisable: the message is rendered when it is sent, in
    `language`, from `templates/emails/<template>.{subject.txt,txt,html}`.
    """
    try:
        validate_email(recipient)
    except ValidationError as exc:
        raise ValidationError(
            _("“%(address)s” is not a valid e-mail address.") % {"address": recipient}
        ) from exc
    if language not in SUPPORTED_LANGUAGES:
        language = settings.LANGUAGE_CODE
    with transaction.atomic():
        mail, created = OutgoingMail.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "recipient": recipient,
                "template": template,
                "context": context,
                "language": language,
                "user": user,
            },
        )
        if created:
            mail_enqueue_on_commit(mail.pk)
    return mail

"""Send a test message through the outbox, so an operator can check the mail set-up."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from admissions.enums import MailState
from admissions.notifications.outbox import notification_queue


class Command(BaseCommand):
    help = (
        "Queue a test e-mail to EMAIL through the outbox (the same path as every "
        "notification: outbox row, Celery task, SMTP) and say what happened."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="Recipient address.")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="Language of the message (default: %(default)s).",
        )

    def handle(self, *args, email: str, language: str, **options):
        key = f"test-notification-{uuid.uuid4()}"  # every run is a new message
        try:
            with transaction.atomic():
                mail = notification_queue(
                    recipient=email,
                    template="test_notification",
                    context={"requested_at": timezone.now().isoformat()},
                    language=language,
                    key=key,
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        mail.refresh_from_db()
        self.stdout.write(
            f"Queued outgoing mail #{mail.pk} (test_notification, {language}) to {mail.recipient}."
        )
        if mail.state == MailState.SENT:
            self.stdout.write(self.style.SUCCESS("Sent already (tasks run eagerly here)."))
        elif mail.state == MailState.FAILED:
            raise CommandError(f"Sending failed: {mail.last_error}")
        elif settings.CELERY_TASK_ALWAYS_EAGER:
            self.stdout.write(self.style.WARNING(f"Still pending: {mail.last_error}"))
        else:
            broker = settings.CELERY_BROKER_URL.rpartition("@")[2]  # no credentials
            self.stdout.write(
                self.style.SUCCESS(
                    f"Handed to the Celery worker via {broker}; "
                    "if no worker or broker is running, it waits in the outbox and the "
                    "sweep sends it later. Follow it in the admin: Outgoing mail."
                )
            )

"""django-allauth adapter: every account e-mail goes through the outbox.

allauth renders and sends its mail synchronously; here `send_mail` instead queues an
`OutgoingMail` row (`admissions.notifications.outbox.notification_queue`) that a Celery
task renders and sends after the transaction commits, in the recipient's language:

* the language is the recipient's (`admissions.selectors.applicant_language`: the profile's
  preferred language, else the account's, which sign-up sets to the language of the
  sign-up page), else the language active in the request;
* links in the mail are built under that language, so they carry its URL prefix;
* e-mail confirmation -> template ``account_confirmation`` (context ``confirm_url``),
  password reset -> ``password_reset`` (``reset_url``); every other allauth message
  (e-mail changed, password changed, account already exists, unknown account, ...) ->
  ``account_notice``, whose context carries a ``subject`` and ``text`` rendered here from
  allauth's own templates under the recipient's language. allauth's context holds objects
  (users, requests, datetimes) that cannot be stored as JSON, which is why those messages
  are rendered at queue time rather than at send time.

Each event gets its own idempotency key (the confirmation key, or a random uuid), so a
second reset request sends a second mail while a retried task never sends a copy.
"""

from __future__ import annotations

import uuid
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import translation

CONFIRMATION_TEMPLATES = {
    "account/email/email_confirmation_signup",
    "account/email/email_confirmation",
}
PASSWORD_RESET_TEMPLATE = "account/email/password_reset_key"  # noqa: S105


def user_display(user) -> str:
    """How allauth names a person in its messages ("Successfully signed in as …"): the
    e-mail address they signed up with, never the username generated for them."""
    return user.email or user.get_full_name() or ""


def _supported(language: str | None) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    if language in codes:
        return language
    base = (language or "").split("-")[0]
    return base if base in codes else settings.LANGUAGE_CODE


class AccountAdapter(DefaultAccountAdapter):
    """allauth adapter; its e-mail goes through the outbox (see the module docstring)."""

    # --- language ------------------------------------------------------------------------
    def _user_for(self, email: str, context: dict[str, Any]):
        user = context.get("user")
        if user is not None and getattr(user, "pk", None):
            return user
        from allauth.account.models import EmailAddress

        address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
        if address is not None:
            return address.user
        return get_user_model().objects.filter(email__iexact=email).first()

    def mail_language(self, user) -> str:
        """The language of mail to `user`: theirs, else the active one."""
        from admissions.selectors import applicant_language

        return applicant_language(user, default=_supported(translation.get_language()))

    def save_user(self, request, user, form, commit: bool = True):
        """Save the new account and remember the language of the sign-up page as the
        language of its mail, until the person chooses another."""
        user = super().save_user(request, user, form, commit=commit)
        if commit and user.pk:
            from admissions.applicants.services import user_language_set

            user_language_set(
                user=user, language=_supported(translation.get_language()), explicit=False
            )
        return user

    # --- mails whose links must carry the recipient's language prefix ---------------------
    def send_confirmation_mail(self, request, emailconfirmation, signup: bool) -> None:
        language = self.mail_language(emailconfirmation.email_address.user)
        with translation.override(language):
            super().send_confirmation_mail(request, emailconfirmation, signup)

    def send_password_reset_mail(self, user, email: str, context: dict[str, Any]) -> None:
        language = self.mail_language(user)
        with translation.override(language):
            # allauth built the URL under the page language; rebuild it under the recipient's.
            context = {
                **context,
                "password_reset_url": self.get_reset_password_from_key_url(
                    f"{context['uid']}-{context['key']}"
                ),
            }
            super().send_password_reset_mail(user, email, context)

    # --- the outbox ----------------------------------------------------------------------
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        from admissions.notifications.outbox import notification_queue

        user = self._user_for(email, context)
        language = self.mail_language(user)
        if template_prefix in CONFIRMATION_TEMPLATES:
            template = "account_confirmation"
            mail_context = {"confirm_url": context["activate_url"], "email": email}
            key = f"account_confirmation:{context['key']}"
        elif template_prefix == PASSWORD_RESET_TEMPLATE:
            template = "password_reset"
            mail_context = {"reset_url": context["password_reset_url"], "email": email}
            key = f"password_reset:{uuid.uuid4().hex}"
        else:
            template = "account_notice"
            mail_context = self._render_notice(template_prefix, email, context, language)
            key = f"account_notice:{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4().hex}"
        notification_queue(
            recipient=email,
            template=template,
            context=mail_context,
            language=language,
            key=key,
            user=user,
        )

    def _render_notice(
        self, template_prefix: str, email: str, context: dict, language: str
    ) -> dict[str, str]:
        """Render allauth's subject and text of a notice now, in `language`."""
        request = context.get("request") or getattr(self, "request", None)
        ctx = {"email": email, **context}
        if request is not None:
            from django.contrib.sites.shortcuts import get_current_site

            ctx.setdefault("request", request)
            ctx.setdefault("current_site", get_current_site(request))
        with translation.override(language):
            subject = render_to_string(f"{template_prefix}_subject.txt", ctx)
            text = render_to_string(f"{template_prefix}_message.txt", ctx)
        subject = self.format_email_subject(" ".join(subject.split()))
        return {"subject": subject, "text": text.strip(), "email": email}

"""allauth's forms with the site's input rule (`admissions.text.NormalisedFormMixin`): the
e-mail typed at sign-up, sign-in, password reset or when adding an address is normalised
(NFC, stripped) before allauth validates it. Wired in through ``ACCOUNT_FORMS``."""

from __future__ import annotations

from allauth.account import app_settings
from allauth.account import forms as allauth_forms

from admissions.text import NormalisedFormMixin

__all__ = ["AddEmailForm", "LoginForm", "ResetPasswordForm", "SignupForm"]


class LoginForm(NormalisedFormMixin, allauth_forms.LoginForm):
    """Sign-in does not wait for the e-mail confirmation: verification is "mandatory" only so
    that sign-up answers the same for known and unknown addresses (see the settings)."""

    def clean(self):
        cleaned = super().clean()
        login = getattr(self, "_login", None)
        if login is not None:
            login.email_verification = app_settings.EmailVerificationMethod.OPTIONAL
        return cleaned


class SignupForm(NormalisedFormMixin, allauth_forms.SignupForm):
    pass


class ResetPasswordForm(NormalisedFormMixin, allauth_forms.ResetPasswordForm):
    pass


class AddEmailForm(NormalisedFormMixin, allauth_forms.AddEmailForm):
    pass

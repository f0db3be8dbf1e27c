"""allauth's forms with the site's input rule (`admissions.text.NormalisedFormMixin`): the
e-mail typed at sign-up, sign-in, password reset or when adding an address is normalised
(NFC, stripped) before allauth validates it. Wired in through ``ACCOUNT_FORMS``."""

from __future__ import annotations

from allauth.account import forms as allauth_forms

from admissions.text import NormalisedFormMixin

__all__ = ["AddEmailForm", "LoginForm", "ResetPasswordForm", "SignupForm"]


class LoginForm(NormalisedFormMixin, allauth_forms.LoginForm):
    pass


class SignupForm(NormalisedFormMixin, allauth_forms.SignupForm):
    pass


class ResetPasswordForm(NormalisedFormMixin, allauth_forms.ResetPasswordForm):
    pass


class AddEmailForm(NormalisedFormMixin, allauth_forms.AddEmailForm):
    pass

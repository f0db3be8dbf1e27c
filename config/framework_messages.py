"""Django and allauth strings an applicant sees, listed so `makemessages` copies them into
locale/.

Django's Kazakh catalogue is incomplete and allauth has none; a msgid missing for kk falls
back to LANGUAGE_CODE (Russian), so /kk/ sign-up, log-in and form errors showed Russian
text. Catalogues under LOCALE_PATHS win over the libraries' ones, so translating these
msgids in locale/kk (and locale/ru, for one voice) fixes that. Each msgid must match the
library's source text exactly (tests/test_framework_messages.py checks it against the
libraries' Russian catalogues). Nothing imports this module at run time.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

MESSAGES = [
    # django.core.validators / django.forms
    _("Enter a valid email address."),
    _("Ensure this value is less than or equal to %(limit_value)s."),
    _("Ensure this value is greater than or equal to %(limit_value)s."),
    # django.contrib.auth.password_validation (errors and help texts)
    _("This password is too common."),
    _("This password is entirely numeric."),
    _("The password is too similar to the %(verbose_name)s."),
    _("Your password can’t be too similar to your other personal information."),
    _("Your password can’t be a commonly used password."),
    _("Your password can’t be entirely numeric."),
    # allauth.account (labels and errors of sign-up, log-in, password reset and change)
    _("Email"),
    _("Email address"),
    _("Forgot your password?"),
    _("Confirmation email sent to %(email)s."),
    _("Remember Me"),
    _("Current Password"),
    _("New Password"),
    _("New Password (again)"),
    _("You must type the same password each time."),
    _("The email address and/or password you specified are not correct."),
    _("A user is already registered with this email address."),
    _("The email address is not assigned to any user account."),
    _("Too many failed login attempts. Try again later."),
    _("Be patient, you are sending too many requests."),
    _("The password reset token was invalid."),
    _("Incorrect password."),
    _("Please type your current password."),
    _("This account is currently inactive."),
]

PLURAL_MESSAGES = [
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s digit in total.",
        "Ensure that there are no more than %(max)s digits in total.",
        "max",
    ),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s decimal place.",
        "Ensure that there are no more than %(max)s decimal places.",
        "max",
    ),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s digit before the decimal point.",
        "Ensure that there are no more than %(max)s digits before the decimal point.",
        "max",
    ),
    ngettext_lazy(
        "Please submit at most %(num)d form.", "Please submit at most %(num)d forms.", "num"
    ),
    ngettext_lazy(
        "Please submit at least %(num)d form.", "Please submit at least %(num)d forms.", "num"
    ),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        10,
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
]

"""Two-factor sign-in for staff (allauth's MFA: TOTP codes from an authenticator app, with
one-time recovery codes).

Where ``STAFF_TWO_FACTOR_REQUIRED`` is on (production), every admin page asks of a staff user:

* no authenticator yet -> the TOTP set-up page first (then back to the admin page);
* an authenticator, but this session was not confirmed with a code (signed in through the
  admin's own password form, or before the authenticator existed) -> the code page first.

Applicants are not affected. Signing in through the site's login form with an authenticator
already asks for the code (allauth's login stage); this guard covers every other way in.
"""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

__all__ = ["StaffTwoFactorMiddleware", "session_passed_two_factor"]

# Admin views reachable before the second factor: signing in and out.
OPEN_ADMIN_VIEWS = {"login", "logout"}


def session_passed_two_factor(request) -> bool:
    """Whether a second factor (TOTP or recovery code) was checked in this session."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


class StaffTwoFactorMiddleware:
    """Sends staff without two-factor to set it up, and unconfirmed sessions to the code
    page, before any admin view runs (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.STAFF_TWO_FACTOR_REQUIRED:
            return None
        match = request.resolver_match
        if match is None or match.app_name != "admin" or match.url_name in OPEN_ADMIN_VIEWS:
            return None
        user = request.user
        if not (user.is_authenticated and user.is_staff):
            return None
        query = "?" + urlencode({"next": request.get_full_path()})
        has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        if not has_totp:
            return redirect(reverse("mfa_activate_totp") + query)
        if not session_passed_two_factor(request):
            return redirect(reverse("mfa_reauthenticate") + query)
        return None

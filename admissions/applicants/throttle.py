"""Sign-in throttling (django-axes), the same for the applicants' and the staff (admin) login.

Two limits, both counted from the failed attempts axes records:

* **account from an address**: ``AXES_FAILURE_LIMIT`` failures for one account (the
  normalised login: e-mail or staff user name, whatever the form calls the field) from one
  client address lock that pair only. Another account, or the same account from another
  address, keeps signing in: one lock-out never blocks an innocent user.
* **address**: ``AXES_ADDRESS_FAILURE_LIMIT`` failures from one client address, over any
  accounts, lock that address (password spraying), a much higher number so that a school or a
  family behind one address is not blocked by a few typos.

The client address is the peer address, or, when ``TRUSTED_PROXY_COUNT`` reverse proxies are
configured in front of the site, the address those proxies put in ``X-Forwarded-For``
(axes' ipware settings in ``config/settings/base.py``); without proxies the header is ignored,
since anyone can send it.

Hooked in through ``AXES_USERNAME_CALLABLE``, ``AXES_HANDLER`` and ``AXES_LOCKOUT_CALLABLE``.
"""

from __future__ import annotations

import hashlib

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from admissions.text import normalise_email

__all__ = [
    "LOGIN_FIELDS",
    "AccountAndAddressHandler",
    "client_address",
    "client_str",
    "lockout_response",
    "login_key",
]

# Names of the login field in the forms that authenticate: allauth's `login`, the admin's
# `username`, and `email` (allauth's credentials after its form resolved the login).
LOGIN_FIELDS = ("login", "username", "email")

ACCOUNT = "account"
ADDRESS = "address"


def login_key(request: HttpRequest | None, credentials: dict | None = None) -> str | None:
    """The account part of the throttle key: the login as typed, normalised (NFC, stripped,
    case-folded), so that `Typo@Example.org ` and `typo@example.org` are one account.

    Reads the submitted form first (what the person typed), then the credentials handed to
    `authenticate()`. Returns None when neither holds a login (e.g. the second step of a
    two-factor sign-in).
    """
    sources = []
    if request is not None and request.method == "POST":
        sources.append(getattr(request, "POST", {}))
    if credentials:
        sources.append(credentials)
    for source in sources:
        for name in LOGIN_FIELDS:
            value = source.get(name)
            if isinstance(value, str) and value.strip():
                return normalise_email(value)
    return None


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Axes' database handler with the two limits of the module docstring.

    Requires ``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]``: axes then
    returns the attempts of the pair first and those of the address second. The scope of a
    lock-out ("account" or "address") is left on the request for the lock-out page.
    """

    @staticmethod
    def _sum(attempts) -> int:
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def get_failures(self, request, credentials: dict | None = None) -> int:
        pair, address = (self._sum(qs) for qs in self.get_user_attempts(request, credentials))
        account_limit = settings.AXES_FAILURE_LIMIT
        if login_key(request, credentials) is not None and pair >= account_limit:
            request.axes_lockout_scope = ACCOUNT
            return pair
        if address >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            request.axes_lockout_scope = ADDRESS
            # Reported on axes' single scale, so that its own comparison locks the address.
            return max(pair, account_limit)
        return pair

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """After a successful sign-in, forget the failures of that account from that address
        only: a sprayer who owns one account must not clear the address counter."""
        from axes.models import AccessAttempt

        username = login_key(request, credentials)
        attempts = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        )
        count, _ = attempts.delete()
        return count


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """The translated lock-out page (HTTP 429), saying truthfully what is blocked: this
    account from this address, or every sign-in from this address."""
    scope = getattr(request, "axes_lockout_scope", ACCOUNT)
    limit = (
        settings.AXES_ADDRESS_FAILURE_LIMIT if scope == ADDRESS else settings.AXES_FAILURE_LIMIT
    )
    hours = settings.AXES_COOLOFF_TIME
    return render(
        request,
        "account/lockout.html",
        {"scope": scope, "failure_limit": limit, "cooloff_minutes": round(float(hours) * 60)},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


def client_str(username, ip_address, user_agent, path_info, request) -> str:
    """How axes names a client in its log lines: digests instead of the login and the
    address (personal data under 152-FZ and 94-V), enough to correlate lines."""
    return "account {} from {} on {}".format(
        _digest(username), _digest(ip_address), str(path_info or "")[:80]
    )


def _digest(value) -> str:
    if not value:
        return "-"
    return hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()[:10]


def client_address(request: HttpRequest) -> str | None:
    """The client's address under the trusted-proxy rule of the module docstring (the one
    the throttle keys on); also recorded with a personal-data consent."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request)

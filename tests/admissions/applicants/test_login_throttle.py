"""Sign-in throttling: keyed by account and address, truthful lock-out page, no collateral
lock-outs, and sign-in/sign-up/reset still answering with the cache server down.

The throttle is on in the whole suite (django-axes, database handler); these tests use the
limits of the settings (5 per account from an address, 50 per address) unless they say.
"""

from __future__ import annotations

import logging

import pytest
from allauth.account.models import EmailAddress
from axes.models import AccessAttempt
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


def _url(name: str, language: str = "en") -> str:
    with translation.override(language):
        return reverse(name)


def _applicant(email: str):
    user = UserFactory(username=email.split("@")[0], email=email)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def _login(client, login: str, password: str, language: str = "en", **extra):
    return client.post(
        _url("account_login", language), {"login": login, "password": password}, **extra
    )


def test_five_typos_for_different_addresses_lock_out_nobody(client):
    """The reported symptom: five wrong logins for typo0..typo4 then locked every user."""
    user = _applicant("aigerim@example.org")
    for number in range(5):
        response = _login(client, f"typo{number}@example.org", "wrong")
        assert response.status_code == 200  # the form again, with its error
    response = _login(Client(), "aigerim@example.org", PASSWORD)
    assert response.status_code == 302
    assert response.wsgi_request.user == user


def test_attempts_record_the_account_not_only_the_address(client):
    _login(client, "Typo@Example.org ", "wrong")
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "typo@example.org"
    assert attempt.ip_address == "127.0.0.1"


def test_one_account_is_locked_from_one_address_only(client):
    victim = _applicant("victim@example.org")
    other = _applicant("other@example.org")
    for _attempt in range(4):
        assert _login(client, "victim@example.org", "wrong").status_code == 200
    # The fifth failure locks the pair; the login's spelling does not matter.
    response = _login(client, "  VICTIM@example.org", "wrong")
    assert response.status_code == 429
    html = response.content.decode()
    assert "this account from your address" in html
    assert "Other accounts are not affected" in html
    # Even the right password is refused for that account from that address ...
    assert _login(Client(), "victim@example.org", PASSWORD).status_code == 429
    # ... but another account signs in from the same address,
    response = _login(Client(), "other@example.org", PASSWORD)
    assert response.status_code == 302 and response.wsgi_request.user == other
    # and the owner signs in from another address.
    response = _login(Client(REMOTE_ADDR="198.51.100.20"), "victim@example.org", PASSWORD)
    assert response.status_code == 302 and response.wsgi_request.user == victim


@override_settings(AXES_ADDRESS_FAILURE_LIMIT=8)
def test_password_spraying_from_one_address_locks_that_address(client):
    _applicant("someone@example.org")
    for number in range(7):
        assert _login(client, f"spray{number}@example.org", "wrong").status_code == 200
    response = _login(client, "spray7@example.org", "wrong", language="ru")
    assert response.status_code == 429
    html = response.content.decode()
    assert "сетевого адреса" in html
    assert "этот аккаунт" not in html  # it is not about one account
    # Every account from that address waits; other addresses do not.
    assert _login(Client(), "someone@example.org", PASSWORD).status_code == 429
    other_address = Client(REMOTE_ADDR="198.51.100.30")
    assert _login(other_address, "someone@example.org", PASSWORD).status_code == 302


def test_a_successful_sign_in_does_not_clear_the_address_counter(client):
    owner = _applicant("owner@example.org")
    for number in range(3):
        _login(client, f"guess{number}@example.org", "wrong")
    response = _login(client, "owner@example.org", PASSWORD)
    assert response.wsgi_request.user == owner
    assert AccessAttempt.objects.filter(ip_address="127.0.0.1").count() == 3


def test_lock_out_page_is_translated(client):
    _applicant("kk@example.org")
    for _attempt in range(5):
        response = _login(client, "kk@example.org", "wrong", language="kk")
    assert response.status_code == 429
    html = response.content.decode()
    assert '<html lang="kk"' in html
    assert "Sign-in temporarily blocked" not in html


def test_forwarded_header_is_ignored_without_a_trusted_proxy(client):
    """Without TRUSTED_PROXY_COUNT anyone could send X-Forwarded-For to dodge the limit."""
    _applicant("target@example.org")
    for number in range(5):
        response = _login(
            client, "target@example.org", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}"
        )
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


@override_settings(
    AXES_IPWARE_PROXY_COUNT=1,
    AXES_IPWARE_PROXY_ORDER="right-most",
    AXES_IPWARE_META_PRECEDENCE_ORDER=("HTTP_X_FORWARDED_FOR",),
    ALLAUTH_TRUSTED_PROXY_COUNT=1,
)
def test_behind_one_trusted_proxy_the_client_address_comes_from_the_proxy_header():
    """Every request arrives from the proxy (10.0.0.1); the address the proxy appended is the
    client's, and what the client itself wrote before it is ignored."""
    user = _applicant("behind@example.org")
    attacker = Client(REMOTE_ADDR="10.0.0.1")
    for number in range(5):
        response = _login(
            attacker,
            "behind@example.org",
            "wrong",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 203.0.113.66",
        )
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}
    # The owner, through the same proxy from another address, is not locked out.
    owner = Client(REMOTE_ADDR="10.0.0.1")
    response = _login(owner, "behind@example.org", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert response.status_code == 302
    assert response.wsgi_request.user == user


def test_admin_login_is_keyed_by_account_too(client):
    StaffFactory(username="officer-a")
    staff_b = StaffFactory(username="officer-b")
    login = _url("admin:login")
    for _attempt in range(5):
        response = client.post(login, {"username": "officer-a", "password": "wrong"})
    assert response.status_code == 429
    assert "this account from your address" in response.content.decode()
    response = Client().post(login, {"username": "officer-b", "password": PASSWORD})
    assert response.status_code == 302
    assert response.wsgi_request.user == staff_b


UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "config.cache.FallbackRedisCache",
        # Port 1 on loopback: nothing listens, the connection is refused at once.
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@override_settings(CACHES=UNREACHABLE_REDIS)
def test_sign_in_sign_up_and_reset_answer_with_the_cache_server_down(
    client, caplog, django_capture_on_commit_callbacks
):
    user = _applicant("outage@example.org")
    with caplog.at_level(logging.WARNING, logger="config.cache"):
        assert _login(client, "outage@example.org", "wrong").status_code == 200
        response = _login(client, "outage@example.org", PASSWORD)
        assert response.status_code == 302
        assert response.wsgi_request.user == user
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(
                _url("account_signup"),
                {
                    "email": "new-during-outage@example.org",
                    "password1": "Kazakh-steppe-2025!",
                    "password2": "Kazakh-steppe-2025!",
                },
            )
        assert response.status_code == 302
        response = Client().post(_url("account_reset_password"), {"email": "outage@example.org"})
        assert response.status_code == 302
    warnings = [r for r in caplog.records if r.name == "config.cache"]
    assert warnings and all(r.levelno == logging.WARNING for r in warnings)
    assert "Redis cache unavailable" in warnings[0].getMessage()

"""Two-factor sign-in for staff: set-up forced before the admin, codes computed from the
TOTP secret as an authenticator app would (RFC 6238), recovery codes, wrong codes refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import ApplicantProfileFactory, StaffFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
SECRET_SESSION_KEY = "mfa.totp.secret"  # where allauth keeps the secret during set-up


def totp(secret: str, at: float | None = None) -> str:
    """The 6-digit code of `secret` (base32) at time `at`, as an authenticator app shows it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def _url(name: str, **kwargs) -> str:
    with translation.override("en"):
        return reverse(name, kwargs=kwargs or None)


def _staff(username="officer-2fa"):
    user = StaffFactory(username=username, email=f"{username}@kaznu-omsk.example")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def _enrol(user) -> str:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


@override_settings(STAFF_TWO_FACTOR_REQUIRED=True)
def test_staff_without_two_factor_must_set_it_up_before_reaching_the_admin(client):
    user = _staff()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        response = client.post(
            _url("admin:login"), {"username": user.username, "password": PASSWORD}
        )
        assert response.status_code == 302
        response = client.get(_url("admin:index"))
        assert response.status_code == 302
        assert response["Location"].startswith(_url("mfa_activate_totp"))
        # Setting up asks for the password again (allauth's reauthentication), then the code.
        response = client.get(response["Location"], follow=True)
        if "password" in response.content.decode() and SECRET_SESSION_KEY not in client.session:
            client.post(_url("account_reauthenticate"), {"password": PASSWORD})
            response = client.get(_url("mfa_activate_totp"))
        assert response.status_code == 200
        secret = client.session[SECRET_SESSION_KEY]
        response = client.post(_url("mfa_activate_totp"), {"code": "000000"})
        assert response.status_code == 200  # wrong code: the form again
        assert not Authenticator.objects.filter(user=user).exists()
        response = client.post(
            _url("mfa_activate_totp"), {"code": totp(secret, start.timestamp())}
        )
        assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()

    later = start + timedelta(seconds=60)  # a fresh code: a used one is never accepted twice
    with time_machine.travel(later, tick=False):
        response = client.get(_url("admin:index"))
        if response.status_code == 302:  # this session has not passed a code yet
            assert response["Location"].startswith(_url("mfa_reauthenticate"))
            client.post(_url("mfa_reauthenticate"), {"code": totp(secret, later.timestamp())})
            response = client.get(_url("admin:index"))
        assert response.status_code == 200


@override_settings(STAFF_TWO_FACTOR_REQUIRED=True)
def test_password_alone_does_not_open_the_admin_for_enrolled_staff(client):
    user = _staff()
    secret = _enrol(user)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        client.post(_url("admin:login"), {"username": user.username, "password": PASSWORD})
        response = client.get(_url("admin:admissions_application_changelist"))
        assert response.status_code == 302
        assert response["Location"].startswith(_url("mfa_reauthenticate"))
        client.post(_url("mfa_reauthenticate"), {"code": "123456"})
        assert client.get(_url("admin:index")).status_code == 302
        client.post(_url("mfa_reauthenticate"), {"code": totp(secret, now.timestamp())})
        assert client.get(_url("admin:index")).status_code == 200


@override_settings(STAFF_TWO_FACTOR_REQUIRED=True)
def test_site_login_asks_enrolled_staff_for_the_code(client):
    user = _staff()
    secret = _enrol(user)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        response = client.post(_url("account_login"), {"login": user.email, "password": PASSWORD})
        assert response.status_code == 302
        assert response["Location"].startswith(_url("mfa_authenticate"))
        assert "_auth_user_id" not in client.session  # not signed in before the code
        response = client.post(_url("mfa_authenticate"), {"code": totp(secret, now.timestamp())})
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)
        assert client.get(_url("admin:index")).status_code == 200


@override_settings(STAFF_TWO_FACTOR_REQUIRED=True)
def test_a_recovery_code_works_once(client):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    user = _staff()
    _enrol(user)
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    code = RecoveryCodes(authenticator).get_unused_codes()[0]
    client.post(_url("account_login"), {"login": user.email, "password": PASSWORD})
    response = client.post(_url("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.get(_url("admin:index")).status_code == 200
    authenticator.refresh_from_db()
    assert code not in RecoveryCodes(authenticator).get_unused_codes()


@override_settings(STAFF_TWO_FACTOR_REQUIRED=True)
def test_applicants_are_not_asked_for_a_second_factor(client):
    applicant = ApplicantProfileFactory().user
    client.force_login(applicant)
    assert client.get(_url("admissions:dashboard")).status_code == 200


def test_production_settings_require_two_factor_for_staff():
    import os
    import subprocess
    import sys

    from tests.test_settings import ROOT

    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "production-check-" + "k" * 50,
        "ALLOWED_HOSTS": "admissions.example.org",
    }
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.STAFF_TWO_FACTOR_REQUIRED, "
        "'admissions.admin.two_factor.StaffTwoFactorMiddleware' in s.MIDDLEWARE)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["True", "True"]

"""Staff accounts: login throttling on the admin login and strong passwords."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"


@override_settings(AXES_FAILURE_LIMIT=3)
def test_admin_login_is_locked_after_repeated_failures_even_with_the_right_password(client):
    StaffFactory(username="officer1")
    with translation.override("en"):
        login = reverse("admin:login")
        index = reverse("admin:index")
    for _attempt in range(3):
        response = client.post(login, {"username": "officer1", "password": "wrong-password"})
        assert response.status_code in (200, 429)
    response = client.post(login, {"username": "officer1", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
    assert client.get(index).status_code == 302  # still not signed in


@override_settings(AXES_FAILURE_LIMIT=3)
def test_admin_login_works_below_the_limit(client):
    StaffFactory(username="officer2")
    with translation.override("en"):
        login = reverse("admin:login")
    client.post(login, {"username": "officer2", "password": "wrong-password"})
    response = client.post(login, {"username": "officer2", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize("weak", ["short1", "password123", "12345678901", "officer2026"])
def test_weak_staff_passwords_are_refused(weak):
    user = StaffFactory.build(username="officer2026")
    with pytest.raises(ValidationError):
        validate_password(weak, user)

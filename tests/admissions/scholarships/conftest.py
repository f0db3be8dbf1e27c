"""Fixtures shared by the scholarship tests."""

import pytest
from django.contrib.auth import get_user_model


@pytest.fixture
def committee(client):
    """A client signed in as a superuser who acts for the scholarship committee."""
    user = get_user_model().objects.create_superuser("chair", "chair@example.org", "pw-123456")
    client.force_login(user)
    return client

"""Suite-wide fixtures.

Tests that need a real service carry a marker (`postgres`, `redis`, `browser`). Without the
service they are skipped on a developer's machine; in CI (`CI=true`) they fail instead, so a
green CI run always means they ran.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.db import connection

pytest_plugins = ["tests.services_fixtures", "tests.browser_fixtures"]

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI requires this service, but: {reason}", pytrace=False)
    pytest.skip(reason)


def redis_reachable() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def _chromium() -> str | None:
    from tests.browser_fixtures import CHROMIUM  # a plugin module: imported once registered

    return CHROMIUM


@pytest.fixture(autouse=True)
def _require_services(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        _unavailable("PostgreSQL is not configured (set DATABASE_URL=postgres://...)")
    if request.node.get_closest_marker("redis") and not redis_reachable():
        _unavailable("Redis is not reachable (set REDIS_URL=redis://...)")
    if request.node.get_closest_marker("browser") and not _chromium():
        _unavailable("Debian's chromium is not installed")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Each test writes documents into its own folder."""
    from django.core.files.storage import storages

    location = tmp_path / "private"
    for alias in ("default", "private"):
        storage = storages[alias]
        storage._location = str(location)  # FileSystemStorage caches its location
        storage.__dict__.pop("location", None)
        storage.__dict__.pop("base_location", None)
    settings.PRIVATE_MEDIA_ROOT = location
    yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """allauth's rate limits and the admin's caches live in the cache: start each test empty."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Outside a request (services called directly) messages are read in English; a test that
    activates a language (directly or through a request) must not leak it to the next."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(scope="session", autouse=True)
def _no_stray_database_sessions(django_db_setup, django_db_blocker):
    """Threads of the live server and of concurrency tests may keep a PostgreSQL session
    open past their test; end them so the test database can be dropped at the end."""
    yield
    if connection.vendor == "postgresql":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )

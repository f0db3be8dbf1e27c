"""/healthz/: JSON state of the database and the broker; 503 when a service is down."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import DatabaseError

pytestmark = pytest.mark.django_db


def test_eager_broker_is_healthy(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "eager", "status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.redis
def test_reachable_redis_broker_is_ok(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "status": "ok"}


def test_unreachable_broker_answers_503_quickly(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    started = time.monotonic()
    response = client.get("/healthz/")
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "down", "status": "down"}


def test_database_down_answers_503(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    from programs import views_health

    monkeypatch.setattr(views_health.connection, "cursor", broken_cursor)
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
    assert response.json()["status"] == "down"


def test_healthz_is_outside_the_language_prefix(client):
    assert client.get("/healthz/").status_code == 200
    assert settings.ROOT_URLCONF == "config.urls"

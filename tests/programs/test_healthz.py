"""/healthz/: JSON state of the database, the broker, the worker and beat; 503 when the web
process cannot serve (database or broker down), "degraded" when a background process is."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import DatabaseError

from config.heartbeats import (
    BEAT_KEY,
    SCHEDULED_KEY,
    WORKER_KEY,
    heartbeat_write,
    process_states,
)

pytestmark = pytest.mark.django_db


def test_eager_broker_is_healthy(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "broker": "eager",
        "worker": "eager",
        "beat": "eager",
        "status": "ok",
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.redis
def test_reachable_redis_broker_is_ok(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    response = client.get("/healthz/")
    for key in (WORKER_KEY, BEAT_KEY, SCHEDULED_KEY):
        heartbeat_write(key)
    response = client.get("/healthz/")
    assert response.status_code == 200
    body = response.json()
    assert {name: body[name] for name in ("database", "broker", "worker", "beat", "status")} == {
        "database": "ok",
        "broker": "ok",
        "worker": "ok",
        "beat": "ok",
        "status": "ok",
    }


def test_unreachable_broker_answers_503_quickly(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    started = time.monotonic()
    response = client.get("/healthz/")
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    body = response.json()
    assert (body["database"], body["broker"], body["status"]) == ("ok", "down", "down")


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


@pytest.fixture
def broker_up(settings, monkeypatch):
    """A broker that answers, without needing one (its check is tested above)."""
    from programs import views_health

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(views_health, "broker_state", lambda: "ok")


def test_a_worker_without_heartbeat_for_too_long_is_down_and_the_site_degraded(
    client, settings, broker_up
):
    now = time.time()
    heartbeat_write(WORKER_KEY, now=now - settings.HEALTH_STALE_SECONDS - 1)
    heartbeat_write(BEAT_KEY, now=now)
    heartbeat_write(SCHEDULED_KEY, now=now)
    response = client.get("/healthz/")
    assert response.status_code == 200  # pages are still served
    body = response.json()
    assert (body["worker"], body["beat"], body["status"]) == ("down", "ok", "degraded")
    assert body["worker_last_seen"] is not None


def test_beat_that_never_ticked_is_down(client, broker_up):
    heartbeat_write(WORKER_KEY)
    heartbeat_write(SCHEDULED_KEY)
    body = client.get("/healthz/").json()
    assert (body["worker"], body["beat"], body["beat_last_tick"]) == ("ok", "down", None)
    assert body["status"] == "degraded"


def test_a_heartbeat_is_ok_until_the_stale_limit_then_down(settings):
    now = time.time()
    heartbeat_write(WORKER_KEY, now=now)
    assert process_states(now=now + settings.HEALTH_STALE_SECONDS)["worker"]["state"] == "ok"
    assert process_states(now=now + settings.HEALTH_STALE_SECONDS + 1)["worker"]["state"] == (
        "down"
    )


def test_the_beat_scheduler_records_its_ticks(settings, monkeypatch):
    from django_celery_beat.schedulers import DatabaseScheduler

    from config.heartbeats import HeartbeatScheduler

    monkeypatch.setattr(DatabaseScheduler, "tick", lambda self, *args, **kwargs: 5.0)
    scheduler = HeartbeatScheduler.__new__(HeartbeatScheduler)  # no database set-up needed
    assert process_states()["beat"]["state"] == "down"
    assert scheduler.tick() == 5.0
    assert process_states()["beat"]["state"] == "ok"


def test_the_scheduled_heartbeat_task_and_the_worker_thread_write_heartbeats(settings):
    from config.celery_app import heartbeat
    from config.heartbeats import worker_heartbeat_start

    heartbeat.apply()
    assert process_states()["scheduled_jobs"]["state"] == "ok"
    settings.HEALTH_HEARTBEAT_SECONDS = 3600
    worker_heartbeat_start(hostname="test").join(timeout=0.5)  # writes at once, then sleeps
    assert process_states()["worker"]["state"] == "ok"

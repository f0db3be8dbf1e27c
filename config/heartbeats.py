"""Heartbeats of the Celery worker and beat, for `/healthz/`.

Each process writes "I was alive at <unix time>" into the shared cache (Redis), and the
health check reads it back. A process that has not written for HEALTH_STALE_SECONDS counts
as down; with the intervals below a stopped worker or beat shows as down within two
minutes.

* worker: a thread started when the worker is ready writes `health:worker:<hostname>`
  every HEALTH_HEARTBEAT_SECONDS (and the worker's host names are kept in a set);
* beat: its scheduler writes `health:beat` on its ticks (at most every
  HEALTH_HEARTBEAT_SECONDS);
* the beat-scheduled task `admissions.heartbeat` (every minute, see setup_periodic_tasks)
  writes `health:scheduled` when a worker runs it: the whole path beat -> broker -> worker.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache
from django_celery_beat.schedulers import DatabaseScheduler

__all__ = [
    "HeartbeatScheduler",
    "heartbeat_age",
    "heartbeat_write",
    "process_states",
    "worker_heartbeat_start",
]

logger = logging.getLogger(__name__)

BEAT_KEY = "health:beat"
SCHEDULED_KEY = "health:scheduled"
WORKER_KEY = "health:worker"
# Kept well past the staleness threshold so that "down since" stays readable.
KEY_TIMEOUT = 24 * 3600


def heartbeat_write(key: str, *, now: float | None = None) -> None:
    """Record that the process behind `key` is alive now (unix seconds)."""
    try:
        cache.set(key, now if now is not None else time.time(), KEY_TIMEOUT)
    except Exception:  # a heartbeat must never take its process down (Redis restarting)
        logger.warning("Could not write the heartbeat %s", key, exc_info=True)


def heartbeat_age(key: str, *, now: float | None = None) -> float | None:
    """Seconds since the last heartbeat of `key`, or None if there was none."""
    value = cache.get(key)
    if value is None:
        return None
    return max((now if now is not None else time.time()) - float(value), 0.0)


def _state(key: str, now: float) -> dict:
    value = cache.get(key)
    if value is None:
        return {"state": "down", "last_seen": None}
    age = now - float(value)
    return {
        "state": "ok" if age <= settings.HEALTH_STALE_SECONDS else "down",
        "last_seen": datetime.fromtimestamp(float(value), tz=UTC).isoformat(),
    }


def process_states(*, now: float | None = None) -> dict[str, dict]:
    """{"worker": {...}, "beat": {...}, "scheduled_jobs": {...}}, each
    {"state": "ok" | "down", "last_seen": ISO time or None}."""
    now = now if now is not None else time.time()
    return {
        "worker": _state(WORKER_KEY, now),
        "beat": _state(BEAT_KEY, now),
        "scheduled_jobs": _state(SCHEDULED_KEY, now),
    }


def worker_heartbeat_start(*, hostname: str | None = None) -> threading.Thread:
    """Start the worker's heartbeat thread (a daemon: it ends with the worker)."""
    hostname = hostname or socket.gethostname()
    interval = settings.HEALTH_HEARTBEAT_SECONDS

    def beat() -> None:
        while True:
            heartbeat_write(WORKER_KEY)
            time.sleep(interval)

    thread = threading.Thread(target=beat, name=f"heartbeat-{hostname}", daemon=True)
    thread.start()
    return thread


class HeartbeatScheduler(DatabaseScheduler):
    """django-celery-beat's database scheduler that also records its ticks."""

    _last_heartbeat = 0.0

    def tick(self, *args, **kwargs):
        now = time.monotonic()
        if now - self._last_heartbeat >= settings.HEALTH_HEARTBEAT_SECONDS:
            heartbeat_write(BEAT_KEY)
            self._last_heartbeat = now
        return super().tick(*args, **kwargs)

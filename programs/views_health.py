"""Health for load balancers and monitoring.

`database` and `broker` are what this web process needs: when either is down the answer
is HTTP 503 ("status": "down"), so a load balancer stops sending it visitors. `worker`,
`beat` and `scheduled_jobs` are the background processes (their heartbeats, see
`config.heartbeats`): when one of them is down the site still serves pages, so the answer
stays 200 with "status": "degraded"; monitoring alerts on any status other than "ok".
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from config.heartbeats import process_states

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("healthz: database unreachable")
        return "down"
    return "ok"


def broker_state() -> str:
    """ "eager" when there is no broker (tasks run in process), else "ok" or "down"."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from kombu import Connection

    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            connect_timeout=BROKER_TIMEOUT_SECONDS,
            transport_options={
                "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
                "socket_timeout": BROKER_TIMEOUT_SECONDS,
            },
        ) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
    except Exception as error:  # kombu raises transport-specific errors; all mean "down"
        logger.warning("healthz: broker unreachable: %s", error)
        return "down"
    return "ok"


def background_states(broker: str) -> dict[str, str | None]:
    """Worker, beat and the scheduled-job path: "ok", "down", or "eager" without a broker,
    each with the time of its last heartbeat."""
    if broker == "eager":
        return {"worker": "eager", "beat": "eager"}
    try:
        states = process_states()
    except Exception as error:  # the cache is Redis too: unreadable means unknown, i.e. down
        logger.warning("healthz: heartbeats unreadable: %s", error)
        return {"worker": "down", "beat": "down", "scheduled_jobs": "down"}
    return {
        "worker": states["worker"]["state"],
        "worker_last_seen": states["worker"]["last_seen"],
        "beat": states["beat"]["state"],
        "beat_last_tick": states["beat"]["last_seen"],
        "scheduled_jobs": states["scheduled_jobs"]["state"],
        "scheduled_jobs_last_run": states["scheduled_jobs"]["last_seen"],
    }


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str | None] = {"database": database_state(), "broker": broker_state()}
    checks.update(background_states(checks["broker"]))
    serving = checks["database"] == "ok" and checks["broker"] in {"ok", "eager"}
    background = all(
        checks[name] != "down" for name in ("worker", "beat", "scheduled_jobs") if name in checks
    )
    checks["status"] = "down" if not serving else "ok" if background else "degraded"
    return JsonResponse(checks, status=200 if serving else 503)

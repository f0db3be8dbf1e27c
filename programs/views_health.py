"""Liveness for load balancers and monitoring: is the database and the broker reachable?"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

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


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_state(), "broker": broker_state()}
    healthy = checks["database"] == "ok" and checks["broker"] in {"ok", "eager"}
    checks["status"] = "ok" if healthy else "down"
    return JsonResponse(checks, status=200 if healthy else 503)

"""A Redis cache that keeps the site answering when Redis is down.

The cache holds only what can be rebuilt or lost: allauth's rate-limit counters, the
used-TOTP-code markers, the admin's small caches. With Django's plain Redis backend an outage
turns each of those reads into an exception, so sign-in, sign-up and password reset answer 500.
Here every operation that fails with a Redis error is logged as a warning and served by a
per-process in-memory cache instead, for ``RETRY_AFTER_SECONDS`` before Redis is tried again:
rate limits keep working per process (looser, never absent) until Redis is back.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

__all__ = ["FallbackRedisCache"]

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10.0

_DELEGATED = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
)


class FallbackRedisCache(RedisCache):
    """Django's Redis cache, falling back to a local memory cache while Redis fails.

    Configure it like ``django.core.cache.backends.redis.RedisCache``; give it short socket
    timeouts in OPTIONS (``socket_connect_timeout``, ``socket_timeout``) so that a dead
    server costs a request at most that long, once per ``RETRY_AFTER_SECONDS``.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._fallback = LocMemCache(f"fallback-{id(self)}", {"TIMEOUT": params.get("TIMEOUT")})
        self._down_until = 0.0
        self._state = threading.Lock()

    def _redis_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _mark_down(self, operation: str, error: Exception) -> None:
        with self._state:
            first = not self._redis_down()
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
        if first:
            logger.warning(
                "Redis cache unavailable (%s: %s); using the local fallback cache for %.0f s",
                operation,
                type(error).__name__,
                RETRY_AFTER_SECONDS,
            )

    def _call(self, operation: str, *args, **kwargs):
        if not self._redis_down():
            try:
                return getattr(super(), operation)(*args, **kwargs)
            except (RedisError, OSError) as error:
                self._mark_down(operation, error)
        return getattr(self._fallback, operation)(*args, **kwargs)


def _delegate(operation: str):
    def method(self, *args, **kwargs):
        return self._call(operation, *args, **kwargs)

    method.__name__ = operation
    method.__doc__ = f"`{operation}` on Redis, or on the fallback cache while Redis fails."
    return method


for _operation in _DELEGATED:
    setattr(FallbackRedisCache, _operation, _delegate(_operation))

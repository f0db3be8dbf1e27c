"""Whole-page cache of the signed-in pages read again and again: the applicant's dashboard
and the staff's application list, application page and dashboard.

These pages are personal, so a page is stored per user, and only for the one who saw it
rendered: the key holds the user's id and session hash (a changed password or a new
sign-in never meets an old page), the language, the path with its query string, and a
version of the data. The page is served only where the view itself would have run: the
decorator sits inside the login and permission checks of the view, which run on every
request.

The version is one number in the shared cache (Redis in production) that any write to
the database increments, whatever wrote it (a service, the admin, a queryset `update()`,
a Celery task, a management command): a hook on every database connection
(`watch_writes`) sees each INSERT, UPDATE and DELETE statement. The version is
incremented at once, so the same process reads its own writes, and again once the
transaction commits, so a page another process rendered from the data before the commit
is not kept. Writes to tables no cached page shows (sessions, sign-in attempts, the
scheduler's bookkeeping, the mail outbox, the admin's log, a user's last sign-in time)
do not count.

A page is kept at most PRIVATE_PAGE_CACHE_SECONDS, and never past a moment its view
names with `private_page_changes_at` (a deadline, the end of an offer's time to answer):
what the page says then changes without any write.

When results are published, thousands of applicants reload their dashboards while
nothing is written: that is the peak this cache is for. Between writes a reload costs a
session and a user look-up and one or two reads of the shared cache.

Only GET/HEAD requests of a signed-in user without a pending flash message are served
from the cache. The CSRF token in the page's forms is stored as a gap and filled with a
fresh token for each response, as for the public pages (`programs.page_cache`).
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import time
from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

from programs.page_cache import (
    MAX_CACHED_PATH,
    LocalPages,
    page_parts,
    page_respond,
    shared_call,
)

__all__ = [
    "cache_private_page",
    "private_page_changes_at",
    "private_pages_invalidate",
    "private_pages_version",
    "watch_writes",
]

logger = logging.getLogger(__name__)

VERSION_KEY = "private-pages:version"

# Tables whose writes change no cached page: sessions, sign-in attempts (django-axes),
# the periodic scheduler's bookkeeping (each tick writes there), task results, the mail
# outbox (written for every mail sent) and the admin's log of actions.
IGNORED_TABLE_PREFIXES = (
    "django_session",
    "axes_",
    "django_celery_beat_",
    "django_celery_results_",
    "admissions_outgoingmail",
    "django_admin_log",
)
WRITE_STATEMENT = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE
)
# A sign-in records its time on the user row: no page shows it.
LAST_LOGIN_UPDATE = re.compile(r'^\s*UPDATE\s+"auth_user"\s+SET\s+"last_login"\s*=\s*\S+\s+WHERE')

_local = LocalPages(limit_setting="PRIVATE_PAGE_LOCAL_BYTES")


# --- The version -----------------------------------------------------------------------------
def private_pages_version() -> int | None:
    """The current version of the signed-in pages' data (an integer that only grows), read
    from the shared cache on every call; None when the shared cache cannot be reached."""
    version = shared_call("get", VERSION_KEY)
    if version is None:
        # Milliseconds since the epoch: after an eviction of the key, a new count never
        # meets pages stored under an earlier number.
        shared_call("add", VERSION_KEY, int(time.time() * 1000), timeout=None)
        version = shared_call("get", VERSION_KEY)
    return None if version is None else int(version)


def private_pages_invalidate() -> None:
    """Make every cached signed-in page stale (never raises: a write must not fail because
    the shared cache is unreachable; the pages then expire by their timeout)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet: the next read starts one
        pass
    except Exception:
        logger.warning("Private page cache: the version could not be incremented", exc_info=True)


def _counts(sql: str) -> bool:
    """Whether the statement `sql` is a write that may change a cached page."""
    head = sql.lstrip()[:6].upper()
    if head not in ("INSERT", "UPDATE", "DELETE"):
        return False
    match = WRITE_STATEMENT.match(sql)
    if match is None:
        return True  # a write whose table is not recognised counts
    if match.group(1).startswith(IGNORED_TABLE_PREFIXES):
        return False
    return LAST_LOGIN_UPDATE.match(sql) is None


def _after_commit() -> None:
    private_pages_invalidate()


def _write_hook(execute, sql, params, many, context):
    """A database execute wrapper (`connection.execute_wrappers`): after a counted write,
    increment the version now and once more when the transaction commits."""
    result = execute(sql, params, many, context)
    if isinstance(sql, str) and _counts(sql):
        private_pages_invalidate()
        connection = context["connection"]
        if connection.in_atomic_block:
            # One callback per transaction is enough: look for ours among those pending
            # (each is stored as (savepoint ids, callable, robust)).
            pending = getattr(connection, "run_on_commit", [])
            if not any(entry[1] is _after_commit for entry in pending):
                transaction.on_commit(_after_commit, using=connection.alias)
    return result


def watch_writes(sender=None, connection=None, **_kwargs) -> None:
    """Install the write hook on `connection` (a `connection_created` receiver; also called
    for connections already open when the app is ready)."""
    if connection is not None and _write_hook not in connection.execute_wrappers:
        connection.execute_wrappers.append(_write_hook)


def watch_all_connections() -> None:
    """Install the write hook on every database connection, present and future."""
    from django.db import connections

    connection_created.connect(watch_writes, dispatch_uid="private-pages-watch-writes")
    for connection in connections.all(initialized_only=True):
        watch_writes(connection=connection)


# --- The pages -------------------------------------------------------------------------------
def _cacheable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or len(request.get_full_path()) > MAX_CACHED_PATH:
        return False
    if not request.user.is_authenticated:
        return False
    # A flash message is shown once: the page that shows it is rendered for it.
    if request.COOKIES.get("messages"):
        return False
    session = getattr(request, "session", None)
    return not (session is not None and session.get("_messages"))


def private_page_changes_at(request: HttpRequest, *moments: datetime | None) -> None:
    """Tell the cache that the page being rendered for `request` changes at each of
    `moments` (aware datetimes; None and past moments are ignored) without any write: it
    is then not served after the earliest of them."""
    now = time.time()
    for moment in moments:
        if moment is None:
            continue
        stamp = moment.timestamp()
        current = getattr(request, "_private_page_changes_at", None)
        if stamp > now and (current is None or stamp < current):
            request._private_page_changes_at = stamp


def _key(request: HttpRequest, name: str, version: int) -> str:
    user = request.user
    who = hashlib.sha256(f"{user.pk}:{user.get_session_auth_hash()}".encode()).hexdigest()[:24]
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"private-page:{version}:{name}:{who}:{get_language()}:{path}"


def _current(page: tuple | None) -> tuple | None:
    """(content type, body parts) of a stored page still current by the clock, else None.
    A page is stored as (content type, parts, rendered at, valid until), in seconds since
    the epoch; one rendered "later" than now (a clock set back) is not current either."""
    if page is None:
        return None
    content_type, parts, rendered_at, valid_until = page
    return (content_type, parts) if rendered_at <= time.time() < valid_until else None


def cache_private_page(name: str) -> Callable:
    """Decorator of a signed-in view (inside its login and permission checks): serve a
    user the page they saw last while no data changed (see the module docstring).

    `name` (a short string) tells the cached pages of different views apart. Kept for at
    most PRIVATE_PAGE_CACHE_SECONDS; responses other than a plain 200 page, and
    responses that set a cookie other than the CSRF cookie, are never stored.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not settings.PRIVATE_PAGE_CACHE_SECONDS or not _cacheable_request(request):
                return view(request, *args, **kwargs)
            version = private_pages_version()
            if version is None:  # the shared cache is down: serve without it
                return view(request, *args, **kwargs)
            key = _key(request, name, version)
            page = _local.get(key)
            if page is None:
                page = shared_call("get", key)
                if page is not None:
                    _local.put(key, page)
            current = _current(page)
            if current is not None:
                return page_respond(request, current)
            rendered_at = time.time()
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            # The CSRF cookie is set again for each response served from the cache (the
            # admin's views set it themselves, inside the view); any other cookie is not.
            cookies = set(response.cookies) - {settings.CSRF_COOKIE_NAME}
            valid_until = min(
                rendered_at + settings.PRIVATE_PAGE_CACHE_SECONDS,
                getattr(request, "_private_page_changes_at", None) or float("inf"),
            )
            if (
                response.status_code == 200
                and not response.streaming
                and not cookies
                and valid_until - rendered_at >= 1
            ):
                page = (*page_parts(response), rendered_at, valid_until)
                shared_call("set", key, page, math.ceil(valid_until - rendered_at))
                _local.put(key, page)
            return response

        return wrapper

    return decorator

"""Whole-page cache of the public pages that anonymous visitors read most: the home page,
the catalogue, a program, the list of published rankings and a published ranking.

A page is stored once per language and path (the language is part of every public path)
under a version number kept in the shared cache (Redis in production). Any change of the
data those pages show (catalogue, cycles, offerings, scholarship funds and awards, published
rankings) increments the version, so the next visitor gets a freshly rendered page; the old
entries are never read again and expire. The receivers that increment it are connected in
`programs.apps` and `admissions.apps`.

Each process also keeps the pages it served last in memory (bounded by
PUBLIC_PAGE_LOCAL_BYTES) and re-reads the version from the shared cache at most every
PUBLIC_PAGE_VERSION_CHECK_SECONDS, so a cached page costs no network round trip; a change
made in another process or machine is seen within that many seconds, one made in the same
process at once.

Only anonymous GET/HEAD requests without pending flash messages are served from the cache,
because only their pages are the same for everybody. The one per-visitor part of such a
page, the CSRF token of the language switcher, is stored as a placeholder and filled in
with a fresh token for each visitor (which also sets the CSRF cookie, as a rendered page
would).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

__all__ = [
    "MAX_CACHED_PATH",
    "LocalPages",
    "cache_public_page",
    "catalogue_cached",
    "page_parts",
    "page_respond",
    "public_pages_invalidate",
    "public_pages_version",
    "shared_call",
]

logger = logging.getLogger(__name__)

VERSION_KEY = "public-pages:version"
# Pages stored by an earlier release held this in place of the token.
CSRF_PLACEHOLDER = b"__csrf_token_placeholder__"
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
# A query string is part of the key (catalogue filters); absurdly long ones are not cached.
MAX_CACHED_PATH = 300


def _size(page: tuple) -> int:
    body = page[1]
    return len(body) if isinstance(body, bytes) else sum(len(part) for part in body)


class LocalPages:
    """This process's copy of the version and of the pages it served last (LRU, bounded by
    the setting named `limit_setting`, in bytes)."""

    def __init__(self, *, limit_setting: str = "PUBLIC_PAGE_LOCAL_BYTES") -> None:
        self.limit_setting = limit_setting
        self.lock = threading.Lock()
        self.pages: OrderedDict[str, tuple[str, list[bytes]]] = OrderedDict()
        self.size = 0
        self.version: int | None = None
        self.version_read_at = 0.0

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.size = 0
            self.version = None

    def get(self, key: str) -> tuple[str, list[bytes]] | None:
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key: str, page: tuple[str, list[bytes]]) -> None:
        limit = getattr(settings, self.limit_setting)
        if _size(page) > limit:
            return
        with self.lock:
            if key in self.pages:
                self.size -= _size(self.pages.pop(key))
            self.pages[key] = page
            self.size += _size(page)
            while self.size > limit:
                _old_key, old = self.pages.popitem(last=False)
                self.size -= _size(old)


_local = LocalPages()


def shared_call(operation: str, *args, **kwargs):
    """A call to the shared cache that never breaks a page: when Redis is unreachable the
    page is rendered as if nothing were cached (and the failure logged)."""
    try:
        return getattr(cache, operation)(*args, **kwargs)
    except Exception:  # redis-py raises its own ConnectionError, TimeoutError...
        logger.warning("Page cache: %s failed", operation, exc_info=True)
        return None


def public_pages_version(*, fresh: bool = False) -> int | None:
    """The current version of the public pages (an integer that only grows).

    Read from the shared cache at most every PUBLIC_PAGE_VERSION_CHECK_SECONDS unless
    `fresh` is true; None when the shared cache cannot be reached.
    """
    now = time.monotonic()
    if (
        not fresh
        and _local.version is not None
        and now - _local.version_read_at < settings.PUBLIC_PAGE_VERSION_CHECK_SECONDS
    ):
        return _local.version
    version = shared_call("get", VERSION_KEY)
    if version is None:
        # Milliseconds since the epoch: after an eviction of the key, a new start never
        # meets pages stored under an earlier number.
        shared_call("add", VERSION_KEY, int(time.time() * 1000), timeout=None)
        version = shared_call("get", VERSION_KEY)
        if version is None:
            return None
    _local.version, _local.version_read_at = int(version), now
    return _local.version


_catalogue: dict[tuple, object] = {}


def catalogue_cached(name: str, build: Callable[[], object]):
    """`build()` (something read from the catalogue: cycles, programs, languages, in the
    active language), kept in this process under `name` for the active language and the
    current version of the public pages, which every change of the catalogue increments:
    a change shows at once in the process that made it and within
    PUBLIC_PAGE_VERSION_CHECK_SECONDS elsewhere. Built afresh, not kept, when the shared
    cache cannot be reached. The value is shared: callers must not change it."""
    version = public_pages_version()
    if version is None:
        return build()
    key = (name, get_language(), version)
    try:
        return _catalogue[key]
    except KeyError:
        pass
    value = build()
    with _local.lock:
        if len(_catalogue) > 256:  # entries of earlier versions are never read again
            _catalogue.clear()
        _catalogue[key] = value
    return value


def public_pages_invalidate(**_signal_kwargs) -> None:
    """Make every cached public page stale (a signal receiver; arguments are ignored)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet: the next read starts one
        pass
    except Exception:  # Redis unreachable: saving the data must not fail for it
        logger.warning("Page cache: the version could not be incremented", exc_info=True)
    _local.clear()


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or len(request.get_full_path()) > MAX_CACHED_PATH:
        return False
    if request.COOKIES.get("messages"):
        return False  # a flash message is shown once, to this visitor only
    return not request.user.is_authenticated


def page_parts(response: HttpResponse) -> tuple[str, list[bytes]]:
    """A rendered page as it is stored: (content type, [the body's parts around the places
    of its CSRF token]), so that `page_respond` puts a fresh token in each place."""
    body = response.content
    token = CSRF_INPUT.search(body)
    return response["Content-Type"], body.split(token.group(1)) if token is not None else [body]


def page_respond(request: HttpRequest, page: tuple) -> HttpResponse:
    """The stored page with this visitor's CSRF token. A page is stored as (content type,
    [the body's parts around the token's places]): joining them with the token costs no
    search through the body (hundreds of kilobytes for a published ranking)."""
    content_type, parts = page
    if isinstance(parts, bytes):  # stored by an earlier release: a placeholder marks the token
        parts = parts.split(CSRF_PLACEHOLDER)
    body = parts[0] if len(parts) == 1 else get_token(request).encode().join(parts)
    return HttpResponse(body, content_type=content_type)


def cache_public_page(*, timeout_setting: str) -> Callable:
    """Decorator of a public view: serve anonymous visitors from the page cache.

    `timeout_setting` names the setting that holds how long (seconds) a page may be kept
    in the shared cache when no data changes: pages that depend on the clock (a cycle
    opening) keep a short one, immutable published rankings a long one. The local copy of
    a page lives no longer than PUBLIC_PAGE_CACHE_SECONDS.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _cacheable_request(request):
                return view(request, *args, **kwargs)
            version = public_pages_version()
            if version is None:  # the shared cache is down: serve without it
                return view(request, *args, **kwargs)
            path_hash = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
            # The local copy is keyed by the minute too, so it never outlives the timeout
            # of the clock-dependent pages by more than a minute.
            key = f"public-page:{version}:{get_language()}:{path_hash}"
            local_key = f"{key}:{int(time.time()) // settings.PUBLIC_PAGE_CACHE_SECONDS}"
            page = _local.get(local_key)
            if page is None:
                page = shared_call("get", key)
                if page is not None:
                    _local.put(local_key, page)
            if page is not None:
                return page_respond(request, page)
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            if response.status_code == 200 and not response.streaming and not response.cookies:
                page = page_parts(response)
                shared_call("set", key, page, getattr(settings, timeout_setting))
                _local.put(local_key, page)
            return response

        return wrapper

    return decorator

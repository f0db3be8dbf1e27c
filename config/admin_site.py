"""The admin site of the portal: Django's, with the navigation sidebar's list of models
built only when a page shows it, and kept a minute per user and language.

Django builds that list (a permission check and two URL look-ups per registered model) for
every admin page, including the pages that hide the sidebar; it was a sixth of the
applications list's time.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin import AdminSite
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

__all__ = ["AdmissionsAdminSite", "sidebar_cache_key"]


def sidebar_cache_key(user, language: str | None = None) -> str:
    """The cache key of `user`'s sidebar list in `language` (default: the active one)."""
    return f"admin-sidebar:{user.pk}:{language or get_language()}"


class AdmissionsAdminSite(AdminSite):
    def each_context(self, request):
        # The sidebar's list (`available_apps`) is computed, or read from the cache, only
        # when a template reads it: `get_app_list` answers lazily while this runs.
        request._sidebar_lazy = True
        try:
            return super().each_context(request)
        finally:
            request._sidebar_lazy = False

    def get_app_list(self, request, app_label=None):
        if app_label is not None or not getattr(request, "_sidebar_lazy", False):
            return super().get_app_list(request, app_label)
        return SimpleLazyObject(lambda: self._sidebar_app_list(request))

    def _sidebar_app_list(self, request) -> list[dict]:
        """The sidebar's list of apps and models `request.user` may open, kept for
        ADMIN_SIDEBAR_CACHE_SECONDS (a link to a page whose permission was just withdrawn
        is refused by the page itself)."""
        key = sidebar_cache_key(request.user)
        app_list = cache.get(key)
        if app_list is None:
            app_list = [
                {
                    **app,
                    "name": str(app["name"]),
                    "models": [{**model, "name": str(model["name"])} for model in app["models"]],
                }
                for app in super().get_app_list(request)
            ]
            cache.set(key, app_list, settings.ADMIN_SIDEBAR_CACHE_SECONDS)
        return app_list

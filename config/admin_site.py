"""The admin site of the portal: Django's, with the navigation sidebar's list of models
built only when a page shows it, kept a minute per user and language, and written without
the template.

Django builds that list (a permission check and two URL look-ups per registered model) for
every admin page, including the pages that hide the sidebar; it was a sixth of the
applications list's time. Writing it through admin/app_list.html (a dozen template
look-ups per model) was a quarter of a kept dashboard's: `sidebar_html` writes the same
markup from the kept list.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib.admin import AdminSite
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

__all__ = ["AdmissionsAdminSite", "sidebar_cache_key", "sidebar_html"]

# Django's own messages of admin/app_list.html, translated by its admin's catalogue (and
# locale/libraries for Kazakh), not by the project's.
MODELS_IN_APPLICATION = "Models in the %(name)s application"
MODEL_NAME = "Model name"
ADD_LINK = "Add link"
LIST_LINK = "Change or view list link"
ADD = "Add"
NOTHING_PERMITTED = "You don’t have permission to view or edit anything."


def sidebar_cache_key(user, language: str | None = None) -> str:
    """The cache key of `user`'s sidebar list in `language` (default: the active one)."""
    return f"admin-sidebar:{user.pk}:{language or get_language()}"


class AdmissionsAdminSite(AdminSite):
    def each_context(self, request):
        # The sidebar's list (`available_apps`) is computed, or read from the cache, only
        # when a template reads it: `get_app_list` answers lazily while this runs.
        request._sidebar_lazy = True
        try:
            context = super().each_context(request)
        finally:
            request._sidebar_lazy = False
        apps = context["available_apps"]
        # admin/nav_sidebar.html writes it (a callable: only on the pages that show it).
        context["sidebar_app_list"] = lambda: sidebar_html(apps, request.path)
        return context

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


def sidebar_html(app_list, path: str) -> SafeString:
    """admin/app_list.html as the navigation sidebar includes it (no change links) for
    the page at `path`: the same markup, each app and model marked current as the template
    marks them (its URL within the page's, URL-quoted)."""
    if not app_list:
        return format_safe(f"<p>{escape(gettext(NOTHING_PERMITTED))}</p>")
    page = quote(path, safe="/")
    model_name, add_link, list_link, add = (
        escape(gettext(message)) for message in (MODEL_NAME, ADD_LINK, LIST_LINK, ADD)
    )
    parts = []
    for app in app_list:
        label = escape(app["app_label"])
        title = gettext(MODELS_IN_APPLICATION) % {"name": escape(app["name"])}
        parts.append(
            f'<div class="app-{label} module{" current-app" if app["app_url"] in page else ""}">'
            f'<table><caption><a href="{escape(app["app_url"])}" class="section" '
            f'title="{title}">{escape(app["name"])}</a></caption>'
            f'<thead class="visually-hidden"><tr><th scope="col">{model_name}</th>'
            f'<th scope="col">{add_link}</th><th scope="col">{list_link}</th></tr></thead>'
        )
        for model in app["models"]:
            name = escape(model["object_name"].lower())
            row_id = f"{label}-{name}"
            url = model.get("admin_url")
            current = bool(url) and url in page
            if url:
                aria = ' aria-current="page"' if current else ""
                heading = f'<a href="{escape(url)}"{aria}>{escape(model["name"])}</a>'
            else:
                heading = escape(model["name"])
            add_url = model.get("add_url")
            adding = (
                f'<a href="{escape(add_url)}" class="addlink" aria-describedby="{row_id}">'
                f"{add}</a>"
                if add_url
                else ""
            )
            parts.append(
                f'<tr class="model-{name}{" current-model" if current else ""}">'
                f'<th scope="row" id="{row_id}">{heading}</th><td>{adding}</td></tr>'
            )
        parts.append("</table></div>")
    return format_safe("".join(parts))


def format_safe(html: str) -> SafeString:
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 (every name, label and URL escaped above)

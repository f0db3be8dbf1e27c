"""The custom pages of the admissions admins (dashboard, decisions, rankings...)."""

from __future__ import annotations

from django.template.response import TemplateResponse

__all__ = ["AdminPageMixin"]


class AdminPageMixin:
    """For a ModelAdmin: its custom views render in the admin's frame (header, sidebar)."""

    def _page(self, request, template: str, title, **context) -> TemplateResponse:
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": title,
                **context,
            },
        )

"""Admin of the admissions office's contacts and of the next steps after each status (the
next steps are also edited on each cycle's page)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from modeltranslation.admin import TabbedTranslationAdmin

from admissions.models import AdmissionsOffice, NextStep
from admissions.text import NormalisedAdminMixin


@admin.register(AdmissionsOffice)
class AdmissionsOfficeAdmin(NormalisedAdminMixin, TabbedTranslationAdmin):
    list_display = ("name", "phone", "email", "reply_to", "updated_at")
    fields = ("name", "address", "phone", "email", "reply_to", "opening_hours")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One office is shown everywhere: edit it rather than add a second.
        return super().has_add_permission(request) and not AdmissionsOffice.objects.exists()


@admin.register(NextStep)
class NextStepAdmin(NormalisedAdminMixin, TabbedTranslationAdmin):
    list_display = ("title", "cycle", "status", "position", "due_date", "due_days")
    list_filter = ("cycle", "status")
    list_select_related = ("cycle",)
    list_editable = ("position",)
    search_fields = ("title_kk", "title_ru", "title_en")
    fields = ("cycle", "status", "position", "title", "instructions", "due_date", "due_days")

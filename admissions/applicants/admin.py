"""Personal data in the admin: the versions of the consent text, and the retention job's
record of purged documents (read-only: it is an audit trail)."""

from __future__ import annotations

from django.contrib import admin
from modeltranslation.admin import TabbedTranslationAdmin

from admissions.models import ConsentText, DocumentPurge
from admissions.text import NormalisedAdminMixin


@admin.register(ConsentText)
class ConsentTextAdmin(NormalisedAdminMixin, TabbedTranslationAdmin):
    list_display = ("version", "in_force_from", "created_at")
    search_fields = ("version",)
    ordering = ("-in_force_from",)

    def get_readonly_fields(self, request, obj=None):
        # A version applicants may already have agreed to is never rewritten: add a new one.
        if obj is not None and obj.in_force_from is not None:
            return ("version", "text", "text_kk", "text_ru", "text_en", "in_force_from")
        return ()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DocumentPurge)
class DocumentPurgeAdmin(admin.ModelAdmin):
    list_display = ("purged_at", "reference", "status", "documents", "bytes_removed")
    list_filter = ("status",)
    search_fields = ("=reference",)
    date_hierarchy = "purged_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""Admin for the rubric, reviewer assignments and reviews.

Reviews are written on the application's page ("Review" button -> `review_submit`); this list
shows a reviewer their own reviews only.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TabbedTranslationAdmin

from admissions.admin.related import PlainRelatedMixin, plain_related
from admissions.models import Review, ReviewerAssignment, ReviewScore, RubricCriterion
from admissions.selectors import applications_visible_to_staff, staff_is_reviewer
from admissions.text import NormalisedAdminMixin


@admin.register(RubricCriterion)
class RubricCriterionAdmin(NormalisedAdminMixin, PlainRelatedMixin, TabbedTranslationAdmin):
    """Name and description are edited in one tab per language (kk/ru/en)."""

    list_display = ("name", "cycle", "weight", "max_score", "position", "is_active")
    list_editable = ("weight", "max_score", "position", "is_active")
    list_filter = ("cycle", "is_active")
    list_select_related = ("cycle",)
    search_fields = ("name_kk", "name_ru", "name_en")
    ordering = ("cycle", "position", "pk")
    # Reviewers read the rubric but may not open the cycle.
    plain_unless_permitted = {"cycle": "cycle_text"}
    cycle_text = plain_related("cycle", RubricCriterion)

    def get_form(self, request, obj=None, **kwargs):
        # modeltranslation passes its own `exclude` to Django's get_form, which drops the one
        # Django builds for a view-only user (every field): the display-only `cycle_text` of a
        # reviewer's read-only page would then be looked up as a model field.
        if kwargs.get("fields"):
            display_only = set(self.plain_unless_permitted.values())
            kwargs["fields"] = [name for name in kwargs["fields"] if name not in display_only]
        return super().get_form(request, obj, **kwargs)


@admin.register(ReviewerAssignment)
class ReviewerAssignmentAdmin(NormalisedAdminMixin, admin.ModelAdmin):
    list_display = ("reviewer", "program", "blind")
    list_editable = ("blind",)
    list_filter = ("program", "blind")
    list_select_related = ("reviewer", "program")
    search_fields = ("reviewer__username", "reviewer__email")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "reviewer":
            from django.contrib.auth import get_user_model

            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReviewScoreInline(admin.TabularInline):
    model = ReviewScore
    extra = 0
    can_delete = False
    fields = ("criterion", "value")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("criterion")


@admin.register(Review)
class ReviewAdmin(NormalisedAdminMixin, PlainRelatedMixin, admin.ModelAdmin):
    list_display = ("application", "reviewer", "score", "updated_at", "edit_link")
    list_filter = ("application__cycle",)
    list_select_related = ("application", "reviewer")
    search_fields = ("=application__reference",)
    fields = ("application", "reviewer", "score", "comment", "created_at", "updated_at")
    readonly_fields = fields
    inlines = (ReviewScoreInline,)
    plain_unless_permitted = {"reviewer": "reviewer_text"}
    reviewer_text = plain_related("reviewer", Review)
    show_full_result_count = False

    def get_queryset(self, request):
        reviews = (
            super()
            .get_queryset(request)
            .filter(application__in=applications_visible_to_staff(request.user))
        )
        if staff_is_reviewer(request.user):
            reviews = reviews.filter(reviewer=request.user)
        return reviews

    def has_add_permission(self, request):
        return False  # reviews are written from the application's page

    def has_change_permission(self, request, obj=None):
        return False  # ditto: the rubric form validates the scores

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("review form"))
    def edit_link(self, review):
        url = reverse("admin:admissions_application_review", args=[review.application_id])
        return format_html('<a href="{}">{}</a>', url, _("Open"))

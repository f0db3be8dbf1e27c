"""Read-only inlines of the application page: what the applicant wrote is not edited by
staff."""

from __future__ import annotations

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from admissions.admin.related import PlainRelatedMixin, plain_related
from admissions.enums import ApplicationStatus, DocumentStatus
from admissions.models import (
    ApplicationChoice,
    Document,
    ExamResult,
    Review,
    StatusEvent,
)
from admissions.selectors import (
    staff_is_reviewer,
    staff_may_see_documents,
)

S = ApplicationStatus

# --- Inlines (read-only: what the applicant wrote is not edited by staff) -------------------


class ReadOnlyInline(PlainRelatedMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


class ChoiceInline(ReadOnlyInline):
    model = ApplicationChoice
    fields = ("priority", "offering", "language")
    plain_unless_permitted = {"offering": "offering_text", "language": "language_text"}
    offering_text = plain_related("offering", ApplicationChoice)
    language_text = plain_related("language", ApplicationChoice)
    verbose_name_plural = _("program choices, by priority")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("offering__program", "language")


class ExamResultInline(ReadOnlyInline):
    model = ExamResult
    fields = ("exam", "subject", "score", "max_score", "taken_on")


class DocumentInline(ReadOnlyInline):
    model = Document
    fields = (
        "kind",
        "file_link",
        "size",
        "content_type",
        "status",
        "rejection_reason",
        "verified_by",
        "verified_at",
        "verification_buttons",
    )
    plain_unless_permitted = {"verified_by": "verified_by_text"}
    verified_by_text = plain_related("verified_by", Document)

    def has_view_permission(self, request, obj=None):
        return staff_may_see_documents(request.user) and super().has_view_permission(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("verified_by")

    @admin.display(description=_("file"))
    def file_link(self, document):
        try:
            url = reverse("admissions:document_download", kwargs={"pk": document.pk})
        except NoReverseMatch:  # the download view is not installed
            return document.original_name
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', url, document.original_name
        )

    # Not "verify": the status column is already titled "verification" (the same word in
    # Russian and Kazakh).
    @admin.display(description=_("Decision"))
    def verification_buttons(self, document):
        # The change page is one <form>: the buttons post it to the verify URL (formaction),
        # rejecting opens a page that asks for the reason.
        verify_url = reverse(
            "admin:admissions_application_document_verify",
            kwargs={"object_id": document.application_id, "document_id": document.pk},
        )
        reject_url = reverse(
            "admin:admissions_application_document_reject",
            kwargs={"object_id": document.application_id, "document_id": document.pk},
        )
        verify = ""
        if document.status != DocumentStatus.VERIFIED:
            verify = format_html(
                '<button type="submit" class="button" formaction="{}" formmethod="post" '
                'name="_verify_document" value="{}">{}</button> ',
                verify_url,
                document.pk,
                gettext("Verify"),
            )
        return format_html(
            '{}<a class="button" href="{}">{}</a>', verify, reject_url, gettext("Reject…")
        )


class ReviewInline(ReadOnlyInline):
    model = Review
    fields = ("reviewer", "score", "comment", "updated_at")
    plain_unless_permitted = {"reviewer": "reviewer_text"}
    reviewer_text = plain_related("reviewer", Review)

    def get_queryset(self, request):
        reviews = super().get_queryset(request).select_related("reviewer")
        # Reviewers see their own review only: others' scores would bias them.
        if staff_is_reviewer(request.user):
            reviews = reviews.filter(reviewer=request.user)
        return reviews


class StatusEventInline(ReadOnlyInline):
    model = StatusEvent
    fields = ("created_at", "from_status", "to_status", "actor", "note", "shown_to_applicant")
    plain_unless_permitted = {"actor": "actor_text"}
    actor_text = plain_related("actor", StatusEvent)
    verbose_name_plural = _("status timeline")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("shown to the applicant"))
    def shown_to_applicant(self, event):
        if event.released_at is not None:
            return gettext("at the results time (%(time)s)") % {
                "time": date_format(timezone.localtime(event.released_at), "SHORT_DATETIME_FORMAT")
            }
        if event.withheld:
            return gettext("no (a decision held until the results time, or replaced before)")
        return gettext("yes")

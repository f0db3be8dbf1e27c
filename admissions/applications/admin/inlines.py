"""Read-only inlines of the application page: what the applicant wrote is not edited by
staff."""

from __future__ import annotations

from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from admissions.admin.related import PlainRelatedMixin, plain_related
from admissions.documents.desk import (
    document_file_cell,
    document_status_cell,
    document_verdict_cell,
)
from admissions.enums import ApplicationStatus
from admissions.models import (
    ApplicationChoice,
    Document,
    ExamResult,
    Review,
    StatusEvent,
)
from admissions.permissions import (
    IDENTIFYING_DOCUMENT_KINDS,
    staff_is_blind,
    staff_is_reviewer,
    staff_may_see_documents,
    staff_may_verify_documents,
)

S = ApplicationStatus

# --- Inlines (read-only: what the applicant wrote is not edited by staff) -------------------


class ReadOnlyInline(PlainRelatedMixin, admin.TabularInline):
    # Django's tabular inline without the parts only a saved form needs (management form,
    # hidden ids): those were a third of the page's rendering.
    template = "admin/admissions/application/readonly_inline.html"
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
        # An offering is shown as "program — cycle": both joined, not read per row.
        return (
            super()
            .get_queryset(request)
            .select_related("offering__program", "offering__cycle", "language")
        )


class ExamResultInline(ReadOnlyInline):
    model = ExamResult
    fields = ("exam", "subject", "score", "max_score", "taken_on")


class DocumentInline(ReadOnlyInline):
    """The application's documents with the desk's cells: preview, state, and (for officers)
    verify / reject in place and "verify all shown" (`admissions.documents.desk`)."""

    model = Document
    template = "admin/admissions/application/document_inline.html"

    class Media:
        js = ("js/document-desk.js",)

    def has_view_permission(self, request, obj=None):
        return staff_may_see_documents(request.user) and super().has_view_permission(request, obj)

    def get_queryset(self, request):
        documents = (
            super()
            .get_queryset(request)
            .select_related("verified_by")
            .prefetch_related("extra_pages")
        )
        if staff_is_blind(request.user):
            documents = documents.exclude(kind__in=sorted(IDENTIFYING_DOCUMENT_KINDS))
        return documents

    def get_fields(self, request, obj=None):
        # Built per request: which name a file shows and who may decide depend on the user.
        user = request.user
        next_url = request.get_full_path()

        @admin.display(description=_("kind"))
        def kind(document):
            return document.get_kind_display()

        @admin.display(description=_("file"))
        def file(document):
            return document_file_cell(document, user)

        @admin.display(description=_("size"))
        def size(document):
            return filesizeformat(document.total_size)

        @admin.display(description=_("verification"))
        def verification(document):
            return document_status_cell(document)

        # Not "verify": the status column is already titled "verification" (the same word
        # in Russian and Kazakh).
        @admin.display(description=_("Decision"))
        def verification_buttons(document):
            return document_verdict_cell(document, user, next_url=next_url)

        fields = [kind, file, size, verification]
        if staff_may_verify_documents(user):
            fields.append(verification_buttons)
        return fields

    def get_formset(self, request, obj=None, **kwargs):
        # Every column is a display function: the (read-only) form has no field at all.
        return super().get_formset(request, obj, fields=[], **kwargs)


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
    fields = (
        "created_at",
        "from_status",
        "to_status",
        "actor_or_applicant",
        "note",
        "shown_to_applicant",
    )
    verbose_name_plural = _("status timeline")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "application")

    # The applicant's own moves (submission, documents uploaded, withdrawal) say "the
    # applicant", not their account name: no name reaches a blind reviewer this way.
    @admin.display(description=StatusEvent._meta.get_field("actor").verbose_name)
    def actor_or_applicant(self, event):
        if event.actor_id is None:
            return "—"
        if event.actor_id == event.application.applicant_id:
            return gettext("the applicant")
        return str(event.actor)

    @admin.display(description=_("shown to the applicant"))
    def shown_to_applicant(self, event):
        if event.released_at is not None:
            return gettext("at the results time (%(time)s)") % {
                "time": date_format(timezone.localtime(event.released_at), "SHORT_DATETIME_FORMAT")
            }
        if event.withheld:
            return gettext("no (a decision held until the results time, or replaced before)")
        return gettext("yes")

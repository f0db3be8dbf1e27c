"""Read-only inlines of the application page: what the applicant wrote is not edited by
staff.

Nothing in them is a form field, so on a GET the page builds no formset for them: each
inline is read once and written as a table of cells (`ReadOnlyInline.table`), the markup
Django's tabular inline writes for read-only fields. A formset built a form class, a form
per row and, per cell, a read-only field object that looked up its label and help text
again: a third of the page's time.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, label_for_field
from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from admissions.admin.readonly import ReadOnlyCell
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
    DocumentPage,
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


@dataclass(frozen=True)
class ReadOnlyTable:
    """A read-only inline as its template writes it: `columns` [(class name, label)],
    `rows` [(the row's object as text, its cells as one string of <td>s)]."""

    inline: admin.options.InlineModelAdmin
    template: str
    prefix: str
    title: str
    classes: str
    columns: list[tuple[str, str]]
    rows: list[tuple[str, SafeString]]


def _class_name(field) -> str:
    """The name in a cell's class attribute, as Django's read-only field gives it."""
    if callable(field):
        return field.__name__ if field.__name__ != "<lambda>" else ""
    return field


class ReadOnlyInline(PlainRelatedMixin, admin.TabularInline):
    # Django's tabular inline without the parts only a saved form needs (management form,
    # hidden ids): those were a third of the page's rendering.
    template = "admin/admissions/application/readonly_inline.html"
    fk_name = "application"
    extra = 0
    can_delete = False
    show_change_link = False

    def rows(self, request, obj) -> list:
        """The rows of `obj` the formset would list: `get_queryset`'s, in its order (the
        model's, else by primary key), each linked to `obj` as a formset's form is."""
        rows = self.get_queryset(request).filter(**{self.fk_name: obj})
        if not rows.ordered:
            rows = rows.order_by(self.model._meta.pk.name)
        elif not rows.query.order_by:
            # The model's ordering starts with the application, the same for every row:
            # sorting by it made the database join the applications to sort by theirs.
            ordering = [
                name for name in self.model._meta.ordering if name.lstrip("-") != self.fk_name
            ]
            rows = rows.order_by(*(ordering or [self.model._meta.pk.name]))
        rows = list(rows)
        for row in rows:
            setattr(row, self.fk_name, obj)
        return rows

    def table(self, request, obj) -> ReadOnlyTable:
        """The inline's rows of `obj` (what the formset would list: `get_queryset` of the
        rows of `obj`, by primary key unless ordered) with their cells."""
        fields = [
            name
            for name in flatten_fieldsets(self.get_fieldsets(request, obj))
            if name != self.fk_name
        ]
        rows = self.rows(request, obj)
        empty = self.get_empty_value_display()
        columns = [
            # A display function has no name Django's header can write (its class stays
            # "column-"); the cells name it.
            ("" if callable(name) else name, label_for_field(name, self.model, self))
            for name in fields
        ]
        names = [_class_name(name) for name in fields]
        return ReadOnlyTable(
            inline=self,
            template=self.template,
            prefix=self.model._meta.get_field(self.fk_name).remote_field.get_accessor_name(),
            title=self.verbose_name_plural,
            classes=" ".join(self.classes) if self.classes else "",
            columns=columns,
            rows=[
                (
                    str(row),
                    mark_safe(  # noqa: S308  # nosec B308 B703 (each cell escaped by contents())
                        "".join(
                            f'<td class="field-{conditional_escape(class_name)}"><p>'
                            f"{ReadOnlyCell(name, row, self, empty).html()}</p></td>"
                            for name, class_name in zip(fields, names, strict=True)
                        )
                    ),
                )
                for row in rows
            ],
        )

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
            .annotate(has_extra_pages=Exists(DocumentPage.objects.filter(document=OuterRef("pk"))))
        )
        if staff_is_blind(request.user):
            documents = documents.exclude(kind__in=sorted(IDENTIFYING_DOCUMENT_KINDS))
        return documents

    def rows(self, request, obj) -> list:
        documents = super().rows(request, obj)
        # Most documents are one file: further pages are read only for those that have some
        # (by number: each document's own order, without joining the documents to sort).
        for has_pages, pages in (
            (True, DocumentPage.objects.order_by("number")),
            (False, DocumentPage.objects.none()),
        ):
            prefetch_related_objects(
                [document for document in documents if document.has_extra_pages is has_pages],
                Prefetch("extra_pages", queryset=pages),
            )
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
        # The application is the page's (`rows`, and a formset's forms, link each event to
        # it): not joined again.
        return super().get_queryset(request).select_related("actor")

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

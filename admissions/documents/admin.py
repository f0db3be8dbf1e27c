"""The document desk: documents awaiting verification across applications (the Document
changelist, opening on "awaiting verification"), and the verdict views that the desk, the
application page and "verify all shown" post to.

Only admissions officers may verify (`permissions.staff_may_verify_documents`); the list and
the views show nothing to anyone else. A verdict answers JSON to the page's script, which
updates the row in place (no reload, no jump), or redirects back to the row without it.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from admissions.admin.pages import AdminPageMixin
from admissions.applications.admin.forms import RejectDocumentForm
from admissions.applications.exports import applicant_profile
from admissions.documents.desk import (
    document_anchor,
    document_cells,
    document_file_cell,
    document_status_cell,
    document_verdict_cell,
)
from admissions.documents.services import document_reject, document_verify
from admissions.enums import DocumentStatus
from admissions.errors import DomainError
from admissions.models import Document
from admissions.permissions import staff_may_see, staff_may_verify_documents
from admissions.selectors import documents_visible_to_staff

__all__ = ["DocumentAdmin"]


class VerificationFilter(admin.SimpleListFilter):
    """The desk opens on the documents awaiting verification; "all" shows every state."""

    title = _("verification")
    parameter_name = "verification"
    default = DocumentStatus.PENDING

    def lookups(self, request, model_admin):
        return [*DocumentStatus.choices, ("all", _("All"))]

    def value(self):
        return super().value() or self.default

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value in DocumentStatus.values:
            return queryset.filter(status=value)
        return queryset


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@admin.register(Document)
class DocumentAdmin(AdminPageMixin, admin.ModelAdmin):
    list_filter = (VerificationFilter, "kind", "application__cycle")
    list_select_related = (
        "application",
        "application__applicant__applicant_profile",
        "verified_by",
    )
    list_display_links = None
    list_per_page = 100
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    # Oldest first: documents are verified in the order they arrived.
    ordering = ("uploaded_at", "pk")
    search_fields = ("=application__reference",)
    actions = ("action_verify",)
    change_list_template = "admin/admissions/document/change_list.html"

    class Media:
        css = {"all": ("css/admin-pages.css",)}
        js = ("js/document-desk.js",)

    # --- Who sees the desk ----------------------------------------------------------------

    def has_module_permission(self, request):
        return staff_may_verify_documents(request.user)

    def has_view_permission(self, request, obj=None):
        return staff_may_verify_documents(request.user)

    def has_verify_permission(self, request):
        return staff_may_verify_documents(request.user)

    def has_add_permission(self, request):
        return False  # applicants upload

    def has_change_permission(self, request, obj=None):
        return False  # verdicts go through the buttons (services), never an edit form

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # Documents of submitted applications: a draft's files are the applicant's business.
        return (
            documents_visible_to_staff(request.user)
            .filter(application__submitted_at__isnull=False)
            .select_related(*self.list_select_related)
            .prefetch_related("extra_pages")
        )

    # --- Columns (built per request: the cells depend on who looks) ------------------------

    def get_list_display(self, request):
        user = request.user
        next_url = request.get_full_path()

        @admin.display(description=_("application"), ordering="application__reference")
        def application_link(document):
            url = reverse("admin:admissions_application_change", args=[document.application_id])
            return format_html('<a href="{}#documents-group">{}</a>', url, document.application)

        @admin.display(description=_("applicant"))
        def applicant(document):
            profile = applicant_profile(document.application)
            return profile.full_name_native if profile else "—"

        @admin.display(description=_("kind"), ordering="kind")
        def kind(document):
            return document.get_kind_display()

        @admin.display(description=_("file"))
        def file(document):
            return format_html(
                '{}<div class="document-decided">{}</div>',
                document_file_cell(document, user),
                filesizeformat(document.total_size),
            )

        @admin.display(description=_("uploaded"), ordering="uploaded_at")
        def uploaded(document):
            return f"{timezone.localtime(document.uploaded_at):%Y-%m-%d %H:%M}"

        @admin.display(description=_("verification"), ordering="status")
        def verification(document):
            return document_status_cell(document)

        @admin.display(description=_("Decision"))
        def decision(document):
            return document_verdict_cell(document, user, next_url=next_url)

        columns = [application_link, applicant, kind, file, uploaded, verification]
        if not staff_may_see(user, "applicantprofile.last_name_native"):
            columns.remove(applicant)
        return [*columns, decision]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "verify_shown_url": reverse("admin:admissions_document_verify_shown"),
            "next_url": request.get_full_path(),
            "title": gettext("Documents awaiting verification"),
            # The rows need the width (the verdict column beside the filters).
            "is_nav_sidebar_enabled": False,
        }
        return super().changelist_view(request, extra_context)

    # --- Verdicts -------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:document_id>/verify/",
                wrap(self.verify_view),
                name="admissions_document_verify",
            ),
            path(
                "<int:document_id>/reject/",
                wrap(self.reject_view),
                name="admissions_document_reject",
            ),
            path(
                "verify-shown/",
                wrap(self.verify_shown_view),
                name="admissions_document_verify_shown",
            ),
            *super().get_urls(),
        ]

    def _document(self, request, document_id) -> Document:
        if not staff_may_verify_documents(request.user):
            raise PermissionDenied
        return get_object_or_404(
            documents_visible_to_staff(request.user).select_related("application"),
            pk=document_id,
        )

    @staticmethod
    def _next_url(request, default: str) -> str:
        url = request.GET.get("next", "")
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return url
        return default

    def _back(self, request, document: Document | None = None) -> str:
        """Where a verdict without JavaScript returns: the page it came from, at the row."""
        url = self._next_url(request, reverse("admin:admissions_document_changelist"))
        return f"{url}#{document_anchor(document)}" if document is not None else url

    def _answer(self, request, documents: list[Document], message: str):
        for document in documents:
            self.log_change(request, document, message)
        if wants_json(request):
            next_url = self._next_url(request, reverse("admin:admissions_document_changelist"))
            return JsonResponse(
                {
                    "ok": True,
                    "message": message,
                    "documents": {
                        str(d.pk): document_cells(d, request.user, next_url=next_url)
                        for d in documents
                    },
                }
            )
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(self._back(request, documents[0] if documents else None))

    def verify_view(self, request, document_id):
        document = self._document(request, document_id)
        if request.method != "POST":
            return HttpResponseRedirect(self._back(request, document))
        document = document_verify(document=document, actor=request.user)
        message = gettext("Document “%(document)s” verified.") % {
            "document": document.get_kind_display()
        }
        return self._answer(request, [document], message)

    def reject_view(self, request, document_id):
        document = self._document(request, document_id)
        data = None
        if request.method == "POST":
            # The desk's rows name their reason fields "reason-<id>" (several on one page).
            data = {
                "reason": request.POST.get("reason", request.POST.get(f"reason-{document.pk}", ""))
            }
        form = RejectDocumentForm(data)
        if data is not None and form.is_valid():
            try:
                document = document_reject(
                    document=document, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                form.add_error("reason", exc.message)
            else:
                message = gettext("Document “%(document)s” rejected.") % {
                    "document": document.get_kind_display()
                }
                return self._answer(request, [document], message)
        if data is not None and wants_json(request):
            errors = [str(error) for error in form.errors.get("reason", [])]
            return JsonResponse({"ok": False, "message": " ".join(errors)}, status=400)
        return self._page(
            request,
            "admin/admissions/application/document_reject.html",
            gettext("Reject document %(document)s") % {"document": document.get_kind_display()},
            form=form,
            application=document.application,
            document=document,
            document_name=document_file_cell(document, request.user),
            cancel_url=self._back(request, document),
        )

    def verify_shown_view(self, request):
        """Verify the pending documents among `shown_document` (the rows on the page)."""
        if not staff_may_verify_documents(request.user):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(self._back(request))
        ids = [value for value in request.POST.getlist("shown_document") if value.isdigit()]
        documents = list(
            documents_visible_to_staff(request.user)
            .filter(pk__in=ids, status=DocumentStatus.PENDING)
            .order_by("pk")
        )
        verified = self._verify_all(request, documents)
        message = ngettext(
            "%(count)s document verified.", "%(count)s documents verified.", len(verified)
        ) % {"count": len(verified)}
        return self._answer(request, verified, message)

    @staticmethod
    def _verify_all(request, documents) -> list[Document]:
        return [document_verify(document=d, actor=request.user) for d in documents]

    @admin.action(description=_("Verify the selected documents"), permissions=("verify",))
    def action_verify(self, request, queryset):
        verified = self._verify_all(
            request, list(queryset.exclude(status=DocumentStatus.VERIFIED))
        )
        for document in verified:
            self.log_change(request, document, gettext("Verified."))
        self.message_user(
            request,
            ngettext(
                "%(count)s document verified.", "%(count)s documents verified.", len(verified)
            )
            % {"count": len(verified)},
            messages.SUCCESS,
        )

"""Applications in the admin: the list staff work from, the detail page, decisions, document
verification, reviews and exports.

Object-level limits come from `admissions.selectors` (staff section): `get_queryset` returns
only what the user may see, `get_object` turns anything else into a 404, and every custom view
goes through `_get_visible_application`.
"""

from __future__ import annotations

import re

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, OuterRef, Prefetch, Subquery
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from admissions.admin.pages import AdminPageMixin
from admissions.admin.related import may_open_related, plain_related
from admissions.applications import lifecycle
from admissions.applications.exports import (
    EXPORT_FORMATS,
    applicant_profile,
    application_export_response,
)
from admissions.applications.services import EDUCATION_FIELDS
from admissions.documents.services import document_reject, document_verify
from admissions.enums import ApplicationStatus
from admissions.errors import DomainError
from admissions.models import (
    Application,
    ApplicationChoice,
    Document,
    Review,
)
from admissions.reviews.services import (
    application_decide_many,
    application_decide_preview,
    review_submit,
    rubric_for,
)
from admissions.scholarships.scoring import input_annotations, ranking_score_of_row
from admissions.selectors import (
    application_visible_to_staff,
    applications_visible_to_staff,
    staff_is_blind,
    staff_may_see_contact,
    staff_may_see_documents,
    staff_may_see_national_id,
)
from admissions.text import NormalisedAdminMixin

from .filters import (
    CappedCountPaginator,
    CitizenshipFilter,
    DocumentsFilter,
    LanguageFilter,
    LevelFilter,
    ProgramFilter,
)
from .forms import DecisionForm, RejectDocumentForm, ReviewForm
from .inlines import (
    ChoiceInline,
    DocumentInline,
    ExamResultInline,
    ReviewInline,
    StatusEventInline,
)

# A whole reference number as typed, e.g. "kzo-2025-000123".
REFERENCE_PATTERN = re.compile(r"[A-Za-z]{2,5}-[A-Za-z0-9]{2,10}-\d{3,}")

OVERRIDE_PERMISSION = "admissions.override_application"


def decision_action_name(status: str) -> str:
    """The bulk action of the staff decision `status` (generated from the lifecycle)."""
    return f"decide_{status}"


@admin.register(Application)
class ApplicationAdmin(NormalisedAdminMixin, AdminPageMixin, admin.ModelAdmin):
    list_display = (
        "reference_or_draft",
        "applicant_name",
        "programs_by_priority",
        "status",
        "mean_score_display",
        "ranking_score_display",
        "scholarship",
        "submitted",
    )
    list_display_links = ("reference_or_draft",)
    list_filter = (
        "cycle",
        "status",
        ProgramFilter,
        LevelFilter,
        LanguageFilter,
        CitizenshipFilter,
        "scholarship_requested",
        DocumentsFilter,
    )
    list_select_related = ("cycle", "applicant__applicant_profile")
    list_per_page = 50
    show_full_result_count = False
    # Facet counts would run one COUNT per filter option on every page view.
    show_facets = admin.ShowFacets.NEVER
    paginator = CappedCountPaginator
    ordering = ("-submitted_at", "-pk")
    inlines = (ChoiceInline, ExamResultInline, DocumentInline, ReviewInline, StatusEventInline)
    change_form_template = "admin/admissions/application/change_form.html"
    change_list_template = "admin/admissions/application/change_list.html"
    # The decision actions are generated from the lifecycle (`get_actions`).
    actions = ()

    # --- Visibility ---------------------------------------------------------------------

    def get_queryset(self, request):
        mean_score = (
            Review.objects.filter(application=OuterRef("pk"))
            .order_by()
            .values("application")
            .annotate(mean=Avg("score"))
            .values("mean")
        )
        choices = ApplicationChoice.objects.select_related("offering__program", "language")
        return (
            applications_visible_to_staff(request.user)
            .select_related("cycle", "applicant__applicant_profile")
            .prefetch_related(Prefetch("choices", queryset=choices.order_by("priority")))
            .annotate(mean_score=Subquery(mean_score), **input_annotations())
        )

    def get_object(self, request, object_id, from_field=None):
        application = super().get_object(request, object_id, from_field)
        if application is None:
            # Another program's application, or none at all: the same answer, nothing shown.
            raise Http404(gettext("No such application."))
        return application

    def _visible(self, request, obj) -> bool:
        cache = request.__dict__.setdefault("_visible_applications", {})
        if obj.pk not in cache:
            cache[obj.pk] = application_visible_to_staff(request.user, obj)
        return cache[obj.pk]

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or self._visible(request, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self._visible(request, obj))

    def has_add_permission(self, request):
        return False  # applicants apply; staff do not create applications

    def has_delete_permission(self, request, obj=None):
        return False  # applications are withdrawn or rejected, never deleted (audit)

    def _get_visible_application(self, request, object_id) -> Application:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self.get_object(request, object_id)

    # --- What each role sees ------------------------------------------------------------

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if staff_is_blind(request.user):
            columns.remove("applicant_name")
        return columns

    def get_search_fields(self, request):
        fields = ["=reference"]
        if not staff_is_blind(request.user):
            fields += [
                "applicant__applicant_profile__last_name_native",
                "applicant__applicant_profile__first_name_native",
                "applicant__applicant_profile__last_name_latin",
                "applicant__applicant_profile__first_name_latin",
            ]
        if staff_may_see_contact(request.user):
            fields.append("=applicant__email")
        if staff_may_see_national_id(request.user):
            fields.append("=applicant__applicant_profile__identifier")
        return fields

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if REFERENCE_PATTERN.fullmatch(term):
            # A whole reference number: one lookup on the unique index, whatever the case.
            return queryset.filter(reference=term.upper()), False
        return super().get_search_results(request, queryset, term)

    def get_fieldsets(self, request, obj=None):
        cycle = "cycle" if may_open_related(request, Application, "cycle") else "cycle_text"
        applicant = ["preferred_language", "citizenship", "birth_date"]
        if not staff_is_blind(request.user):
            applicant = ["name_native", "name_latin", *applicant]
        if staff_may_see_national_id(request.user):
            applicant.append("national_id")
        if staff_may_see_contact(request.user):
            applicant += ["email", "phone"]
        return [
            (
                _("Application"),
                {
                    "fields": (
                        "reference",
                        cycle,
                        "status",
                        "submitted_at",
                        "mean_score_display",
                        "ranking_score_display",
                        "scholarship_requested",
                        "consent_version",
                        "consent_given_at",
                    )
                },
            ),
            (_("Applicant"), {"fields": applicant}),
            (
                _("Prior education"),
                {"fields": EDUCATION_FIELDS},
            ),
            (_("Motivation"), {"fields": ("motivation",)}),
            (_("Decisions"), {"fields": ("documents_request_message", "decision_note")}),
        ]

    def get_readonly_fields(self, request, obj=None):
        # Everything: the application is the applicant's text; staff act through decisions.
        return flatten_fieldsets(self.get_fieldsets(request, obj))

    # --- Columns and detail fields ------------------------------------------------------

    cycle_text = plain_related("cycle", Application)

    @admin.display(description=_("reference"), ordering="reference")
    def reference_or_draft(self, application):
        return application.reference or gettext("Draft #%(pk)s") % {"pk": application.pk}

    @admin.display(description=pgettext_lazy("person", "name"))
    def applicant_name(self, application):
        profile = applicant_profile(application)
        if profile is None:
            return "—"
        return format_html(
            "{}<br><small>{}</small>", profile.full_name_native, profile.full_name_latin
        )

    @admin.display(description=_("programs by priority"))
    def programs_by_priority(self, application):
        return format_html_join(
            "",
            "<div>{}. {} <small>({})</small></div>",
            (
                (choice.priority, choice.offering.program, choice.language.code)
                for choice in application.choices.all()
            ),
        )

    @admin.display(description=_("review mean"), ordering="mean_score")
    def mean_score_display(self, application):
        score = getattr(application, "mean_score", None)
        return "—" if score is None else f"{score:.1f}"

    @admin.display(description=_("ranking score"))
    def ranking_score_display(self, application):
        # The formula of the ranking (scholarships.scoring), from the annotated inputs.
        return ranking_score_of_row(application)

    @admin.display(description=_("scholarship"), boolean=True, ordering="scholarship_requested")
    def scholarship(self, application):
        return application.scholarship_requested

    @admin.display(description=_("submitted"), ordering="submitted_at")
    def submitted(self, application):
        if application.submitted_at is None:
            return "—"
        return f"{timezone.localtime(application.submitted_at):%Y-%m-%d %H:%M}"

    @admin.display(description=_("name (native)"))
    def name_native(self, application):
        profile = applicant_profile(application)
        return profile.full_name_native if profile else "—"

    @admin.display(description=_("name (Latin letters)"))
    def name_latin(self, application):
        profile = applicant_profile(application)
        return profile.full_name_latin if profile else "—"

    @admin.display(description=_("preferred language"))
    def preferred_language(self, application):
        profile = applicant_profile(application)
        return profile.get_preferred_language_display() if profile else "—"

    @admin.display(description=_("citizenship"))
    def citizenship(self, application):
        profile = applicant_profile(application)
        return profile.citizenship.name if profile else "—"

    @admin.display(description=_("date of birth"))
    def birth_date(self, application):
        profile = applicant_profile(application)
        return profile.birth_date if profile else "—"

    @admin.display(description=_("national id"))
    def national_id(self, application):
        profile = applicant_profile(application)
        if profile is None:
            return "—"
        return f"{profile.get_identifier_kind_display()}: {profile.identifier}"

    @admin.display(description=_("e-mail"))
    def email(self, application):
        return application.applicant.email

    @admin.display(description=_("phone"))
    def phone(self, application):
        profile = applicant_profile(application)
        return str(profile.phone) if profile else "—"

    # --- Change page: no save buttons, decision buttons instead -------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Not "Change application": nothing on the page is edited, staff act by decisions
        # (and "Изменить заявка" / "Просмотреть өтінім" read badly). The reference follows.
        extra_context = {"title": capfirst(self.model._meta.verbose_name), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(
            show_save=False,
            show_save_and_continue=False,
            show_save_and_add_another=False,
            show_delete=False,
        )
        if obj is not None:
            context["decisions"] = self.decisions_for(request, obj)
            context["can_review"] = obj.status in lifecycle.statuses_in(
                lifecycle.Group.REVIEWABLE
            ) and self._may_review(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def decisions_for(self, request, application):
        if not self.has_change_permission(request, application):
            return []
        allowed = lifecycle.allowed_next(application.status)
        return [
            {
                "label": declared.decision,
                "url": reverse(
                    "admin:admissions_application_decide",
                    kwargs={"object_id": application.pk, "to_status": status},
                ),
            }
            for status, declared in lifecycle.decisions().items()
            if status in allowed
        ]

    def _may_review(self, request, application) -> bool:
        return request.user.has_perm("admissions.add_review") and self._visible(
            request, application
        )

    # --- Custom views -------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        info = "admissions_application"
        return [
            path("dashboard/", wrap(self.dashboard_view), name=f"{info}_dashboard"),
            path("export/", wrap(self.export_view), name=f"{info}_export"),
            path(
                "<path:object_id>/decide/<str:to_status>/",
                wrap(self.decide_view),
                name=f"{info}_decide",
            ),
            path("<path:object_id>/review/", wrap(self.review_view), name=f"{info}_review"),
            path(
                "<path:object_id>/documents/<int:document_id>/verify/",
                wrap(self.document_verify_view),
                name=f"{info}_document_verify",
            ),
            path(
                "<path:object_id>/documents/<int:document_id>/reject/",
                wrap(self.document_reject_view),
                name=f"{info}_document_reject",
            ),
            *super().get_urls(),
        ]

    def _change_url(self, application) -> str:
        return reverse("admin:admissions_application_change", args=[application.pk])

    def decide_view(self, request, object_id, to_status):
        application = self._get_visible_application(request, object_id)
        declared = lifecycle.decisions().get(to_status)
        if declared is None:
            raise Http404
        if not self.has_change_permission(request, application):
            raise PermissionDenied
        if to_status not in lifecycle.allowed_next(application.status):
            # Say so at once rather than after the officer has written a message.
            reason = gettext("An application that is “%(from)s” cannot become “%(to)s”.") % {
                "from": application.get_status_display(),
                "to": ApplicationStatus(to_status).label,
            }
            self._refused(request, application, reason)
            return HttpResponseRedirect(self._change_url(application))
        return self._decision_page(
            request,
            [application],
            to_status,
            data=request.POST if request.method == "POST" else None,
            title=f"{declared.decision}: {application}",
            cancel_url=self._change_url(application),
            done_url=self._change_url(application),
        )

    def _decision_page(
        self, request, applications, to_status, *, data, title, cancel_url, done_url, **extra
    ):
        """The confirmation page of a decision: per application what will happen and what
        is refused (and why); the note, and an officer's override reason when a guard
        fails. On a valid post the decision is made and `done_url` (None: the changelist)
        is shown."""
        declared = lifecycle.spec(to_status)
        previews = application_decide_preview(applications=applications, to_status=to_status)
        guarded = any(preview.problems for preview in previews)
        may_override = guarded and request.user.has_perm(OVERRIDE_PERMISSION)
        form = DecisionForm(
            data,
            note_required=declared.note_required is not None,
            may_override=may_override,
        )
        if data is not None and form.is_valid():
            outcome = application_decide_many(
                applications=applications,
                to_status=to_status,
                actor=request.user,
                note=form.cleaned_data["note"],
                override_reason=form.cleaned_data.get("override_reason", ""),
            )
            self._report(request, outcome, to_status)
            return HttpResponseRedirect(done_url) if done_url else None
        return self._page(
            request,
            "admin/admissions/application/decision.html",
            title,
            form=form,
            previews=previews,
            applications=applications,
            decision_label=declared.decision,
            to_status_label=ApplicationStatus(to_status).label,
            may_override=may_override,
            guarded=guarded,
            cancel_url=cancel_url,
            **extra,
        )

    def _report(self, request, outcome, to_status) -> None:
        """One message per application: what was done, what was refused and why. Each done
        change is also written to the admin's history (LogEntry)."""
        label = ApplicationStatus(to_status).label
        for application in outcome.done:
            change = gettext("Status changed to “%(status)s”.") % {"status": label}
            self.log_change(request, application, change)
            self.message_user(request, f"{application}: {change}", messages.SUCCESS)
        for application, reason in outcome.refused:
            self._refused(request, application, reason)

    def _refused(self, request, application, reason) -> None:
        self.message_user(
            request,
            gettext("%(application)s: refused. %(reason)s")
            % {"application": application, "reason": reason},
            messages.ERROR,
        )

    def _done(self, request, obj, message, *, added: bool = False) -> None:
        """Show `message` and write it to `obj`'s admin history (LogEntry)."""
        (self.log_addition if added else self.log_change)(request, obj, message)
        self.message_user(request, message, messages.SUCCESS)

    def review_view(self, request, object_id):
        application = self._get_visible_application(request, object_id)
        if not self._may_review(request, application):
            raise PermissionDenied
        criteria = rubric_for(application)
        existing = Review.objects.filter(application=application, reviewer=request.user).first()
        initial = {}
        if existing:
            initial = {"comment": existing.comment}
            initial.update({f"criterion_{s.criterion_id}": s.value for s in existing.scores.all()})
        form = ReviewForm(request.POST or None, criteria=criteria, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                review = review_submit(
                    application=application,
                    reviewer=request.user,
                    scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                message = gettext("Review saved: score %(score)s of 100.") % {
                    "score": review.score
                }
                self._done(request, review, message, added=not existing)
                return HttpResponseRedirect(self._change_url(application))
        return self._page(
            request,
            "admin/admissions/application/review.html",
            gettext("Review of %(application)s") % {"application": application},
            form=form,
            application=application,
            criteria=criteria,
            cancel_url=self._change_url(application),
        )

    def _get_document(self, request, object_id, document_id) -> tuple[Application, Document]:
        application = self._get_visible_application(request, object_id)
        if not (
            staff_may_see_documents(request.user)
            and request.user.has_perm("admissions.change_document")
        ):
            raise PermissionDenied
        document = get_object_or_404(Document, pk=document_id, application=application)
        return application, document

    def document_verify_view(self, request, object_id, document_id):
        application, document = self._get_document(request, object_id, document_id)
        if request.method != "POST":
            return HttpResponseRedirect(self._change_url(application))
        document = document_verify(document=document, actor=request.user)
        message = gettext("Document “%(document)s” verified.") % {"document": document}
        self._done(request, document, message)
        return HttpResponseRedirect(self._change_url(application))

    def document_reject_view(self, request, object_id, document_id):
        application, document = self._get_document(request, object_id, document_id)
        form = RejectDocumentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                document = document_reject(
                    document=document, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                form.add_error("reason", exc.message)
            else:
                message = gettext("Document “%(document)s” rejected.") % {"document": document}
                self._done(request, document, message)
                return HttpResponseRedirect(self._change_url(application))
        return self._page(
            request,
            "admin/admissions/application/document_reject.html",
            gettext("Reject document %(document)s") % {"document": document},
            form=form,
            application=application,
            document=document,
            cancel_url=self._change_url(application),
        )

    # --- Bulk actions -------------------------------------------------------------------

    def _bulk_decide(self, request, queryset, to_status):
        """A bulk decision: the action's first post shows the confirmation page (nothing
        changes); the page posts back with "apply" and the decision is made."""
        applications = list(queryset)
        declared = lifecycle.spec(to_status)
        return self._decision_page(
            request,
            applications,
            to_status,
            data=request.POST if "apply" in request.POST else None,
            title=gettext("%(decision)s: %(count)s applications")
            % {"decision": declared.decision, "count": len(applications)},
            cancel_url=reverse("admin:admissions_application_changelist"),
            done_url=None,
            action=request.POST.get("action"),
            bulk=True,
        )

    def get_actions(self, request):
        """The bulk decisions, one per staff decision of the lifecycle (`decisions()`)."""
        actions = super().get_actions(request)
        if not self.has_change_permission(request):
            return actions
        for status, declared in lifecycle.decisions().items():
            name = decision_action_name(status)

            def action(modeladmin, request, queryset, status=status):
                return modeladmin._bulk_decide(request, queryset, status)

            actions[name] = (action, name, declared.action)
        return actions

    # --- Export -------------------------------------------------------------------------

    def export_view(self, request):
        """The changelist as it is filtered and searched, as CSV or XLSX (django-import-export,
        columns by role: `ApplicationExportResource`)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        request.GET = request.GET.copy()
        export_format = request.GET.pop("_format", ["csv"])[0]
        if export_format not in EXPORT_FORMATS:
            raise Http404
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            # A stale or mistyped filter in the address: back to the list, as Django does.
            url = reverse("admin:admissions_application_changelist")
            return HttpResponseRedirect(f"{url}?{ERROR_FLAG}=1")
        return application_export_response(
            queryset=changelist.get_queryset(request),
            user=request.user,
            export_format=export_format,
        )

    def dashboard_view(self, request):
        from admissions.admin.dashboard import dashboard_context

        if not self.has_view_permission(request):
            raise PermissionDenied
        return self._page(
            request,
            "admin/admissions/dashboard.html",
            gettext("Admissions dashboard"),
            **dashboard_context(request),
        )

    def changelist_view(self, request, extra_context=None):
        query = request.GET.urlencode()
        extra_context = {
            **(extra_context or {}),
            "export_query": f"{query}&" if query else "",
            # The list needs the width (eight columns beside the filters): at 1280 px the
            # navigation sidebar pushed status, score and dates out of sight. Breadcrumbs stay.
            "is_nav_sidebar_enabled": False,
            # "Applications", not "Select application to change" ("Выберите заявка для
            # изменения", "өтінім өзгерту үшін таңда" read badly; nothing is edited here).
            "title": capfirst(self.model._meta.verbose_name_plural),
        }
        return super().changelist_view(request, extra_context)

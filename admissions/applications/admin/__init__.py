"""Applications in the admin: the list staff work from, the detail page, decisions, document
verification, reviews and exports.

Object-level limits come from `admissions.selectors` (staff section): `get_queryset` returns
only what the user may see, `get_object` turns anything else into a 404, and every custom view
goes through `_get_visible_application`.
"""

from __future__ import annotations

from functools import cache

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, OuterRef, Q, Subquery
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from admissions.admin.pages import AdminPageMixin
from admissions.admin.readonly import fieldsets_html
from admissions.admin.related import may_open_related, plain_related
from admissions.applicants.search import (
    applicant_search_condition,
    reference_search_condition,
)
from admissions.applications import lifecycle
from admissions.applications.admin.changelist import (
    ApplicationChangeList,
    ApplicationExportChangeList,
    action_checkbox_html,
    status_label,
)
from admissions.applications.exports import (
    EXPORT_FORMATS,
    applicant_profile,
    application_export_response,
)
from admissions.applications.release import decision_release_time
from admissions.applications.saved_filters import (
    saved_filter_delete,
    saved_filter_save,
    saved_filters_of,
)
from admissions.applications.services import EDUCATION_FIELDS, application_next_statuses
from admissions.documents.requests import documents_request_many
from admissions.enums import ApplicationStatus, DocumentKind
from admissions.errors import DomainError
from admissions.models import (
    Application,
    DocumentRequest,
    Review,
)
from admissions.permissions import (
    staff_is_blind,
    staff_may_see,
    staff_may_see_contact,
    staff_may_see_national_id,
    staff_may_verify_documents,
)
from admissions.private_pages import cache_private_page
from admissions.reviews.services import (
    application_decide_many,
    application_decide_preview,
)
from admissions.reviews.workspace import ReviewWorkspaceMixin
from admissions.scholarships.scoring import input_annotations, ranking_score_of_row
from admissions.selectors import (
    application_visible_to_staff,
    applications_visible_to_staff,
    reviewer_program_ids,
)
from admissions.text import NormalisedAdminMixin

from .filters import (
    CappedCountPaginator,
    CitizenshipFilter,
    CycleFilter,
    DocumentsFilter,
    LanguageFilter,
    LevelFilter,
    ProgramFilter,
)
from .forms import ApplicationActionForm, DecisionForm
from .inlines import (
    ChoiceInline,
    DocumentInline,
    ExamResultInline,
    ReadOnlyInline,
    ReviewInline,
    StatusEventInline,
)

# The personal fields (`permissions.PERSONAL_FIELDS`) each column, detail field and search
# field of this admin reveals; a model field of the application reveals "application.<name>".
REVEALS = {
    "applicant_name": ("applicantprofile.last_name_native", "applicantprofile.last_name_latin"),
    "name_native": ("applicantprofile.last_name_native",),
    "name_latin": ("applicantprofile.last_name_latin",),
    "birth_date": ("applicantprofile.birth_date",),
    "national_id": ("applicantprofile.identifier_kind", "applicantprofile.identifier"),
    "email": ("user.email",),
    "phone": ("applicantprofile.phone",),
    "applicant__applicant_profile__last_name_native": ("applicantprofile.last_name_native",),
    "applicant__applicant_profile__first_name_native": ("applicantprofile.first_name_native",),
    "applicant__applicant_profile__last_name_latin": ("applicantprofile.last_name_latin",),
    "applicant__applicant_profile__first_name_latin": ("applicantprofile.first_name_latin",),
    "=applicant__email": ("user.email",),
    "=applicant__applicant_profile__identifier": ("applicantprofile.identifier",),
}


# The expressions below are built once: a query copies an expression, never changes it.


@cache
def _mean_score() -> Subquery:
    return Subquery(
        Review.objects.filter(application=OuterRef("pk"))
        .order_by()
        .values("application")
        .annotate(mean=Avg("score"))
        .values("mean")
    )


@cache
def _latest_document_request() -> tuple[tuple[str, Subquery], ...]:
    latest = DocumentRequest.objects.filter(application=OuterRef("pk")).order_by(
        "-requested_at", "-pk"
    )
    return (
        ("latest_request_kinds", Subquery(latest.values("kinds")[:1])),
        ("latest_request_answered_at", Subquery(latest.values("answered_at")[:1])),
    )


def latest_document_request() -> dict[str, Subquery]:
    """Annotations of an Application: the kinds (`latest_request_kinds`, None when
    nothing was requested) and the answer time of its latest request for documents."""
    return dict(_latest_document_request())


def may_show(user, name: str) -> bool:
    """Whether the admin column, detail or search field `name` may be shown to `user`."""
    return staff_may_see(user, *REVEALS.get(name, (f"application.{name}",)))


OVERRIDE_PERMISSION = "admissions.override_application"
EXPORT_URL_NAME = "admissions_application_export"


def decision_action_name(status: str) -> str:
    """The bulk action of the staff decision `status` (generated from the lifecycle)."""
    return f"decide_{status}"


@admin.register(Application)
class ApplicationAdmin(
    ReviewWorkspaceMixin, NormalisedAdminMixin, AdminPageMixin, admin.ModelAdmin
):
    list_display = (
        "reference_or_draft",
        "applicant_name",
        "programs_by_priority",
        "status_display",
        "mean_score_display",
        "ranking_score_display",
        "scholarship",
        "submitted",
    )
    list_display_links = ("reference_or_draft",)
    list_filter = (
        CycleFilter,
        "status",
        ProgramFilter,
        LevelFilter,
        LanguageFilter,
        CitizenshipFilter,
        "scholarship_requested",
        "graduation_expected",
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
    action_form = ApplicationActionForm

    # --- Visibility ---------------------------------------------------------------------

    def get_queryset(self, request):
        # The list reads the program choices of its page with its rows
        # (ApplicationChangeList); the application page reads them through its inline.
        return (
            applications_visible_to_staff(request.user)
            .select_related("cycle", "applicant__applicant_profile")
            .annotate(mean_score=_mean_score(), **input_annotations())
        )

    def get_object(self, request, object_id, from_field=None):
        # Django's, with the latest request for documents read in the same query (the
        # application page shows its kinds: `requested_documents`).
        queryset = self.get_queryset(request).annotate(**latest_document_request())
        field = (
            Application._meta.pk if from_field is None else Application._meta.get_field(from_field)
        )
        try:
            application = queryset.get(**{field.name: field.to_python(object_id)})
        except (Application.DoesNotExist, ValidationError, ValueError):
            application = None
        if application is None:
            # Another program's application, or none at all: the same answer, nothing shown.
            raise Http404(gettext("No such application."))
        # Read through get_queryset, which holds only what this user may see: no second check.
        request.__dict__.setdefault("_visible_applications", {})[application.pk] = True
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
        columns = super().get_list_display(request)
        return [name for name in columns if may_show(request.user, name)]

    def get_search_fields(self, request):
        # Only shows the search box: `get_search_results` decides what a term matches.
        return ("reference",)

    def get_search_results(self, request, queryset, search_term):
        """A reference (whole or its start, "kzo-2026-1"), a phone in any format, an
        IIN/SNILS/passport with or without spaces and hyphens, an e-mail address, or
        names with Kazakh letters folded and in Latin transliteration
        (`admissions.applicants.search`), each only where the role may see it."""
        term = search_term.strip()
        if not term:
            return queryset, False
        condition = Q()
        reference = reference_search_condition(term)
        if reference is not None:
            condition |= reference
        if any(c.isdigit() for c in term):
            condition |= Q(reference__contains=term.upper())
        applicant = applicant_search_condition(
            term,
            names=not staff_is_blind(request.user),
            contact=staff_may_see_contact(request.user),
            national_id=staff_may_see_national_id(request.user),
        )
        if applicant is not None:
            condition |= applicant
        if not condition:
            return queryset.none(), False
        return queryset.filter(condition), False

    def get_fieldsets(self, request, obj=None):
        cycle = "cycle" if may_open_related(request, Application, "cycle") else "cycle_text"
        user = request.user
        applicant = [
            "name_native",
            "name_latin",
            "preferred_language",
            "citizenship",
            "birth_date",
            "national_id",
            "email",
            "phone",
        ]
        applicant = [name for name in applicant if may_show(user, name)]
        education = [name for name in EDUCATION_FIELDS if may_show(user, name)]
        return [
            (
                _("Application"),
                {
                    "fields": (
                        "reference",
                        cycle,
                        "status",
                        "shown_status",
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
                {"fields": education},
            ),
            (_("Motivation"), {"fields": ("motivation",)}),
            (
                _("Decisions"),
                {"fields": ("requested_documents", "documents_request_message", "decision_note")},
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        # Everything: the application is the applicant's text; staff act through decisions.
        return flatten_fieldsets(self.get_fieldsets(request, obj))

    # --- Columns and detail fields ------------------------------------------------------

    def get_changelist(self, request, **kwargs):
        match = request.resolver_match
        if match is not None and match.url_name == EXPORT_URL_NAME:
            return ApplicationExportChangeList  # the queryset only: no page, no count
        return ApplicationChangeList

    def action_checkbox(self, obj):
        return action_checkbox_html(obj)

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
        # The list sets `choice_labels` (ApplicationChangeList); elsewhere they are read.
        labels = getattr(application, "choice_labels", None)
        if labels is None:
            labels = [
                (choice.priority, str(choice.offering.program), choice.language.code)
                for choice in application.choices.select_related(
                    "offering__program", "language"
                ).order_by("priority")
            ]
        return mark_safe(  # noqa: S308  # nosec B308 B703 (every part escaped)
            "".join(
                f"<div>{priority}. {escape(label)} <small>({escape(code)})</small></div>"
                for priority, label, code in labels
            )
        )

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, application):
        if not application.released_status:
            return status_label(application.status)
        return format_html(
            '{}<br><small class="release-pending">{}</small>',
            status_label(application.status),
            gettext("not released: the applicant sees “%(status)s”")
            % {"status": status_label(application.released_status)},
        )

    @admin.display(description=_("status shown to the applicant"))
    def shown_status(self, application):
        if not application.released_status:
            return application.get_status_display()
        return gettext("%(status)s (the decision is released at the results time, %(time)s)") % {
            "status": ApplicationStatus(application.released_status).label,
            "time": date_format(
                timezone.localtime(application.cycle.results_at), "SHORT_DATETIME_FORMAT"
            ),
        }

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

    @admin.display(description=_("document kinds"))
    def requested_documents(self, application):
        """The kinds of the latest request for documents, and whether it was answered
        (annotated by `get_object`, else read)."""
        if hasattr(application, "latest_request_kinds"):
            requested, answered_at = (
                application.latest_request_kinds,
                application.latest_request_answered_at,
            )
        else:
            request = application.document_requests.order_by("-requested_at", "-pk").first()
            requested, answered_at = (
                (None, None) if request is None else (request.kinds, request.answered_at)
            )
        if requested is None:
            return "—"
        kinds = ", ".join(str(DocumentKind(kind).label) for kind in requested)
        if answered_at is None:
            return kinds
        answered = f"{timezone.localtime(answered_at):%Y-%m-%d %H:%M}"
        return gettext("%(kinds)s (uploaded %(when)s)") % {"kinds": kinds, "when": answered}

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

    @method_decorator(cache_private_page("admin-application"))
    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Not "Change application": nothing on the page is edited, staff act by decisions
        # (and "Изменить заявка" / "Просмотреть өтінім" read badly). The reference follows.
        extra_context = {"title": capfirst(self.model._meta.verbose_name), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_formsets_with_inlines(self, request, obj=None):
        # Shown, not edited: the read-only inlines are written as tables
        # (`render_change_form`), without a formset. A post (the page has no save button)
        # still meets Django's formsets and their checks.
        for inline in self.get_inline_instances(request, obj):
            if request.method == "POST" or not isinstance(inline, ReadOnlyInline):
                yield inline.get_formset(request, obj), inline

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(
            show_save=False,
            show_save_and_continue=False,
            show_save_and_add_another=False,
            show_delete=False,
        )
        context["readonly_fieldsets"] = fieldsets_html(context["adminform"])
        if obj is not None:
            tables = [
                inline.table(request, obj)
                for inline in self.get_inline_instances(request, obj)
                if isinstance(inline, ReadOnlyInline)
            ]
            context["readonly_tables"] = tables
            for table in tables:
                context["media"] += table.inline.media
        context["can_verify_documents"] = staff_may_verify_documents(request.user)
        if obj is not None:
            context["decisions"] = self.decisions_for(request, obj)
            context["can_review"] = obj.status in lifecycle.statuses_in(
                lifecycle.Group.REVIEWABLE
            ) and self._may_review(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def decisions_for(self, request, application):
        if not self.has_change_permission(request, application):
            return []
        allowed = application_next_statuses(application)
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
            path("export/", wrap(self.export_view), name=EXPORT_URL_NAME),
            path("saved-filters/", wrap(self.saved_filter_view), name=f"{info}_saved_filter"),
            path(
                "<path:object_id>/decide/<str:to_status>/",
                wrap(self.decide_view),
                name=f"{info}_decide",
            ),
            *self.review_urls(),
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
        if to_status not in application_next_statuses(application):
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
        asks_kinds = to_status == ApplicationStatus.DOCUMENTS_REQUESTED
        form = DecisionForm(
            data,
            note_required=declared.note_required is not None,
            may_override=may_override,
            ask_kinds=asks_kinds,
        )
        if data is not None and form.is_valid():
            if asks_kinds:
                # A request for documents records the kinds asked for (`documents_request`).
                outcome = documents_request_many(
                    applications=applications,
                    kinds=form.cleaned_data["kinds"],
                    note=form.cleaned_data["note"],
                    actor=request.user,
                )
            else:
                outcome = application_decide_many(
                    applications=applications,
                    to_status=to_status,
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    override_reason=form.cleaned_data.get("override_reason", ""),
                )
            self._report(request, outcome, to_status)
            return HttpResponseRedirect(done_url) if done_url else None
        release_times = [
            decision_release_time(cycle=application.cycle, to_status=to_status)
            for application in applications
        ]
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
            # When the applicants will see it (None: at once).
            release_at=min(filter(None, release_times), default=None),
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

    @method_decorator(cache_private_page("admin-dashboard"))
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

    def saved_filter_view(self, request):
        """POST: save the list's current filter under a name, or delete a saved one."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            raise Http404
        if "delete" in request.POST:
            try:
                saved_filter_id = int(request.POST["delete"])
            except ValueError:
                raise Http404 from None
            if saved_filter_delete(user=request.user, saved_filter_id=saved_filter_id):
                self.message_user(request, gettext("Saved filter deleted."), messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:admissions_application_changelist"))
        url = reverse("admin:admissions_application_changelist")
        try:
            saved = saved_filter_save(
                user=request.user,
                name=request.POST.get("name", ""),
                query=request.POST.get("query", ""),
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(url)
        self.message_user(
            request, gettext("Filter “%(name)s” saved.") % {"name": saved.name}, messages.SUCCESS
        )
        return HttpResponseRedirect(f"{url}?{saved.query}")

    @method_decorator(cache_private_page("admin-applications"))
    def changelist_view(self, request, extra_context=None):
        query = request.GET.urlencode()
        extra_context = {
            **(extra_context or {}),
            "export_query": f"{query}&" if query else "",
            "can_review_queue": request.user.has_perm("admissions.add_review")
            and bool(reviewer_program_ids(request.user)),
            "can_verify_documents": staff_may_verify_documents(request.user),
            "current_query": query,
            "saved_filters": saved_filters_of(request.user),
            # The list needs the width (eight columns beside the filters): at 1280 px the
            # navigation sidebar pushed status, score and dates out of sight. Breadcrumbs stay.
            "is_nav_sidebar_enabled": False,
            # "Applications", not "Select application to change" ("Выберите заявка для
            # изменения", "өтінім өзгерту үшін таңда" read badly; nothing is edited here).
            "title": capfirst(self.model._meta.verbose_name_plural),
        }
        return super().changelist_view(request, extra_context)

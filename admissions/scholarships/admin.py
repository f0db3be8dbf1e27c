"""Admin for scholarships: awards, published rankings, ranked lists per offering, the
allocation preview / confirmation, manual offers, revocation and publication.

Every change goes through the scholarship services; the admin only collects input.
"""

from __future__ import annotations

from collections import Counter

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from admissions.admin.pages import AdminPageMixin
from admissions.admin.related import PlainRelatedMixin, plain_related
from admissions.applications.lifecycle import Group, statuses_in
from admissions.enums import ApplicationStatus, AwardState
from admissions.errors import DomainError
from admissions.models import Application, RankingSnapshot, ScholarshipAward
from admissions.scholarships.allocation import (
    allocation_is_early,
    allocation_plan,
    allocation_run,
)
from admissions.scholarships.awards import award_offer, award_revoke, fund_accepts_applicant
from admissions.scholarships.ranking import ranking_compute, ranking_publish
from admissions.text import NormalisedAdminMixin, NormalisedFormMixin
from programs.models import AdmissionCycle, Offering, ScholarshipFund

PREVIEW_ROWS = 1000  # the rest is summarised (a cycle may have 20,000 applications)
CHANGE_AWARD = "admissions.change_scholarshipaward"
ADD_AWARD = "admissions.add_scholarshipaward"
PUBLISH = "admissions.add_rankingsnapshot"


class RevokeForm(NormalisedFormMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (shown to the applicant)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


@admin.register(ScholarshipAward)
class ScholarshipAwardAdmin(
    NormalisedAdminMixin, AdminPageMixin, PlainRelatedMixin, admin.ModelAdmin
):
    list_display = (
        "reference",
        "fund",
        "program",
        "state",
        "offered_at",
        "respond_by",
        "responded_at",
    )
    list_filter = ("state", "fund", "application__cycle")
    search_fields = ("application__reference",)
    list_select_related = ("application", "fund", "offering__program")
    show_full_result_count = False
    date_hierarchy = "offered_at"
    readonly_fields = (
        "application",
        "fund",
        "offering",
        "state",
        "offered_at",
        "respond_by",
        "responded_at",
        "offered_by",
        "reason",
    )
    actions = ("revoke_with_reason",)
    plain_unless_permitted = {
        "fund": "fund_text",
        "offering": "offering_text",
        "offered_by": "offered_by_text",
    }
    fund_text = plain_related("fund", ScholarshipAward)
    offering_text = plain_related("offering", ScholarshipAward)
    offered_by_text = plain_related("offered_by", ScholarshipAward)
    change_list_template = "admin/admissions/scholarshipaward/change_list.html"

    @admin.display(description=gettext_lazy("application"), ordering="application__reference")
    def reference(self, obj):
        return obj.application.reference

    @admin.display(description=gettext_lazy("program"), ordering="offering__program__slug")
    def program(self, obj):
        return str(obj.offering.program)  # with its level: bachelor's and master's share titles

    def has_add_permission(self, request):
        return False  # offers are made by allocation or from the ranked list (manual offer)

    def has_delete_permission(self, request, obj=None):
        return False  # awards are history: revoke instead

    # --- Custom views ---------------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("scholarships/", wrap(self.overview_view), name="awards_overview"),
            path("ranking/<int:offering_id>/", wrap(self.ranking_view), name="awards_ranking"),
            path("allocate/<int:cycle_id>/", wrap(self.allocation_view), name="awards_allocate"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "overview_url": reverse("admin:awards_overview")}
        return super().changelist_view(request, extra_context)

    def overview_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        cycles = AdmissionCycle.objects.filter(scholarship_total__gt=0).order_by("-opens_at")
        offerings = Offering.objects.select_related("program", "cycle").order_by(
            "-cycle__opens_at", "program__position", "program__slug"
        )
        by_cycle = {}
        for offering in offerings:
            by_cycle.setdefault(offering.cycle_id, []).append(offering)
        # The figures of each cycle are the template's `admin_scholarship_figures` tag.
        blocks = [{"cycle": cycle, "offerings": by_cycle.get(cycle.pk, [])} for cycle in cycles]
        return self._page(
            request,
            "admin/admissions/scholarshipaward/overview.html",
            _("Scholarships: rankings and allocation"),
            blocks=blocks,
        )

    def ranking_view(self, request, offering_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        offering = get_object_or_404(
            Offering.objects.select_related("program", "cycle"), pk=offering_id
        )
        if request.method == "POST":
            return self._ranking_post(request, offering)
        entries = ranking_compute(offering=offering, include_unranked=True)
        funds = list(ScholarshipFund.objects.filter(cycle=offering.cycle).order_by("position"))
        fund_names = {f.pk: f.name for f in funds}
        offering_titles = {
            o.pk: str(o.program)
            for o in Offering.objects.filter(cycle=offering.cycle).select_related("program")
        }
        offerable = statuses_in(Group.OFFERABLE)
        rows = [
            {
                "entry": e,
                "status_label": ApplicationStatus(e.status).label,
                "offerable": e.status in offerable,
                "award_state": AwardState(e.award[0]).label if e.award else None,
                "award_fund": fund_names.get(e.award[2]) if e.award else None,
                "award_program": offering_titles.get(e.award[1]) if e.award else None,
                "award_elsewhere": bool(e.award) and e.award[1] != offering.pk,
                # The funds `award_offer` would accept: no button the service would refuse.
                "eligible_funds": [f for f in funds if fund_accepts_applicant(f, e.citizenship)],
            }
            for e in entries
        ]
        snapshots = RankingSnapshot.objects.filter(offering=offering).only(
            "pk", "published_at", "offering_id"
        )[:10]
        return self._page(
            request,
            "admin/admissions/scholarshipaward/ranking.html",
            _("Ranking: %(program)s") % {"program": offering.program},
            offering=offering,
            rows=rows,
            snapshots=snapshots,
            can_offer=request.user.has_perm(ADD_AWARD),
            can_publish=request.user.has_perm(PUBLISH),
        )

    def _ranking_post(self, request, offering):
        back = reverse("admin:awards_ranking", args=[offering.pk])
        if "publish" in request.POST:
            if not request.user.has_perm(PUBLISH):
                raise PermissionDenied
            snapshot = ranking_publish(offering=offering, actor=request.user)
            self.message_user(
                request,
                _("Ranking published with %(count)s rows.") % {"count": len(snapshot.rows)},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(back)
        if "offer" in request.POST:
            if not request.user.has_perm(ADD_AWARD):
                raise PermissionDenied
            application = get_object_or_404(
                Application, pk=request.POST.get("application"), cycle=offering.cycle
            )
            fund = get_object_or_404(
                ScholarshipFund, pk=request.POST.get("fund"), cycle=offering.cycle
            )
            try:
                award_offer(
                    application=application, fund=fund, offering=offering, actor=request.user
                )
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("Scholarship offered to %(reference)s.")
                    % {"reference": application.reference},
                    messages.SUCCESS,
                )
        return HttpResponseRedirect(back)

    def allocation_view(self, request, cycle_id: int):
        if not request.user.has_perm(ADD_AWARD):
            raise PermissionDenied
        cycle = get_object_or_404(AdmissionCycle, pk=cycle_id)
        early_error = ""
        if request.method == "POST" and "confirm" in request.POST:
            try:
                report = allocation_run(
                    cycle=cycle,
                    actor=request.user,
                    early_reason=request.POST.get("early_reason", ""),
                )
            except DomainError as exc:
                early_error = exc.message
            else:
                return self._allocation_done(request, cycle, report)
        plan = allocation_plan(cycle=cycle)
        rows = list(plan.rows())
        summary = Counter(str(row["explanation"]) for row in rows).most_common()
        shown = rows[:PREVIEW_ROWS]
        return self._page(
            request,
            "admin/admissions/scholarshipaward/allocation.html",
            _("Allocate scholarships: %(cycle)s") % {"cycle": cycle},
            cycle=cycle,
            plan=plan,
            rows=shown,
            hidden=len(rows) - len(shown),
            summary=summary,
            offer_count=len(plan.offers),
            early=allocation_is_early(cycle=cycle),
            early_error=early_error,
        )

    def _allocation_done(self, request, cycle, report):
        level = messages.SUCCESS if report.awards else messages.WARNING
        self.message_user(request, report.message, level)
        for reference, error in report.failures:
            self.message_user(request, f"{reference}: {error}", messages.ERROR)
        return redirect("admin:awards_allocate", cycle_id=cycle.pk)

    # --- Actions --------------------------------------------------------------------------
    @admin.action(description=gettext_lazy("Revoke the selected scholarships (with a reason)"))
    def revoke_with_reason(self, request, queryset):
        if not request.user.has_perm(CHANGE_AWARD):
            raise PermissionDenied
        form = RevokeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            done = 0
            for award in queryset:
                try:
                    award_revoke(
                        award=award, actor=request.user, reason=form.cleaned_data["reason"]
                    )
                except DomainError as exc:
                    self.message_user(
                        request, f"{award.application.reference}: {exc.message}", messages.ERROR
                    )
                else:
                    done += 1
            if done:
                self.message_user(
                    request,
                    _(
                        "%(count)s scholarships revoked; freed seats were offered to the next "
                        "applicants."
                    )
                    % {"count": done},
                    messages.SUCCESS,
                )
            return None
        return self._page(
            request,
            "admin/admissions/scholarshipaward/revoke.html",
            _("Revoke scholarships"),
            form=form,
            awards=queryset,
            action_checkbox_name=admin.helpers.ACTION_CHECKBOX_NAME,
        )


@admin.register(RankingSnapshot)
class RankingSnapshotAdmin(NormalisedAdminMixin, PlainRelatedMixin, admin.ModelAdmin):
    list_display = ("offering", "published_at", "published_by", "row_count")
    list_filter = ("offering__cycle", "offering__program")
    list_select_related = ("offering__program", "offering__cycle", "published_by")
    readonly_fields = ("offering", "published_at", "published_by", "rows")
    plain_unless_permitted = {"offering": "offering_text", "published_by": "published_by_text"}
    offering_text = plain_related("offering", RankingSnapshot)
    published_by_text = plain_related("published_by", RankingSnapshot)

    @admin.display(description=gettext_lazy("rows"))
    def row_count(self, obj):
        return len(obj.rows)

    def has_add_permission(self, request):
        return False  # published from the ranking view

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # published rankings stay readable

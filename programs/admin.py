"""Admin of the catalogue. Translated fields are edited in one tab per language."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, QuerySet, Sum
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TabbedTranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from admissions.models import NextStep
from admissions.text import NormalisedAdminMixin, NormalisedFormMixin

from .models import (
    AdmissionCycle,
    Exam,
    Field,
    Language,
    Offering,
    OfferingExam,
    Program,
    ScholarshipFund,
)

FUNDS_PREFIX = "funds"  # the inline formset prefix: AdmissionCycle.funds


@admin.register(Language)
class LanguageAdmin(NormalisedAdminMixin, TabbedTranslationAdmin):
    list_display = ("code", "name", "position")
    list_editable = ("position",)
    search_fields = ("code", "name_kk", "name_ru", "name_en")
    ordering = ("position", "code")


@admin.register(Field)
class FieldAdmin(NormalisedAdminMixin, TabbedTranslationAdmin):
    list_display = ("name", "slug", "position", "program_count")
    list_editable = ("position",)
    search_fields = ("slug", "name_kk", "name_ru", "name_en")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Field]:
        return super().get_queryset(request).annotate(program_total=Count("programs"))

    @admin.display(description=_("programs"), ordering="program_total")
    def program_count(self, obj: Field) -> int:
        return obj.program_total


@admin.register(Program)
class ProgramAdmin(NormalisedAdminMixin, TabbedTranslationAdmin):
    list_display = (
        "title",
        "field",
        "level",
        "duration_years",
        "language_codes",
        "is_dual_degree",
        "is_active",
        "position",
    )
    list_filter = ("level", "field", "languages", "is_active", "is_dual_degree")
    list_select_related = ("field",)
    search_fields = ("slug", "title_kk", "title_ru", "title_en")
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    fieldsets = (
        (None, {"fields": ("slug", "field", "level", "title", "description")}),
        (
            _("Studies"),
            {"fields": ("duration_years", "languages", "is_dual_degree", "partner_university")},
        ),
        (_("Publication"), {"fields": ("is_active", "position")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Program]:
        return super().get_queryset(request).prefetch_related("languages")

    @admin.display(description=_("languages of instruction"))
    def language_codes(self, obj: Program) -> str:
        return ", ".join(language.code for language in obj.languages.all())


class OfferingInline(admin.TabularInline):
    model = Offering
    extra = 0
    fields = ("program", "seats", "scholarship_seats", "paid_seats", "pass_mark", "deadline")
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Offering]:
        return super().get_queryset(request).select_related("program", "cycle")


class FundInlineFormSet(BaseInlineFormSet):
    """Checks the funds' seats, as submitted, against the cycle's total as submitted.

    Each fund on its own compares itself with the stored funds, which is wrong while
    several are edited at once: the per-fund check is switched off and this one replaces it.
    """

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.check_total_on_clean = False
        return form

    def clean(self) -> None:
        super().clean()
        total = self.instance.scholarship_total
        if total is None:
            return
        funded = 0
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or (
                self.can_delete and self._should_delete_form(form)
            ):
                continue
            seats = form.cleaned_data.get("seats")
            if seats is not None:
                funded += seats
        if funded > total:
            raise ValidationError(
                _(
                    "The funds would hold %(sum)s scholarships, more than the cycle's "
                    "total of %(total)s."
                ),
                code="funds_over_total",
                params={"sum": funded, "total": total},
            )


class FundInline(TranslationTabularInline):
    model = ScholarshipFund
    formset = FundInlineFormSet
    extra = 0
    fields = ("government", "name", "seats", "eligible_citizenships", "position")


class NextStepInline(NormalisedAdminMixin, TranslationStackedInline):
    """What applicants of this cycle must do after each status, and by when."""

    model = NextStep
    extra = 0
    fields = ("status", "position", "title", "instructions", "due_date", "due_days")
    ordering = ("status", "position", "pk")


class AdmissionCycleForm(NormalisedFormMixin, forms.ModelForm):
    class Meta:
        model = AdmissionCycle
        fields = (
            "code",
            "name",
            "opens_at",
            "closes_at",
            "results_at",
            "release_decisions_immediately",
            "offer_response_days",
            "scholarship_total",
            "exam_weight",
            "review_weight",
            "required_reviews",
        )

    def _post_clean(self) -> None:
        # When the funds come with the form, FundInlineFormSet compares their submitted
        # seats with the submitted total; the stored funds would give a stale answer.
        if f"{FUNDS_PREFIX}-TOTAL_FORMS" in self.data:
            self.instance.check_funds_on_clean = False
        super()._post_clean()


@admin.register(AdmissionCycle)
class AdmissionCycleAdmin(NormalisedAdminMixin, TabbedTranslationAdmin):
    form = AdmissionCycleForm
    list_display = (
        "code",
        "name",
        "opens_at",
        "closes_at",
        "results_at",
        "scholarship_total",
        "funded_seats",
        "is_open",
    )
    search_fields = ("code", "name_kk", "name_ru", "name_en")
    list_select_related = ()
    date_hierarchy = "opens_at"
    inlines = (FundInline, OfferingInline, NextStepInline)
    fieldsets = (
        (None, {"fields": ("code", "name")}),
        (
            _("Dates"),
            {
                "fields": (
                    "opens_at",
                    "closes_at",
                    "results_at",
                    "release_decisions_immediately",
                    "offer_response_days",
                )
            },
        ),
        (
            _("Scholarships and ranking"),
            {"fields": ("scholarship_total", "exam_weight", "review_weight")},
        ),
        (_("Decisions"), {"fields": ("required_reviews",)}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[AdmissionCycle]:
        return super().get_queryset(request).annotate(funded=Sum("funds__seats"))

    @admin.display(description=_("funded scholarships"), ordering="funded")
    def funded_seats(self, obj: AdmissionCycle) -> int:
        return obj.funded or 0

    @admin.display(description=_("open"), boolean=True)
    def is_open(self, obj: AdmissionCycle) -> bool:
        return obj.is_open


@admin.register(Exam)
class ExamAdmin(NormalisedAdminMixin, TabbedTranslationAdmin):
    list_display = ("name", "code", "max_score", "position")
    list_editable = ("position",)
    search_fields = ("code", "name_kk", "name_ru", "name_en")


class OfferingExamInline(NormalisedAdminMixin, admin.TabularInline):
    """The entrance exams an offering accepts, each with its minimum on its own scale."""

    model = OfferingExam
    extra = 0
    fields = ("exam", "minimum_score", "position")

    def get_queryset(self, request: HttpRequest) -> QuerySet[OfferingExam]:
        return super().get_queryset(request).select_related("exam")


@admin.register(Offering)
class OfferingAdmin(NormalisedAdminMixin, admin.ModelAdmin):
    list_display = (
        "program",
        "cycle",
        "seats",
        "scholarship_seats",
        "paid_seats",
        "pass_mark",
        "effective_deadline",
    )
    list_filter = ("cycle", "program__level", "program__field")
    list_select_related = ("program", "program__field", "cycle")
    search_fields = ("program__title_kk", "program__title_ru", "program__title_en", "cycle__code")
    fields = (
        "cycle",
        "program",
        "seats",
        "scholarship_seats",
        "paid_seats",
        "pass_mark",
        "deadline",
    )
    inlines = (OfferingExamInline,)

    @admin.display(description=_("deadline"))
    def effective_deadline(self, obj: Offering):
        return obj.effective_deadline


@admin.register(ScholarshipFund)
class ScholarshipFundAdmin(NormalisedAdminMixin, TabbedTranslationAdmin):
    list_display = ("name", "cycle", "government", "seats", "eligibility", "position")
    list_filter = ("cycle", "government")
    list_select_related = ("cycle",)
    search_fields = ("name_kk", "name_ru", "name_en", "cycle__code")

    @admin.display(description=_("eligible citizenships"))
    def eligibility(self, obj: ScholarshipFund) -> str:
        codes = [country.code for country in obj.eligible_citizenships]
        return ", ".join(codes) if codes else _("any")

"""Filters and the paginator of the applications list (each filter an EXISTS subquery:
no joins that multiply rows, no DISTINCT)."""

from __future__ import annotations

from functools import cached_property

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from admissions.documents.requirements import documents_complete_condition
from admissions.enums import ApplicationStatus
from admissions.models import (
    ApplicantProfile,
    ApplicationChoice,
)
from admissions.selectors import (
    documents_pending_condition,
    reviewer_program_ids,
    staff_is_reviewer,
)
from config.countries import countries
from programs.enums import Level
from programs.models import AdmissionCycle, Language, Program

S = ApplicationStatus

# --- Paginator ----------------------------------------------------------------------------


class CappedCountPaginator(Paginator):
    """Counts at most `cap` rows (COUNT over a LIMITed subquery), so a page of a filtered
    list never scans the whole table just to number its pages. Beyond the cap, narrow the
    filters or search."""

    cap = 10_000

    @cached_property
    def count(self) -> int:
        # values("pk") leaves the annotations (the mean score subquery) out of the count.
        return self.object_list.order_by().values("pk")[: self.cap].count()


# --- Filters (each an EXISTS subquery: no joins that multiply rows, no DISTINCT) -------------


class ChoiceFilter(admin.SimpleListFilter):
    """Applications with at least one program choice whose `choice_lookup` is the value."""

    choice_lookup: str

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                Exists(
                    ApplicationChoice.objects.filter(
                        application=OuterRef("pk"), **{self.choice_lookup: self.value()}
                    )
                )
            )
        return queryset


class ProgramFilter(ChoiceFilter):
    title = _("program")
    parameter_name = "program"
    choice_lookup = "offering__program_id"

    def lookups(self, request, model_admin):
        programs = Program.objects.all()
        if staff_is_reviewer(request.user):
            programs = programs.filter(pk__in=reviewer_program_ids(request.user))
        return [(str(p.pk), str(p)) for p in programs]


class LevelFilter(ChoiceFilter):
    title = _("level")
    parameter_name = "level"
    choice_lookup = "offering__program__level"

    def lookups(self, request, model_admin):
        return Level.choices


class LanguageFilter(ChoiceFilter):
    title = _("language of instruction")
    parameter_name = "language"
    choice_lookup = "language__code"

    def lookups(self, request, model_admin):
        return [(lang.code, lang.name) for lang in Language.objects.all()]


class CitizenshipFilter(admin.SimpleListFilter):
    title = _("citizenship")
    parameter_name = "citizenship"

    def lookups(self, request, model_admin):
        # Only the citizenships applicants have (one small DISTINCT query), not ~250 countries.
        codes = (
            ApplicantProfile.objects.order_by("citizenship")
            .values_list("citizenship", flat=True)
            .distinct()
        )
        return sorted(
            ((code, countries.name(code)) for code in codes),
            key=lambda item: (item[0] not in ("KZ", "RU"), item[1]),
        )

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(applicant__applicant_profile__citizenship=self.value())
        return queryset


class DocumentsFilter(admin.SimpleListFilter):
    title = _("documents")
    parameter_name = "documents"

    def lookups(self, request, model_admin):
        return [
            ("complete", _("Complete (required documents verified)")),
            ("incomplete", _("Incomplete")),
            ("pending", _("Awaiting verification")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "complete":
            return queryset.filter(documents_complete_condition())
        if value == "incomplete":
            return queryset.exclude(documents_complete_condition())
        if value == "pending":
            return queryset.filter(documents_pending_condition())
        return queryset


class CycleFilter(admin.SimpleListFilter):
    """The admission cycle, opening on the current one (the latest cycle already open, or
    the latest opened): a list mixing every cycle is never what an office works from.
    "All cycles" is an explicit choice."""

    title = _("cycle")
    parameter_name = "cycle"
    ALL = "all"

    def lookups(self, request, model_admin):
        now = timezone.now()
        cycles = list(AdmissionCycle.objects.order_by("-opens_at", "-pk"))
        started = [c for c in cycles if c.opens_at <= now] or cycles
        current = next((c for c in started if c.closes_at > now), started[0] if started else None)
        self.default = str(current.pk) if current else self.ALL
        return [(self.ALL, _("All cycles")), *((str(c.pk), str(c)) for c in cycles)]

    def value(self):
        value = super().value()
        return self.default if value is None else value

    def choices(self, changelist):
        # No "All" entry of Django's: "All cycles" is a value of its own, since no value
        # means the current cycle.
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.ALL:
            return queryset
        if not value.isdigit():
            raise IncorrectLookupParameters
        return queryset.filter(cycle_id=int(value))

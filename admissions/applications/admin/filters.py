"""Filters and the paginator of the applications list (each filter an EXISTS subquery:
no joins that multiply rows, no DISTINCT)."""

from __future__ import annotations

from functools import cached_property

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Exists, IntegerField, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from admissions.documents.requirements import documents_complete_condition
from admissions.enums import ApplicationStatus
from admissions.models import (
    ApplicantProfile,
    ApplicationChoice,
)
from admissions.selectors import (
    cycles_cached,
    documents_pending_condition,
    reviewer_program_ids,
    staff_is_reviewer,
)
from config.countries import countries
from programs.enums import Level
from programs.models import Language, Program
from programs.page_cache import catalogue_cached

S = ApplicationStatus

# How long the citizenships applicants have are kept before they are read again (seconds).
CITIZENSHIPS_SECONDS = 300
CITIZENSHIPS_KEY = "admin:applications:citizenships"


def program_labels() -> list[tuple[int, str]]:
    """[(pk, label)] of every program, in the catalogue's order and the active language
    (kept per catalogue version: `catalogue_cached`)."""
    return catalogue_cached("programs", lambda: [(p.pk, str(p)) for p in Program.objects.all()])


def languages() -> list[tuple[int, str, str]]:
    """[(pk, code, name)] of every language of instruction (kept like `program_labels`)."""
    return catalogue_cached(
        "languages", lambda: [(lang.pk, lang.code, lang.name) for lang in Language.objects.all()]
    )


def _citizenship_codes() -> list[str]:
    """The citizenships applicants have (one DISTINCT over every profile), kept in the
    shared cache for CITIZENSHIPS_SECONDS: a filter option, not a figure."""
    codes = cache.get(CITIZENSHIPS_KEY)
    if codes is None:
        codes = list(
            ApplicantProfile.objects.order_by("citizenship")
            .values_list("citizenship", flat=True)
            .distinct()
        )
        cache.set(CITIZENSHIPS_KEY, codes, CITIZENSHIPS_SECONDS)
    return codes


# --- Paginator ----------------------------------------------------------------------------


class CappedCount(Subquery):
    """The number of rows of a sliced queryset, as an expression of another query (an
    uncorrelated subquery: computed once per statement)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS capped)"
    output_field = IntegerField()


class CappedCountPaginator(Paginator):
    """Counts at most `cap` rows (COUNT over a LIMITed subquery), so a page of a filtered
    list never scans the whole table just to number its pages. Beyond the cap, narrow the
    filters or search."""

    cap = 10_000

    def _capped(self):
        # values("pk") leaves the annotations (the mean score subquery) out of the count.
        return self.object_list.order_by().values("pk")[: self.cap]

    @cached_property
    def count(self) -> int:
        return self._capped().count()

    def count_expression(self) -> CappedCount:
        """`count` as an expression, to read it with the page's rows in one query (then
        set `count` to the value read)."""
        return CappedCount(self._capped())


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
        programs = program_labels()
        if staff_is_reviewer(request.user):
            allowed = set(reviewer_program_ids(request.user))
            programs = [(pk, label) for pk, label in programs if pk in allowed]
        return [(str(pk), label) for pk, label in programs]


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
        return [(code, name) for _pk, code, name in languages()]


class CitizenshipFilter(admin.SimpleListFilter):
    title = _("citizenship")
    parameter_name = "citizenship"

    def lookups(self, request, model_admin):
        # Only the citizenships applicants have (one small DISTINCT query), not ~250 countries.
        return sorted(
            ((code, countries.name(code)) for code in _citizenship_codes()),
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
        cycles = list(cycles_cached().values())
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

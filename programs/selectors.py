"""Reads of the catalogue shared by the public pages, the applicant forms and the admin.

Every function returns ready-to-render data with the related rows it needs already
joined or prefetched, so that a page runs the same number of queries for 1 or 100 rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from .models import (
    AdmissionCycle,
    Field,
    Language,
    Offering,
    OfferingExam,
    Program,
    ScholarshipFund,
)

__all__ = [
    "RequiredDocument",
    "ScholarshipFigures",
    "cycle_get_open",
    "cycle_get_upcoming",
    "field_list",
    "language_list",
    "offering_list_for_program",
    "program_get_public",
    "program_list_public",
    "program_required_documents",
    "scholarship_figures",
]


# --- Cycles ------------------------------------------------------------------------------
def cycle_get_open(*, now: datetime | None = None) -> AdmissionCycle | None:
    """The cycle accepting applications now (the most recently opened one if several)."""
    now = now or timezone.now()
    return (
        AdmissionCycle.objects.filter(opens_at__lte=now, closes_at__gt=now)
        .order_by("-opens_at")
        .first()
    )


def cycle_get_upcoming(*, now: datetime | None = None) -> AdmissionCycle | None:
    """The next cycle that has not opened yet, if any."""
    now = now or timezone.now()
    return AdmissionCycle.objects.filter(opens_at__gt=now).order_by("opens_at").first()


# --- Filters of the program list ---------------------------------------------------------
def field_list() -> QuerySet[Field]:
    return Field.objects.all()


def language_list() -> QuerySet[Language]:
    return Language.objects.all()


# --- Programs ----------------------------------------------------------------------------
def _public_programs() -> QuerySet[Program]:
    """Active programs; field joined, languages prefetched."""
    return (
        Program.objects.filter(is_active=True)
        .select_related("field")
        .prefetch_related(
            Prefetch("languages", queryset=Language.objects.order_by("position", "code"))
        )
    )


def program_list_public(
    *, level: str = "", field_slug: str = "", language_code: str = ""
) -> QuerySet[Program]:
    """Active programs, optionally filtered."""
    programs = _public_programs()
    if level:
        programs = programs.filter(level=level)
    if field_slug:
        programs = programs.filter(field__slug=field_slug)
    if language_code:
        programs = programs.filter(languages__code=language_code)
    return programs


def program_get_public(*, slug: str) -> Program | None:
    return _public_programs().filter(slug=slug).first()


def offering_list_for_program(*, program: Program, cycle: AdmissionCycle | None) -> list[Offering]:
    """The offerings of `program` in `cycle`, with their entrance exams (and each exam's
    scale) prefetched: two queries whatever the number of exams."""
    if cycle is None:
        return []
    return list(
        Offering.objects.filter(program=program, cycle=cycle)
        .select_related("cycle")
        .prefetch_related(
            Prefetch(
                "exams",
                queryset=OfferingExam.objects.select_related("exam").order_by(
                    "position", "exam__position", "pk"
                ),
            )
        )
    )


@dataclass(frozen=True)
class RequiredDocument:
    """A document applicants to a program hand in: `languages` (Language rows) is empty
    when it is always required, else the languages of instruction that require it."""

    kind: str
    label: str
    languages: list[Language]


def program_required_documents(*, program: Program) -> list[RequiredDocument]:
    """The documents an application to `program` needs, read from the one home of that
    rule (`admissions.documents.requirements`). Uses the program's prefetched languages:
    no query."""
    from admissions.documents.requirements import program_documents
    from admissions.enums import DocumentKind

    languages = {language.code: language for language in program.languages.all()}
    return [
        RequiredDocument(
            kind=document.kind,
            label=DocumentKind(document.kind).label,
            languages=[languages[code] for code in sorted(document.when_languages)],
        )
        for document in program_documents(level=program.level, languages=set(languages))
    ]


# --- Scholarships ------------------------------------------------------------------------
@dataclass(frozen=True)
class ScholarshipFigures:
    cycle: AdmissionCycle
    total: int
    funds: list[ScholarshipFund]


def scholarship_figures(*, cycle: AdmissionCycle | None) -> ScholarshipFigures | None:
    """The cycle's scholarship total and its funds, by funding government."""
    if cycle is None:
        return None
    return ScholarshipFigures(
        cycle=cycle,
        total=cycle.scholarship_total,
        funds=list(ScholarshipFund.objects.filter(cycle=cycle).order_by("position", "pk")),
    )

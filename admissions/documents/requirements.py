"""Which documents an application needs, as data: one rule per document kind.

Read by the checklist (`admissions.documents.services.document_requirements`), the
submission (`application_missing`), the decision guard "documents verified", the admin's
"documents complete" filter (as a database condition, `documents_complete_condition`) and
every template that shows the checklist.

Rules (the admission rules of KazNU): identity document, education certificate or diploma
and photo always; the transcript when a chosen program is a master's program; a language
certificate (proof of the IELTS/TOEFL result) when English is a chosen language of
instruction. "Other" documents are optional.

An applicant who has not graduated yet (`Application.graduation_expected`) submits without
the education certificate: it is "to be provided later" (`later_kinds`), listed on the
checklist, and required, verified, before a decision (the guard "documents verified" and
the "documents complete" filter count it as required).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.lookups import Exact

from admissions.enums import DocumentKind, DocumentStatus
from admissions.models import ApplicationChoice, Document

__all__ = [
    "DOCUMENT_RULES",
    "DocumentRule",
    "documents_complete_condition",
    "later_kinds",
    "required_kinds",
]


@dataclass(frozen=True)
class DocumentRule:
    """`kind` is required always, or when a chosen program has one of `when_levels`, or
    when a chosen language of instruction is one of `when_languages`. A rule with
    `always=False` and no condition makes the kind optional. `later_if_graduation_expected`:
    an applicant who has not graduated yet provides it after submitting (before a decision).
    """

    kind: str
    always: bool = False
    when_levels: frozenset[str] = frozenset()
    when_languages: frozenset[str] = frozenset()
    later_if_graduation_expected: bool = False

    def applies(self, *, levels: set[str], languages: set[str]) -> bool:
        return (
            self.always or bool(self.when_levels & levels) or bool(self.when_languages & languages)
        )

    def condition(self) -> Q:
        """Database condition on Application rows: this rule applies to the application."""
        if self.always:
            return Q(pk__isnull=False)
        parts = []
        if self.when_levels:
            parts.append(
                Exists(
                    ApplicationChoice.objects.filter(
                        application=OuterRef("pk"), offering__program__level__in=self.when_levels
                    )
                )
            )
        if self.when_languages:
            parts.append(
                Exists(
                    ApplicationChoice.objects.filter(
                        application=OuterRef("pk"), language__code__in=self.when_languages
                    )
                )
            )
        condition = Q(pk__isnull=True)  # never: an optional kind
        for part in parts:
            condition |= Q(part)
        return condition


DOCUMENT_RULES: tuple[DocumentRule, ...] = (
    DocumentRule(kind=DocumentKind.IDENTITY, always=True),
    DocumentRule(kind=DocumentKind.EDUCATION, always=True, later_if_graduation_expected=True),
    DocumentRule(kind=DocumentKind.PHOTO, always=True),
    DocumentRule(kind=DocumentKind.TRANSCRIPT, when_levels=frozenset({"master"})),
    DocumentRule(kind=DocumentKind.LANGUAGE_CERTIFICATE, when_languages=frozenset({"en"})),
)


def required_kinds(
    *, levels: set[str], languages: set[str], graduation_expected: bool = False
) -> set[str]:
    """The document kinds required to submit an application whose choices have these
    program levels and language codes (without those `later_kinds` defers)."""
    return {
        rule.kind
        for rule in DOCUMENT_RULES
        if rule.applies(levels=levels, languages=languages)
        and not (graduation_expected and rule.later_if_graduation_expected)
    }


def later_kinds(*, levels: set[str], languages: set[str], graduation_expected: bool) -> set[str]:
    """The document kinds required, but only after submission (before a decision): the
    education certificate of an applicant who has not graduated yet."""
    if not graduation_expected:
        return set()
    return {
        rule.kind
        for rule in DOCUMENT_RULES
        if rule.later_if_graduation_expected and rule.applies(levels=levels, languages=languages)
    }


def documents_complete_condition() -> Q:
    """Database condition on Application rows: every required document is verified (the
    latest document of each required kind; rules from `DOCUMENT_RULES`)."""
    condition = Q(pk__isnull=False)
    for rule in DOCUMENT_RULES:
        latest_status = Subquery(
            Document.objects.filter(application=OuterRef("pk"), kind=rule.kind)
            .order_by("-uploaded_at", "-pk")
            .values("status")[:1]
        )
        condition &= ~rule.condition() | Q(Exact(latest_status, DocumentStatus.VERIFIED))
    return condition

"""Who may apply to which level: the prior education each degree level asks for, as data.

Read by the program step (which offers only the programs the applicant qualifies for),
the submission (which refuses the others) and the decision guards (a decision on an
application that does not qualify needs an officer's written override).

Rule (the admission rules of KazNU for its bachelor's and master's programs): a bachelor's
program needs completed secondary education (a school certificate, a college diploma, or a
higher-education diploma); a master's program needs completed higher education (a
bachelor's, specialist or master's diploma). A foreign document of another kind ("other")
qualifies for a bachelor's program only; the office checks it when verifying documents.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from admissions.enums import EducationDocumentKind as E
from programs.enums import Level

__all__ = [
    "LEVEL_REQUIREMENTS",
    "LevelRequirement",
    "education_qualifies",
    "eligibility_problems",
    "level_requirement",
]


@dataclass(frozen=True)
class LevelRequirement:
    """The education documents that open one degree level, and how to say so."""

    level: str
    documents: frozenset[str]
    needed: Promise


LEVEL_REQUIREMENTS: dict[str, LevelRequirement] = {
    requirement.level: requirement
    for requirement in (
        LevelRequirement(
            level=Level.BACHELOR,
            documents=frozenset(
                {
                    E.SCHOOL_CERTIFICATE,
                    E.COLLEGE_DIPLOMA,
                    E.BACHELOR_DIPLOMA,
                    E.SPECIALIST_DIPLOMA,
                    E.MASTER_DIPLOMA,
                    E.OTHER,
                }
            ),
            needed=_(
                "A bachelor's program needs completed secondary education (a school "
                "certificate, a college diploma or a higher-education diploma)."
            ),
        ),
        LevelRequirement(
            level=Level.MASTER,
            documents=frozenset({E.BACHELOR_DIPLOMA, E.SPECIALIST_DIPLOMA, E.MASTER_DIPLOMA}),
            needed=_(
                "A master's program needs completed higher education (a bachelor's, "
                "specialist or master's diploma)."
            ),
        ),
    )
}


def level_requirement(level: str) -> LevelRequirement | None:
    return LEVEL_REQUIREMENTS.get(level)


def education_qualifies(*, education_document_kind: str, level: str) -> bool:
    """Whether an education document of this kind opens programs of `level`.

    An applicant who has not said yet (empty kind) is not refused here: the submission
    requires the education step, and then checks again. A level without a requirement
    is open to everybody.
    """
    requirement = LEVEL_REQUIREMENTS.get(level)
    if requirement is None or not education_document_kind:
        return True
    return education_document_kind in requirement.documents


def eligibility_problems(*, education_document_kind: str, programs: Iterable) -> list[str]:
    """User-facing messages, one per chosen program the education does not qualify for.

    `programs`: Program instances (their `level` and `str()` are read).
    """
    problems = []
    for program in programs:
        if not education_qualifies(
            education_document_kind=education_document_kind, level=program.level
        ):
            problems.append(
                _("“%(program)s”: %(needed)s")
                % {"program": program, "needed": LEVEL_REQUIREMENTS[program.level].needed}
            )
    return problems

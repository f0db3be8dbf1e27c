"""Reviews: rubric scores of one reviewer for one application, and staff decisions in bulk."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from admissions.applications.services import application_transition
from admissions.enums import ApplicationStatus
from admissions.errors import DomainError
from admissions.models import Application, Review, ReviewScore, RubricCriterion

__all__ = [
    "REVIEWABLE_STATUSES",
    "DecisionOutcome",
    "application_decide_many",
    "review_submit",
    "rubric_for",
]

# A review can be written or revised while the application is being assessed.
REVIEWABLE_STATUSES = frozenset(
    {
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.UNDER_REVIEW,
        ApplicationStatus.DOCUMENTS_REQUESTED,
    }
)
HUNDRED = Decimal("100")


def rubric_for(application: Application) -> list[RubricCriterion]:
    return list(RubricCriterion.objects.filter(cycle_id=application.cycle_id, is_active=True))


def _weighted_score(criteria: list[RubricCriterion], scores: dict[int, int]) -> Decimal:
    total_weight = sum((c.weight for c in criteria), Decimal(0))
    weighted = sum(
        (c.weight * Decimal(scores[c.pk]) / Decimal(c.max_score) for c in criteria), Decimal(0)
    )
    return (weighted / total_weight * HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def review_submit(
    *, application: Application, reviewer, scores: dict[int, int], comment: str = ""
) -> Review:
    """Create or replace `reviewer`'s review of `application`.

    `scores` maps each active rubric criterion of the application's cycle to a value in
    0..max_score. The review score is the weighted mean normalised to 0-100. The caller
    checks that the reviewer may see the application (admin views do).
    """
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status not in REVIEWABLE_STATUSES:
        raise DomainError(
            _("An application that is “%(status)s” cannot be reviewed.")
            % {"status": ApplicationStatus(application.status).label}
        )
    criteria = rubric_for(application)
    if not criteria:
        raise DomainError(_("This cycle has no rubric yet: an officer must add criteria first."))
    by_id = {c.pk: c for c in criteria}
    unknown = set(scores) - set(by_id)
    if unknown:
        raise DomainError(_("A score was given for a criterion that is not in the rubric."))
    for criterion in criteria:
        if scores.get(criterion.pk) is None:
            raise DomainError(_("Score the criterion “%(name)s”.") % {"name": criterion.name})
        value = scores[criterion.pk]
        if not isinstance(value, int) or isinstance(value, bool):
            raise DomainError(
                _("The score for “%(name)s” must be a whole number.") % {"name": criterion.name}
            )
        if not 0 <= value <= criterion.max_score:
            raise DomainError(
                _("The score for “%(name)s” must be between 0 and %(max)s; %(value)s was given.")
                % {"name": criterion.name, "max": criterion.max_score, "value": value}
            )
    review, _created = Review.objects.update_or_create(
        application=application,
        reviewer=reviewer,
        defaults={"score": _weighted_score(criteria, scores), "comment": comment.strip()},
    )
    review.scores.all().delete()
    ReviewScore.objects.bulk_create(
        ReviewScore(review=review, criterion=criterion, value=scores[criterion.pk])
        for criterion in criteria
    )
    return review


# --- Decisions ----------------------------------------------------------------------------


@dataclass
class DecisionOutcome:
    done: list[Application] = field(default_factory=list)
    refused: list[tuple[Application, str]] = field(default_factory=list)


# Staff decisions that must say why: the applicant reads the note in their mail.
NOTE_REQUIRED = frozenset({ApplicationStatus.REJECTED, ApplicationStatus.DOCUMENTS_REQUESTED})


def application_decide_many(
    *, applications, to_status: str, actor, note: str = ""
) -> DecisionOutcome:
    """Move each application to `to_status`, each in its own transaction, and report per
    application what was done and what was refused (with the reason)."""
    note = (note or "").strip()
    outcome = DecisionOutcome()
    if to_status in NOTE_REQUIRED and not note:
        message = (
            _("Give the reason for the rejection.")
            if to_status == ApplicationStatus.REJECTED
            else _("Say which documents are needed.")
        )
        outcome.refused = [(application, message) for application in applications]
        return outcome
    for application in applications:
        try:
            application_transition(
                application=application, to_status=to_status, actor=actor, note=note
            )
        except DomainError as exc:
            outcome.refused.append((application, exc.message))
        else:
            outcome.done.append(application)
    return outcome

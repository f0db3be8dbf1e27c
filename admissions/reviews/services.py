"""Reviews: rubric scores of one reviewer for one application, and staff decisions in bulk."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from admissions.applications import lifecycle
from admissions.applications.services import application_transition
from admissions.enums import ApplicationStatus
from admissions.errors import DomainError, GuardRefused
from admissions.models import Application, Review, ReviewScore, RubricCriterion

__all__ = [
    "DecisionOutcome",
    "DecisionPreview",
    "application_decide_many",
    "application_decide_preview",
    "review_submit",
    "rubric_for",
]

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
    if application.status not in lifecycle.statuses_in(lifecycle.Group.REVIEWABLE):
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


@dataclass(frozen=True)
class DecisionPreview:
    """What a decision would do to one application, before anything changes.

    `refusal`: the move is not allowed at all (no override). `problems`: guards it fails
    (an officer may override them with a written reason). Neither: it will be done.
    """

    application: Application
    refusal: str = ""
    problems: tuple[str, ...] = ()

    @property
    def will_be_done(self) -> bool:
        return not self.refusal and not self.problems


def application_decide_preview(*, applications, to_status: str) -> list[DecisionPreview]:
    """Per application, what moving it to `to_status` would do (nothing is changed):
    the confirmation page of a decision lists it. Same rules as `application_transition`
    (lifecycle data and guards), read without locks."""
    from admissions.applications.guards import guard_problems

    previews = []
    for application in applications:
        if to_status not in lifecycle.allowed_next(application.status):
            previews.append(
                DecisionPreview(
                    application=application,
                    refusal=_("An application that is “%(from)s” cannot become “%(to)s”.")
                    % {
                        "from": ApplicationStatus(application.status).label,
                        "to": ApplicationStatus(to_status).label,
                    },
                )
            )
            continue
        guards = lifecycle.guards_on_move(application.status, to_status)
        problems = tuple(
            str(problem) for problem in guard_problems(application=application, guards=guards)
        )
        previews.append(DecisionPreview(application=application, problems=problems))
    return previews


def application_decide_many(
    *, applications, to_status: str, actor, note: str = "", override_reason: str = ""
) -> DecisionOutcome:
    """Move each application to `to_status`, each in its own transaction, and report per
    application what was done and what was refused (with the reason, in the active
    language). `override_reason` is an officer's written reason to decide despite failed
    guards (see `application_transition`)."""
    note = (note or "").strip()
    outcome = DecisionOutcome()
    required = lifecycle.spec(to_status).note_required
    if required is not None and not note:
        outcome.refused = [(application, str(required)) for application in applications]
        return outcome
    for application in applications:
        try:
            application_transition(
                application=application,
                to_status=to_status,
                actor=actor,
                note=note,
                override_reason=override_reason,
            )
        except GuardRefused as exc:
            outcome.refused.append(
                (
                    application,
                    _("%(problems)s An officer may decide anyway, with a written reason.")
                    % {"problems": exc.message},
                )
            )
        except DomainError as exc:
            outcome.refused.append((application, exc.message))
        else:
            outcome.done.append(application)
    return outcome

"""The checks a staff decision must pass (DESIGN.md, invariant 9).

Which decisions are guarded, and by which guards, is declared in
`admissions.applications.lifecycle` (`StatusSpec.guards`, `guards_on_move`); this module
says what each guard checks. The transition service asks `guard_problems` before every
guarded move, so
the admin's buttons, its bulk actions and any future caller get the same checks.

* documents verified: every document the application needs (`documents.requirements`) has
  a verified current document, including one "to be provided later" (the certificate of an
  applicant who had not graduated when submitting): every guarded decision (accept and
  waitlist, and a waitlisted application is accepted without checking again) needs it;
* reviews: at least the number of reviews its cycle asks for (`AdmissionCycle.required_reviews`);
* eligibility: the applicant's education qualifies for the level of every chosen program
  (`applications.eligibility`);
* pass mark: the ranking score (`scholarships.scoring`) reaches the pass mark of at least
  one chosen program.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from admissions.applications.eligibility import eligibility_problems
from admissions.applications.lifecycle import Guard
from admissions.models import Application, ApplicationChoice

__all__ = ["guard_problems", "guard_problems_many"]


def _documents(application: Application) -> list[str]:
    from admissions.documents.services import document_requirements

    unverified = [
        requirement.label
        for requirement in document_requirements(application=application)
        if requirement.needed_for_decision and requirement.status != "verified"
    ]
    if not unverified:
        return []
    return [
        _("Required documents are not verified: %(kinds)s.") % {"kinds": ", ".join(unverified)}
    ]


def _reviews(application: Application) -> list[str]:
    required = application.cycle.required_reviews
    count = application.review_count
    if count >= required:
        return []
    return [
        _("Reviews required by the cycle: %(required)s; written so far: %(count)s.")
        % {"required": required, "count": count}
    ]


def _eligibility(application: Application) -> list[str]:
    choices = list(application.choices.all())
    if not application.education_document_kind:
        return [_("The applicant's prior education is not given.")]
    return eligibility_problems(
        education_document_kind=application.education_document_kind,
        programs=[choice.offering.program for choice in choices],
    )


def _pass_mark(application: Application) -> list[str]:
    from admissions.scholarships.scoring import ranking_score_of_row

    choices = list(application.choices.all())
    if not choices:
        return [_("The application has no program choice.")]
    score = ranking_score_of_row(application)
    lowest = min(choice.offering.pass_mark for choice in choices)
    if score >= lowest:
        return []
    return [
        _("The ranking score %(score)s is below the pass mark (%(mark)s) of every chosen program.")
        % {"score": score, "mark": lowest}
    ]


CHECKS = {
    Guard.DOCUMENTS_VERIFIED: _documents,
    Guard.REVIEWS: _reviews,
    Guard.ELIGIBILITY: _eligibility,
    Guard.PASS_MARK: _pass_mark,
}


def guard_problems(*, application: Application, guards) -> list[str]:
    """User-facing reasons why `application` fails any of `guards` (empty: all pass),
    in the active language."""
    return guard_problems_many(applications=[application], guards=guards)[application.pk]


def guard_problems_many(*, applications, guards) -> dict[int, list[str]]:
    """{application id: reasons it fails any of `guards`} for many applications at once
    (the confirmation page of a bulk decision): a fixed number of queries, whatever the
    number of applications."""
    from django.db.models import Count

    from admissions.scholarships.scoring import input_annotations

    ids = [application.pk for application in applications]
    if not guards:
        return {pk: [] for pk in ids}
    loaded = (
        Application.objects.filter(pk__in=ids)
        .select_related("cycle", "applicant")
        .prefetch_related(
            "documents",
            # The checklist and the eligibility read each choice's program and language.
            _choices_prefetch(),
        )
        .annotate(review_count=Count("reviews", distinct=True), **input_annotations())
    )
    return {
        application.pk: [problem for guard in guards for problem in CHECKS[guard](application)]
        for application in loaded
    }


def _choices_prefetch():
    from django.db.models import Prefetch

    return Prefetch(
        "choices",
        queryset=ApplicationChoice.objects.select_related(
            "offering__program", "offering__cycle", "language"
        ).order_by("priority"),
    )

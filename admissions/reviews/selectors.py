"""Reads of the reviewer's workspace: the queue "to review by me" of one program."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery

from admissions.applications import lifecycle
from admissions.models import Application, ApplicationChoice, Review
from admissions.selectors import applications_visible_to_staff, reviewer_program_ids
from programs.models import Program

__all__ = ["review_queue", "review_queue_counts", "review_queue_next", "review_queue_programs"]


def review_queue(*, reviewer, program_id: int) -> QuerySet[Application]:
    """The applications of program `program_id` (any priority) that `reviewer` may review:
    those the reviewer sees (`applications_visible_to_staff`) in a reviewable status. Not
    yet reviewed by them first, then by submission time (oldest first). Each row carries
    `reviewed_by_me` (bool) and `my_score` (their review's 0-100 score, or None)."""
    mine = Review.objects.filter(application=OuterRef("pk"), reviewer=reviewer)
    return (
        applications_visible_to_staff(reviewer)
        .filter(
            Exists(
                ApplicationChoice.objects.filter(
                    application=OuterRef("pk"), offering__program_id=program_id
                )
            ),
            status__in=sorted(lifecycle.statuses_in(lifecycle.Group.REVIEWABLE)),
        )
        .annotate(reviewed_by_me=Exists(mine), my_score=Subquery(mine.values("score")[:1]))
        .order_by("reviewed_by_me", "submitted_at", "pk")
    )


def review_queue_next(*, reviewer, program_id: int, after: Application | None = None):
    """The first application of the queue still to review by `reviewer`, other than
    `after` (the one just saved); None when nothing is left."""
    queue = review_queue(reviewer=reviewer, program_id=program_id).filter(reviewed_by_me=False)
    if after is not None:
        queue = queue.exclude(pk=after.pk)
    return queue.select_related(None).first()


def review_queue_programs(reviewer) -> list[Program]:
    """The programs assigned to `reviewer`, in the catalogue's order."""
    return list(
        Program.objects.filter(pk__in=reviewer_program_ids(reviewer)).order_by(
            "position", "field__position", "level", "pk"
        )
    )


def review_queue_counts(*, reviewer, program_ids) -> dict[int, int]:
    """{program id: applications still to review by `reviewer`}, in one query."""
    mine = Review.objects.filter(application=OuterRef("application_id"), reviewer=reviewer)
    waiting = applications_visible_to_staff(reviewer).filter(
        status__in=sorted(lifecycle.statuses_in(lifecycle.Group.REVIEWABLE))
    )
    return dict(
        ApplicationChoice.objects.filter(
            application__in=waiting, offering__program_id__in=list(program_ids)
        )
        .exclude(Exists(mine))
        .order_by()
        .values_list("offering__program_id")
        .annotate(n=Count("application_id", distinct=True))
    )

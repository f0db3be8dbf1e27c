"""Ranking: ranked lists per offering, published snapshots.

The score of an application, its inputs, weights and tie-break are declared in
`admissions.scholarships.scoring`; this module only orders and filters by it.

Who is ranked: applications whose status is in the lifecycle group "ranked" (accepted,
waitlisted, enrolled: a positive decision was taken), for each offering they chose, when their
score reaches the offering's pass mark. Those below it are not ranked for that offering;
their entry carries the reason `below_pass_mark`.

Everything is read with a constant number of queries per cycle (aggregates grouped by
application), whatever the number of applications.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from admissions.applications.lifecycle import Group, statuses_in
from admissions.enums import LIVE_AWARD_STATES, ApplicationStatus, AwardState
from admissions.models import ApplicationChoice, RankingSnapshot, ScholarshipAward
from admissions.scholarships.scoring import (
    application_score,
    cycle_weights,
    inputs_by_application,
    ranking_score,
    tie_break_key,
)
from programs.models import AdmissionCycle, Offering

__all__ = [
    "CycleRanking",
    "RankedEntry",
    "application_score",
    "ranking_compute",
    "ranking_compute_cycle",
    "ranking_publish",
]

BELOW_PASS_MARK = "below_pass_mark"  # noqa: S105 (a reason code)


@dataclass(slots=True)
class RankedEntry:
    application_id: int
    reference: str
    score: Decimal
    exam_score: Decimal
    review_score: Decimal | None
    priority: int
    submitted_at: datetime | None
    status: str
    scholarship_requested: bool
    citizenship: str
    rank: int | None = None
    reason: str = ""
    # The live award of the application, if any: (state, offering id, fund id).
    award: tuple[str, int, int] | None = None

    @property
    def sort_key(self):
        return tie_break_key(
            score=self.score, submitted_at=self.submitted_at, application_id=self.application_id
        )


@dataclass
class CycleRanking:
    """The ranking of a whole cycle, computed with a constant number of queries."""

    cycle: AdmissionCycle
    offerings: dict[int, Offering]
    # Ranked entries per offering, best first.
    ranked: dict[int, list[RankedEntry]] = field(default_factory=dict)
    # Entries below the pass mark, per offering.
    unranked: dict[int, list[RankedEntry]] = field(default_factory=dict)
    # Every considered application: id -> its choices [(priority, offering id), ...].
    choices: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    # Application ids in the common rank order (best first).
    order: list[int] = field(default_factory=list)
    # One entry per application (for its application-level fields: score, status, award...).
    entries_by_application: dict[int, RankedEntry] = field(default_factory=dict)
    # Applications that ever had an award in this cycle (any state).
    had_award: set[int] = field(default_factory=set)


def _compute(*, cycle: AdmissionCycle, offering_id: int | None = None) -> CycleRanking:
    offerings = Offering.objects.filter(cycle=cycle).select_related("program")
    if offering_id is not None:
        offerings = offerings.filter(pk=offering_id)
    offerings = {o.pk: o for o in offerings}
    ranked_statuses = sorted(statuses_in(Group.RANKED))
    choice_rows = ApplicationChoice.objects.filter(
        offering__cycle=cycle, application__status__in=ranked_statuses
    )
    app_filter = {"application__cycle": cycle, "application__status__in": ranked_statuses}
    if offering_id is not None:
        app_filter["application__choices__offering_id"] = offering_id
    rows = list(
        choice_rows.filter(
            **(
                {"application__choices__offering_id": offering_id}
                if offering_id is not None
                else {}
            )
        )
        .values_list(
            "application_id",
            "offering_id",
            "priority",
            "application__reference",
            "application__submitted_at",
            "application__status",
            "application__scholarship_requested",
            "application__applicant__applicant_profile__citizenship",
        )
        .order_by()
    )
    inputs = inputs_by_application(**app_filter)
    weights = cycle_weights(cycle)
    awards_qs = ScholarshipAward.objects.filter(application__cycle=cycle)
    if offering_id is not None:
        awards_qs = awards_qs.filter(application__choices__offering_id=offering_id)
    live: dict[int, tuple[str, int, int]] = {}
    had_award: set[int] = set()
    for application_id, state, award_offering, fund_id in awards_qs.values_list(
        "application_id", "state", "offering_id", "fund_id"
    ).order_by():
        had_award.add(application_id)
        if state in LIVE_AWARD_STATES:
            live[application_id] = (state, award_offering, fund_id)

    result = CycleRanking(cycle=cycle, offerings=offerings, had_award=had_award)
    scores: dict[int, tuple[Decimal, Decimal, Decimal | None]] = {}
    for offering in offerings:
        result.ranked[offering] = []
        result.unranked[offering] = []
    for (
        application_id,
        choice_offering,
        priority,
        reference,
        submitted_at,
        status,
        requested,
        citizenship,
    ) in rows:
        if application_id not in scores:
            values = {name: by_id.get(application_id) for name, by_id in inputs.items()}
            scores[application_id] = (
                ranking_score(values=values, weights=weights),
                values.get("exam") or Decimal(0),
                values.get("review"),
            )
        result.choices.setdefault(application_id, []).append((priority, choice_offering))
        offering = offerings.get(choice_offering)
        if offering is None:
            continue
        score, exam, review = scores[application_id]
        entry = RankedEntry(
            application_id=application_id,
            reference=reference or "",
            score=score,
            exam_score=exam,
            review_score=review,
            priority=priority,
            submitted_at=submitted_at,
            status=status,
            scholarship_requested=requested,
            citizenship=str(citizenship or ""),
            award=live.get(application_id),
        )
        if score >= offering.pass_mark:
            result.ranked[choice_offering].append(entry)
        else:
            entry.reason = BELOW_PASS_MARK
            result.unranked[choice_offering].append(entry)
        result.entries_by_application.setdefault(application_id, entry)

    for offering in offerings:
        ordered = sorted(result.ranked[offering], key=lambda e: e.sort_key)
        for position, entry in enumerate(ordered, start=1):
            entry.rank = position
        result.ranked[offering] = ordered
        result.unranked[offering].sort(key=lambda e: e.sort_key)
    result.order = [
        e.application_id
        for e in sorted(result.entries_by_application.values(), key=lambda e: e.sort_key)
    ]
    for choices in result.choices.values():
        choices.sort()
    return result


def ranking_compute_cycle(*, cycle: AdmissionCycle) -> CycleRanking:
    """Rank every offering of `cycle` at once (a constant number of queries)."""
    return _compute(cycle=cycle)


def ranking_compute(*, offering: Offering, include_unranked: bool = False) -> list[RankedEntry]:
    """The ranked list of `offering`, best first; with `include_unranked`, the entries below
    the pass mark follow (rank None, reason `below_pass_mark`)."""
    computed = _compute(cycle=offering.cycle, offering_id=offering.pk)
    entries = list(computed.ranked[offering.pk])
    if include_unranked:
        entries += computed.unranked[offering.pk]
    return entries


def entry_outcome(entry: RankedEntry, offering_id: int) -> str:
    """Outcome shown in a published ranking (no personal data)."""
    if entry.award is not None:
        state, award_offering, _fund = entry.award
        if award_offering == offering_id:
            if state == AwardState.ACCEPTED:
                return "scholarship_accepted"
            return "scholarship_offered"
        return "scholarship_elsewhere"
    if entry.status == ApplicationStatus.WAITLISTED:  # the outcome names this status
        return "waitlisted"
    return "admitted"


@transaction.atomic
def ranking_publish(*, offering: Offering, actor=None) -> RankingSnapshot:
    """Store the current ranked list of `offering` as a dated, anonymous snapshot."""
    rows = [
        {
            "rank": entry.rank,
            "reference": entry.reference,
            "score": str(entry.score),
            "priority": entry.priority,
            "outcome": entry_outcome(entry, offering.pk),
        }
        for entry in ranking_compute(offering=offering)
    ]
    return RankingSnapshot.objects.create(offering=offering, published_by=actor, rows=rows)

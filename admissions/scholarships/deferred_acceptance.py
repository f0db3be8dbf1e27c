"""Scholarship allocation on plain data: no database, no Django (property-tested).

The rule
--------
Every offering ranks applicants by the same score (the score of an application does not
depend on the offering, only the pass mark does) with the same tie-breaks, so all
offerings share one priority order. Applicant-proposing deferred acceptance (Gale-Shapley)
with one common priority order has a unique stable outcome, and it equals serial
dictatorship in that order: taking applicants from the best-ranked down, each gets the
best-priority offering among their choices (at most 3) that

* they passed the pass mark of,
* still has a scholarship seat (its `seats_left`),

provided that the cycle total is not reached and that the set of applicants holding an
award can still be matched to funds (each to a fund that accepts their citizenship, no fund
over its seats). Fund feasibility depends on the set of holders only, not on their
offerings, so an applicant who does not fit any fund gets nothing anywhere.

Fund assignment: funds are tried in `position` order; when every eligible fund is full, an
augmenting path may move an applicant placed earlier in this run (never an existing award)
to another fund that accepts them, which frees a seat (bipartite matching, Kuhn). So an
applicant is refused a fund only when no assignment of all better-ranked holders would leave
one for them. The result is deterministic: same input, same output.

Stability (checked by a hypothesis test): no applicant could be placed at an offering they
prefer to their outcome, given only the placements of better-ranked applicants.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "AllocationApplicant",
    "AllocationFund",
    "AllocationOffer",
    "AllocationOutcome",
    "AllocationResult",
    "Reason",
    "allocate",
    "citizenship_accepted",
]


class Reason(StrEnum):
    OFFERED = "offered"
    NOT_REQUESTED = "not_requested"
    ALREADY_HOLDS = "already_holds"
    HAD_OFFER = "had_offer"
    BELOW_PASS_MARK = "below_pass_mark"  # noqa: S105 (a reason code)
    NOT_ELIGIBLE = "not_eligible"
    FUNDS_FULL = "funds_full"
    TOTAL_REACHED = "total_reached"
    SEATS_TAKEN = "seats_taken"


@dataclass(frozen=True)
class AllocationApplicant:
    """One application, in rank order (the caller sorts: best first).

    `choices` holds offering ids by priority (first = most wanted); `passed` the ids of the
    offerings whose pass mark the applicant reached.
    """

    id: int
    choices: tuple[int, ...]
    passed: frozenset[int]
    citizenship: str
    requested: bool = True
    holds_award: bool = False
    had_offer: bool = False


def citizenship_accepted(citizenships: frozenset[str], citizenship: str) -> bool:
    """Whether a fund open to `citizenships` (ISO codes; empty: any citizenship) accepts an
    applicant of `citizenship` ("" when unknown). An applicant without a citizenship on
    file gets no fund: eligibility cannot be shown (the offer service refuses as well)."""
    if not citizenship:
        return False
    return not citizenships or citizenship in citizenships


@dataclass(frozen=True)
class AllocationFund:
    id: int
    seats_left: int
    # Empty: any citizenship is accepted.
    citizenships: frozenset[str] = frozenset()

    def accepts(self, citizenship: str) -> bool:
        return citizenship_accepted(self.citizenships, citizenship)


@dataclass(frozen=True)
class AllocationOffer:
    applicant_id: int
    offering_id: int
    fund_id: int
    priority: int


@dataclass
class AllocationOutcome:
    applicant_id: int
    reason: Reason
    offering_id: int | None = None
    fund_id: int | None = None
    priority: int | None = None
    # Why each better choice was not given: [(offering_id, Reason), ...]
    skipped: list[tuple[int, Reason]] = field(default_factory=list)


@dataclass
class AllocationResult:
    offers: list[AllocationOffer]
    outcomes: dict[int, AllocationOutcome]


def _augment(
    applicant: AllocationApplicant,
    funds: Sequence[AllocationFund],
    free: dict[int, int],
    holders: dict[int, list[AllocationApplicant]],
    visited: set[int],
) -> int | None:
    """Find a fund for `applicant`, moving earlier placements along an augmenting path."""
    for fund in funds:
        if fund.id in visited or not fund.accepts(applicant.citizenship):
            continue
        if free[fund.id] > 0:
            return fund.id
    for fund in funds:
        if fund.id in visited or not fund.accepts(applicant.citizenship):
            continue
        visited.add(fund.id)
        for index, other in enumerate(holders[fund.id]):
            moved_to = _augment(other, funds, free, holders, visited)
            if moved_to is not None:
                # `other` moves to `moved_to` (which has a free seat, possibly just freed by
                # a deeper move); its seat in `fund` goes to `applicant`.
                del holders[fund.id][index]
                free[moved_to] -= 1
                holders[moved_to].append(other)
                free[fund.id] += 1
                return fund.id
    return None


def allocate(
    *,
    applicants: Iterable[AllocationApplicant],
    offering_seats_left: dict[int, int],
    funds: Sequence[AllocationFund],
    total_left: int,
) -> AllocationResult:
    """Allocate scholarships (see the module docstring). `applicants` must be in rank order.

    Capacities are what is left after existing live awards.
    """
    seats = dict(offering_seats_left)
    free = {fund.id: max(fund.seats_left, 0) for fund in funds}
    holders: dict[int, list[AllocationApplicant]] = {fund.id: [] for fund in funds}
    placed: dict[int, int] = {}  # applicant id -> offering id
    priorities: dict[int, int] = {}
    outcomes: dict[int, AllocationOutcome] = {}
    order: list[int] = []
    remaining_total = max(total_left, 0)

    for applicant in applicants:
        outcome = AllocationOutcome(applicant_id=applicant.id, reason=Reason.SEATS_TAKEN)
        outcomes[applicant.id] = outcome
        if applicant.holds_award:
            outcome.reason = Reason.ALREADY_HOLDS
            continue
        if applicant.had_offer:
            outcome.reason = Reason.HAD_OFFER
            continue
        if not applicant.requested:
            outcome.reason = Reason.NOT_REQUESTED
            continue
        if not any(choice in applicant.passed for choice in applicant.choices):
            outcome.reason = Reason.BELOW_PASS_MARK
            continue
        if not any(fund.accepts(applicant.citizenship) for fund in funds):
            outcome.reason = Reason.NOT_ELIGIBLE
            continue
        if remaining_total <= 0:
            outcome.reason = Reason.TOTAL_REACHED
            continue
        target = None
        for priority, offering_id in enumerate(applicant.choices, start=1):
            if offering_id not in applicant.passed:
                outcome.skipped.append((offering_id, Reason.BELOW_PASS_MARK))
            elif seats.get(offering_id, 0) <= 0:
                outcome.skipped.append((offering_id, Reason.SEATS_TAKEN))
            else:
                target = (priority, offering_id)
                break
        if target is None:
            outcome.reason = Reason.SEATS_TAKEN
            continue
        fund_id = _augment(applicant, funds, free, holders, set())
        if fund_id is None:
            outcome.reason = Reason.FUNDS_FULL
            outcome.skipped = []
            continue
        free[fund_id] -= 1
        holders[fund_id].append(applicant)
        remaining_total -= 1
        priority, offering_id = target
        seats[offering_id] -= 1
        placed[applicant.id] = offering_id
        priorities[applicant.id] = priority
        order.append(applicant.id)
        outcome.reason = Reason.OFFERED
        outcome.offering_id = offering_id
        outcome.priority = priority

    fund_of = {a.id: fund_id for fund_id, members in holders.items() for a in members}
    offers = []
    for applicant_id in order:
        outcomes[applicant_id].fund_id = fund_of[applicant_id]
        offers.append(
            AllocationOffer(
                applicant_id=applicant_id,
                offering_id=placed[applicant_id],
                fund_id=fund_of[applicant_id],
                priority=priorities[applicant_id],
            )
        )
    return AllocationResult(offers=offers, outcomes=outcomes)

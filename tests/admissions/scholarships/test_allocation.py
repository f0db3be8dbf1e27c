"""Allocation: the pure deferred-acceptance function (hypothesis) and the DB layer."""

from __future__ import annotations

import itertools
from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from admissions.enums import ApplicationStatus, AwardState
from admissions.models import OutgoingMail, ScholarshipAward
from admissions.scholarships.allocation import allocation_plan, allocation_run
from admissions.scholarships.awards import fund_accepts_applicant
from admissions.scholarships.deferred_acceptance import (
    AllocationApplicant,
    AllocationFund,
    Reason,
    allocate,
)
from tests.admissions.scholarship_data import (
    closed_cycle,
    make_applications,
    make_fund,
    make_offering,
)

# --- The pure function ----------------------------------------------------------------------
CITIZENSHIPS = ("KZ", "RU", "UZ")


@st.composite
def instances(draw):
    offering_ids = list(range(1, draw(st.integers(1, 4)) + 1))
    funds = [
        AllocationFund(
            id=100 + i,
            seats_left=draw(st.integers(0, 4)),
            citizenships=frozenset(draw(st.sets(st.sampled_from(CITIZENSHIPS), max_size=2))),
        )
        for i in range(draw(st.integers(1, 3)))
    ]
    applicants = []
    for a in range(draw(st.integers(0, 9))):
        choices = tuple(
            draw(st.lists(st.sampled_from(offering_ids), min_size=1, max_size=3, unique=True))
        )
        passed = frozenset(c for c in choices if draw(st.booleans()) or draw(st.booleans()))
        applicants.append(
            AllocationApplicant(
                id=a + 1,
                choices=choices,
                passed=passed,
                citizenship=draw(st.sampled_from(CITIZENSHIPS)),
                requested=draw(st.integers(0, 9)) > 0,
                holds_award=draw(st.integers(0, 9)) == 0,
            )
        )
    seats = {o: draw(st.integers(0, 3)) for o in offering_ids}
    total = draw(st.integers(0, 8))
    return applicants, seats, funds, total


def funds_feasible(members, funds) -> bool:
    """Brute force: can every member get a fund accepting them, within the seats?"""
    options = [[f for f in funds if f.accepts(m.citizenship)] for m in members]
    if any(not o for o in options):
        return False
    for assignment in itertools.product(*options):
        used = {}
        for fund in assignment:
            used[fund.id] = used.get(fund.id, 0) + 1
        if all(used.get(f.id, 0) <= f.seats_left for f in funds):
            return True
    return False


@settings(max_examples=300, deadline=None)
@given(instances())
def test_allocation_is_stable_and_within_every_limit(instance):
    applicants, seats, funds, total = instance
    result = allocate(
        applicants=applicants, offering_seats_left=seats, funds=funds, total_left=total
    )
    offers = result.offers
    by_id = {a.id: a for a in applicants}
    # Each applicant at most one; only eligible, asking applicants who passed the offering.
    assert len({o.applicant_id for o in offers}) == len(offers)
    for offer in offers:
        applicant = by_id[offer.applicant_id]
        assert applicant.requested and not applicant.holds_award
        assert offer.offering_id in applicant.passed
        assert applicant.choices[offer.priority - 1] == offer.offering_id
        fund = next(f for f in funds if f.id == offer.fund_id)
        assert fund.accepts(applicant.citizenship)
    # No limit exceeded.
    assert len(offers) <= max(total, 0)
    for offering_id, cap in seats.items():
        assert sum(o.offering_id == offering_id for o in offers) <= cap
    for fund in funds:
        assert sum(o.fund_id == fund.id for o in offers) <= fund.seats_left
    # Stability: nobody could have had an offering they prefer, given only the placements
    # of better-ranked applicants (all offerings share the rank order).
    placed = {o.applicant_id: o for o in offers}
    for index, applicant in enumerate(applicants):
        if not applicant.requested or applicant.holds_award:
            continue
        better = [placed[a.id] for a in applicants[:index] if a.id in placed]
        mine = placed.get(applicant.id)
        limit = mine.priority - 1 if mine else len(applicant.choices)
        for offering_id in applicant.choices[:limit]:
            if offering_id not in applicant.passed:
                continue
            room_at_offering = (
                sum(o.offering_id == offering_id for o in better) < seats[offering_id]
            )
            room_in_total = len(better) + 1 <= total
            members = [by_id[o.applicant_id] for o in better] + [applicant]
            blocking = room_at_offering and room_in_total and funds_feasible(members, funds)
            assert not blocking, (applicant, offering_id, result)


def test_allocation_is_deterministic():
    applicants = [
        AllocationApplicant(id=i, choices=(1, 2), passed=frozenset({1, 2}), citizenship="KZ")
        for i in range(10)
    ]
    funds = [AllocationFund(id=1, seats_left=3), AllocationFund(id=2, seats_left=3)]
    runs = [
        allocate(
            applicants=applicants, offering_seats_left={1: 2, 2: 3}, funds=funds, total_left=5
        ).offers
        for _ in range(3)
    ]
    assert runs[0] == runs[1] == runs[2]
    assert [o.applicant_id for o in runs[0]] == [0, 1, 2, 3, 4]
    assert [o.offering_id for o in runs[0]] == [1, 1, 2, 2, 2]


def test_fund_is_reassigned_so_a_restricted_applicant_still_fits():
    # Fund 1 takes anyone, fund 2 only RU. A KZ applicant ranked second must not lose the
    # open fund to the RU applicant ranked first: the RU applicant moves to fund 2.
    applicants = [
        AllocationApplicant(id=1, choices=(1,), passed=frozenset({1}), citizenship="RU"),
        AllocationApplicant(id=2, choices=(1,), passed=frozenset({1}), citizenship="KZ"),
    ]
    funds = [
        AllocationFund(id=1, seats_left=1),
        AllocationFund(id=2, seats_left=1, citizenships=frozenset({"RU"})),
    ]
    result = allocate(applicants=applicants, offering_seats_left={1: 5}, funds=funds, total_left=5)
    assert {(o.applicant_id, o.fund_id) for o in result.offers} == {(1, 2), (2, 1)}


def test_reasons_explain_each_refusal():
    funds = [AllocationFund(id=1, seats_left=1, citizenships=frozenset({"KZ"}))]
    applicants = [
        AllocationApplicant(id=1, choices=(1,), passed=frozenset({1}), citizenship="KZ"),
        AllocationApplicant(id=2, choices=(1,), passed=frozenset({1}), citizenship="KZ"),
        AllocationApplicant(id=3, choices=(1,), passed=frozenset({1}), citizenship="RU"),
        AllocationApplicant(id=4, choices=(1,), passed=frozenset(), citizenship="KZ"),
        AllocationApplicant(
            id=5, choices=(1,), passed=frozenset({1}), citizenship="KZ", requested=False
        ),
        AllocationApplicant(
            id=6, choices=(1,), passed=frozenset({1}), citizenship="KZ", holds_award=True
        ),
    ]
    result = allocate(applicants=applicants, offering_seats_left={1: 5}, funds=funds, total_left=5)
    reasons = {a: o.reason for a, o in result.outcomes.items()}
    assert reasons == {
        1: Reason.OFFERED,
        2: Reason.FUNDS_FULL,
        3: Reason.NOT_ELIGIBLE,
        4: Reason.BELOW_PASS_MARK,
        5: Reason.NOT_REQUESTED,
        6: Reason.ALREADY_HOLDS,
    }


# --- The database layer ---------------------------------------------------------------------
@pytest.fixture
def scholarship_cycle(db):
    cycle = closed_cycle(total=6)
    offerings = [
        make_offering(cycle, slug="law", scholarship_seats=3),
        make_offering(cycle, slug="customs", scholarship_seats=3),
    ]
    make_fund(cycle, government="KZ", seats=3, citizenships=["KZ"], position=0)
    make_fund(cycle, government="RU", seats=3, position=1)
    return cycle, offerings


def test_allocation_runs_once_and_a_second_run_changes_nothing(scholarship_cycle):
    cycle, offerings = scholarship_cycle
    make_applications(cycle, offerings, 12, citizenship=lambda i: "KZ" if i % 2 else "RU")
    out = StringIO()
    call_command("allocate_scholarships", "--cycle", cycle.code, "--dry-run", stdout=out)
    assert "Dry run: 6 scholarships would be offered." in out.getvalue()
    assert "no offer:" in out.getvalue()
    assert ScholarshipAward.objects.count() == 0

    report = allocation_run(cycle=cycle)
    assert len(report.awards) == 6
    assert not report.failures
    assert OutgoingMail.objects.filter(template="scholarship_offered").count() == 6
    live = ScholarshipAward.objects.filter(state=AwardState.OFFERED)
    assert live.count() == 6
    for offering in offerings:
        assert live.filter(offering=offering).count() <= offering.scholarship_seats
    for award in live.select_related("fund", "application__applicant__applicant_profile"):
        assert fund_accepts_applicant(
            award.fund, award.application.applicant.applicant_profile.citizenship.code
        )

    out = StringIO()
    call_command("allocate_scholarships", "--cycle", cycle.code, stdout=out)
    assert "nothing to allocate" in out.getvalue().lower()
    assert "Nothing changed" in out.getvalue()
    assert ScholarshipAward.objects.count() == 6


def test_allocation_gives_each_applicant_their_best_priority_by_rank(scholarship_cycle):
    cycle, offerings = scholarship_cycle
    apps = make_applications(cycle, offerings, 8, citizenship="RU")
    plan = allocation_plan(cycle=cycle)
    again = allocation_plan(cycle=cycle)
    assert plan.offers == again.offers  # deterministic
    # Only 3 RU-eligible seats (the KZ fund takes KZ citizens only).
    assert len(plan.offers) == 3
    rows = [r for r in plan.rows() if r["reason"] != Reason.BELOW_PASS_MARK]
    assert [o.applicant_id for o in plan.offers] == [r["application_id"] for r in rows[:3]]
    assert all(r["reason"] == Reason.FUNDS_FULL for r in rows[3:])
    assert {a.pk for a in apps} >= set(plan.order)


def test_allocation_ignores_statuses_other_than_accepted_or_waitlisted(scholarship_cycle):
    cycle, offerings = scholarship_cycle
    make_applications(cycle, offerings, 3, status=ApplicationStatus.UNDER_REVIEW, prefix="u")
    make_applications(cycle, offerings, 2, status=ApplicationStatus.REJECTED, prefix="r")
    waitlisted = make_applications(
        cycle, offerings, 2, status=ApplicationStatus.WAITLISTED, prefix="w"
    )
    plan = allocation_plan(cycle=cycle)
    assert set(plan.order) == {a.pk for a in waitlisted}


def test_unknown_cycle_is_a_clear_command_error(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No cycle"):
        call_command("allocate_scholarships", "--cycle", "1999")

"""Invariant 1 under concurrency, on PostgreSQL: live awards never exceed the cycle total, a
fund's seats or an offering's scholarship seats; one outcome per offer.

Each attempt runs in a worker thread with its own database connection (closed at the end).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from admissions.enums import AwardState
from admissions.errors import DomainError, NoSeatLeft
from admissions.models import Application, ScholarshipAward
from admissions.scholarships import awards as awards_module
from admissions.scholarships.awards import (
    award_accept,
    award_decline,
    award_offer,
    awards_expire,
)
from programs.models import Offering, ScholarshipFund
from tests.admissions.scholarship_data import (
    closed_cycle,
    make_applications,
    make_fund,
    make_offering,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 20


def _attempt(application_id: int, fund_id: int, offering_id: int) -> str:
    try:
        application = Application.objects.get(pk=application_id)
        award_offer(
            application=application,
            fund=ScholarshipFund.objects.get(pk=fund_id),
            offering=Offering.objects.get(pk=offering_id),
        )
        return "offered"
    except NoSeatLeft:
        return "no_seat"
    except DomainError:
        return "refused"
    except IntegrityError:
        return "integrity"
    finally:
        connection.close()


def _run(attempts) -> Counter:
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return Counter(pool.map(lambda args: _attempt(*args), attempts))


@pytest.fixture
def two_hundred_seats():
    """Cycle of 200: two funds of 100, two offerings of 100; 250 eligible applications."""
    cycle = closed_cycle(total=200)
    offerings = [
        make_offering(cycle, slug="law", scholarship_seats=100, pass_mark="0"),
        make_offering(cycle, slug="customs", scholarship_seats=100, pass_mark="0"),
    ]
    funds = [
        make_fund(cycle, government="KZ", seats=100, position=0),
        make_fund(cycle, government="RU", seats=100, position=1),
    ]
    applications = make_applications(cycle, offerings, 250, choices_per_application=2)
    # 300 attempts: every application once, 50 of them twice (double clicks, two staff).
    attempts = []
    for index in range(300):
        application = applications[index % 250]
        side = application.pk % 2
        attempts.append((application.pk, funds[side].pk, offerings[side].pk))
    return cycle, offerings, funds, attempts


def _assert_within_limits(cycle, offerings, funds):
    live = ScholarshipAward.objects.filter(state__in=["offered", "accepted"])
    assert live.count() <= cycle.scholarship_total
    for fund in funds:
        assert live.filter(fund=fund).count() <= fund.seats
    for offering in offerings:
        assert live.filter(offering=offering).count() <= offering.scholarship_seats
    doubles = live.values("application").annotate(n=Count("pk")).filter(n__gt=1)
    assert not doubles.exists()


def test_300_concurrent_offers_for_200_seats_make_exactly_200(two_hundred_seats):
    cycle, offerings, funds, attempts = two_hundred_seats
    outcomes = _run(attempts)
    assert outcomes["offered"] == 200, outcomes
    assert ScholarshipAward.objects.filter(state="offered").count() == 200
    _assert_within_limits(cycle, offerings, funds)
    assert outcomes["integrity"] == 0  # the locks, not the constraint, kept the order


def _rows_without_locks(queryset, pks):
    """`lock_rows` with the lock left out: the same rows, read plainly."""
    return {row.pk: row for row in queryset.filter(pk__in=pks)}


def test_without_the_locks_the_same_test_over_awards(two_hundred_seats, monkeypatch):
    """With the locking call patched out and the count-then-write window widened (a sleep
    after counting), the race over-awards: the test above can catch it."""
    cycle, _offerings, _funds, attempts = two_hundred_seats
    count_live = awards_module._live_counts

    def slow_count(**kwargs):
        counts = count_live(**kwargs)
        time.sleep(0.05)
        return counts

    monkeypatch.setattr(awards_module, "lock_rows", _rows_without_locks)
    monkeypatch.setattr(awards_module, "_live_counts", slow_count)
    _run(attempts)
    live = ScholarshipAward.objects.filter(state="offered").count()
    assert live > cycle.scholarship_total, live


def _last_seat_setting(*, fund_seats: int, offering_seats: int):
    cycle = closed_cycle(total=200)
    offering = make_offering(cycle, slug="law", scholarship_seats=offering_seats, pass_mark="0")
    fund = make_fund(cycle, government="KZ", seats=fund_seats)
    applications = make_applications(cycle, [offering], 41, choices_per_application=1)
    # All but one seat of the tight limit is already taken.
    for application in applications[: min(fund_seats, offering_seats) - 1]:
        award_offer(application=application, fund=fund, offering=offering)
    rest = applications[min(fund_seats, offering_seats) - 1 :]
    return cycle, offering, fund, [(a.pk, fund.pk, offering.pk) for a in rest]


@pytest.mark.parametrize(
    "fund_seats, offering_seats", [(10, 50), (50, 10)], ids=["fund", "offering"]
)
def test_the_last_seat_of_a_fund_or_an_offering_goes_once(fund_seats, offering_seats):
    cycle, offering, fund, attempts = _last_seat_setting(
        fund_seats=fund_seats, offering_seats=offering_seats
    )
    outcomes = _run(attempts)
    assert outcomes["offered"] == 1, outcomes
    assert ScholarshipAward.objects.count() == min(fund_seats, offering_seats)
    _assert_within_limits(cycle, [offering], [fund])


def test_the_database_refuses_two_live_awards_for_one_application():
    cycle = closed_cycle(total=5)
    offering = make_offering(cycle, slug="law", scholarship_seats=5, pass_mark="0")
    fund = make_fund(cycle, government="KZ", seats=5)
    [application] = make_applications(cycle, [offering], 1, choices_per_application=1)
    now = timezone.now()
    fields = {
        "application": application,
        "fund": fund,
        "offering": offering,
        "offered_at": now,
        "respond_by": now + timedelta(days=7),
    }
    ScholarshipAward.objects.create(state=AwardState.OFFERED, **fields)
    ScholarshipAward.objects.create(state=AwardState.DECLINED, **fields)  # not live: allowed
    with pytest.raises(IntegrityError), transaction.atomic():
        ScholarshipAward.objects.create(state=AwardState.ACCEPTED, **fields)


def test_concurrent_accept_decline_and_expire_of_one_offer_end_in_one_outcome():
    cycle = closed_cycle(total=20)
    offering = make_offering(cycle, slug="law", scholarship_seats=20, pass_mark="0")
    fund = make_fund(cycle, government="KZ", seats=20)
    applications = make_applications(cycle, [offering], 8, choices_per_application=1)
    awards = [award_offer(application=a, fund=fund, offering=offering) for a in applications]
    # Distinct deadlines, so expiring "now" in round i concerns award i only.
    for index, award in enumerate(awards):
        award.respond_by = award.offered_at + timedelta(days=7, hours=index)
        award.save(update_fields=["respond_by"])
    for award in awards:
        owner = award.application.applicant
        barrier = threading.Barrier(3)
        expire_at = award.respond_by + timedelta(seconds=1)

        def answer(service, outcome, award=award, owner=owner, barrier=barrier):
            barrier.wait()
            try:
                service(award=ScholarshipAward.objects.get(pk=award.pk), actor=owner)
                return outcome
            except DomainError:
                return "refused"
            finally:
                connection.close()

        def expire(barrier=barrier, expire_at=expire_at):
            barrier.wait()
            try:
                # Only this award is due at `expire_at` (earlier ones are answered).
                return "expired" if awards_expire(now=expire_at) else "refused"
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=3) as pool:
            futures = [
                pool.submit(answer, award_accept, "accepted"),
                pool.submit(answer, award_decline, "declined"),
                pool.submit(expire),
            ]
            results = [future.result() for future in futures]
        award.refresh_from_db()
        winners = [r for r in results if r != "refused"]
        assert len(winners) == 1, results
        assert award.state == winners[0]

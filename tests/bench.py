"""Benchmark: ranking and allocation (dry run) over 20,000 applications with 3 choices each.

Run with `make bench` (`python -m tests.bench`). It builds a throw-away test database on the
configured DATABASE_URL (SQLite in memory without it), fills it with bulk_create, times the
ranking of the whole cycle and the allocation plan, prints the figures and drops the database.
Options: `python -m tests.bench --applications 5000`.
"""

from __future__ import annotations

import argparse
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applications", type=int, default=20_000)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from decimal import Decimal

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from admissions.models import Application, Review
    from admissions.scholarships.allocation import allocation_plan
    from admissions.scholarships.ranking import ranking_compute_cycle
    from tests.admissions.scholarship_data import (
        closed_cycle,
        make_applications,
        make_fund,
        make_offering,
    )

    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        print(f"database: {connection.vendor} ({test_name})")
        started = time.perf_counter()
        cycle = closed_cycle(total=200)
        offerings = [
            make_offering(cycle, slug=slug, scholarship_seats=40, pass_mark="55")
            for slug in ("law-b", "law-m", "phil-b", "phil-m", "customs-b", "customs-m")
        ]
        make_fund(cycle, government="KZ", seats=120, citizenships=["KZ"], position=0)
        make_fund(cycle, government="RU", seats=80, position=1)
        make_applications(
            cycle,
            offerings,
            args.applications,
            citizenship=lambda i: ("KZ", "RU", "UZ")[i % 3],
            seed=2025,
        )
        from django.contrib.auth import get_user_model

        reviewer = get_user_model().objects.create(username="bench-reviewer", is_staff=True)
        ids = Application.objects.filter(cycle=cycle).values_list("pk", flat=True)
        Review.objects.bulk_create(
            [
                Review(application_id=pk, reviewer=reviewer, score=Decimal(50 + pk % 50))
                for pk in ids
            ],
            batch_size=2000,
        )
        print(
            f"built {args.applications} applications x 3 choices (+ exams, reviews) "
            f"in {time.perf_counter() - started:.1f}s"
        )

        with CaptureQueriesContext(connection) as ranking_queries:
            started = time.perf_counter()
            ranking = ranking_compute_cycle(cycle=cycle)
            ranking_seconds = time.perf_counter() - started
        ranked = sum(len(entries) for entries in ranking.ranked.values())
        print(
            f"ranking:    {ranking_seconds:.2f}s, {len(ranking_queries)} queries, "
            f"{ranked} ranked entries over {len(ranking.offerings)} offerings"
        )

        for query in ranking_queries.captured_queries:
            print(f"  {query['time']}s  {query['sql'][:110]}")

        with CaptureQueriesContext(connection) as plan_queries:
            started = time.perf_counter()
            plan = allocation_plan(cycle=cycle)
            plan_seconds = time.perf_counter() - started
        print(
            f"allocation: {plan_seconds:.2f}s, {len(plan_queries)} queries (ranking included), "
            f"{len(plan.offers)} offers planned of {plan.total_left} left, "
            f"{len(plan.order)} applications explained"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()

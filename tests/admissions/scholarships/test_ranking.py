"""Ranking: the score formula, pass marks, ties, published snapshots and query budgets."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from admissions.enums import ApplicationStatus
from admissions.models import RankingSnapshot
from admissions.scholarships.allocation import allocation_plan
from admissions.scholarships.ranking import (
    application_score,
    ranking_compute,
    ranking_compute_cycle,
    ranking_publish,
)
from tests.admissions.scholarship_data import (
    closed_cycle,
    make_applications,
    make_fund,
    make_offering,
)
from tests.factories import (
    ApplicationFactory,
    AwardFactory,
    ChoiceFactory,
    ExamResultFactory,
    FundFactory,
    ReviewFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


def test_score_combines_exam_and_review_with_the_cycle_weights():
    score = application_score(
        exam_score=Decimal("80"),
        review_score=Decimal("60"),
        exam_weight=Decimal("0.7"),
        review_weight=Decimal("0.3"),
    )
    assert score == Decimal("74.00")


def test_score_without_reviews_is_the_exam_score_alone():
    score = application_score(
        exam_score=Decimal("80"),
        review_score=None,
        exam_weight=Decimal("0.7"),
        review_weight=Decimal("0.3"),
    )
    assert score == Decimal("80.00")


def _ranked_application(offering, *, exams, reviews=(), status=ApplicationStatus.ACCEPTED, **kw):
    application = ApplicationFactory(
        cycle=offering.cycle,
        status=status,
        submitted_at=kw.pop("submitted_at", timezone.now() - timedelta(days=5)),
        reference=kw.pop("reference", None),
        **kw,
    )
    ChoiceFactory(application=application, offering=offering, priority=1)
    for score, maximum in exams:
        ExamResultFactory(application=application, score=Decimal(score), max_score=maximum)
    for value in reviews:
        ReviewFactory(application=application, score=Decimal(value))
    return application


def test_ranking_uses_mean_normalised_exam_and_mean_review(db):
    cycle = closed_cycle()
    offering = make_offering(cycle, slug="law", scholarship_seats=2)
    application = _ranked_application(
        offering, exams=[(70, 140), (90, 100)], reviews=[60, 80], reference="KZO-2025-000001"
    )
    [entry] = ranking_compute(offering=offering)
    # exam: mean(50, 90) = 70; review: mean(60, 80) = 70 -> 70
    assert entry.application_id == application.pk
    assert entry.exam_score == Decimal("70.00")
    assert entry.review_score == Decimal("70.00")
    assert entry.score == Decimal("70.00")
    assert entry.rank == 1


def test_below_pass_mark_is_not_ranked_and_gets_a_reason(db):
    cycle = closed_cycle()
    offering = make_offering(cycle, slug="law", scholarship_seats=2, pass_mark="60")
    low = _ranked_application(offering, exams=[(50, 100)])
    high = _ranked_application(offering, exams=[(90, 100)])
    ranked = ranking_compute(offering=offering)
    assert [e.application_id for e in ranked] == [high.pk]
    everything = ranking_compute(offering=offering, include_unranked=True)
    assert everything[-1].application_id == low.pk
    assert everything[-1].rank is None
    assert everything[-1].reason == "below_pass_mark"


def test_ties_go_to_the_earlier_submission_then_the_lower_id(db):
    cycle = closed_cycle()
    offering = make_offering(cycle, slug="law", scholarship_seats=2)
    now = timezone.now()
    late = _ranked_application(offering, exams=[(80, 100)], submitted_at=now - timedelta(days=1))
    early = _ranked_application(offering, exams=[(80, 100)], submitted_at=now - timedelta(days=3))
    same_a = _ranked_application(offering, exams=[(80, 100)], submitted_at=now)
    same_b = _ranked_application(offering, exams=[(80, 100)], submitted_at=now)
    ranked = [e.application_id for e in ranking_compute(offering=offering)]
    assert ranked == [early.pk, late.pk, same_a.pk, same_b.pk]


def test_only_decided_applications_are_ranked(db):
    cycle = closed_cycle()
    offering = make_offering(cycle, slug="law", scholarship_seats=2)
    ranked_ids = set()
    for status in ApplicationStatus.values:
        app = _ranked_application(offering, exams=[(90, 100)], status=status)
        if status in ("accepted", "waitlisted", "enrolled"):
            ranked_ids.add(app.pk)
    assert {e.application_id for e in ranking_compute(offering=offering)} == ranked_ids


def _build(cycle, offerings, count, prefix):
    make_applications(cycle, offerings, count, prefix=prefix)


def test_ranking_and_allocation_queries_do_not_grow_with_the_applications(
    db, django_assert_num_queries
):
    cycle = closed_cycle()
    offerings = [
        make_offering(cycle, slug=s, scholarship_seats=5) for s in ("law", "customs", "phil")
    ]
    make_fund(cycle, government="KZ", seats=10)
    _build(cycle, offerings, 3, "s")
    # ranking: offerings, choices, exam means, review means, awards (5); the allocation plan
    # runs the ranking again plus funds and two live-award counts (8).
    with django_assert_num_queries(13):
        ranking_compute_cycle(cycle=cycle)
        allocation_plan(cycle=cycle)
    _build(cycle, offerings, 60, "m")
    with django_assert_num_queries(13):
        ranking_compute_cycle(cycle=cycle)
        allocation_plan(cycle=cycle)


# --- Published snapshots and the public pages -----------------------------------------------
def test_publish_stores_an_anonymous_dated_snapshot_and_old_ones_stay(db, client):
    cycle = closed_cycle()
    offering = make_offering(cycle, slug="law", scholarship_seats=2)
    staff = StaffFactory()
    first = _ranked_application(offering, exams=[(90, 100)], reference="KZO-2025-000001")
    second = _ranked_application(offering, exams=[(70, 100)], reference="KZO-2025-000002")
    AwardFactory(application=first, offering=offering, fund=FundFactory(cycle=cycle))
    old = ranking_publish(offering=offering, actor=staff)
    assert old.rows == [
        {
            "rank": 1,
            "reference": "KZO-2025-000001",
            "score": "90.00",
            "priority": 1,
            "outcome": "scholarship_offered",
        },
        {
            "rank": 2,
            "reference": "KZO-2025-000002",
            "score": "70.00",
            "priority": 1,
            "outcome": "admitted",
        },
    ]
    second.status = ApplicationStatus.WITHDRAWN
    second.save()
    new = ranking_publish(offering=offering, actor=staff)
    assert len(new.rows) == 1

    response = client.get(reverse("rankings:list"))
    assert response.status_code == 200
    assert reverse("rankings:detail", args=[old.pk]) in response.content.decode()
    old_page = client.get(reverse("rankings:detail", args=[old.pk])).content.decode()
    assert "KZO-2025-000002" in old_page
    assert "A newer ranking was published" in old_page
    # Anonymous: no names, no e-mail addresses.
    assert first.applicant.email not in old_page
    assert "Айгерім" not in old_page


def test_unknown_snapshot_is_404(db, client):
    assert client.get(reverse("rankings:detail", args=[999])).status_code == 404


@pytest.mark.parametrize("rows, offerings", [(1, 1), (200, 6)])
def test_public_ranking_pages_keep_one_query_budget(
    db, client, django_assert_max_num_queries, rows, offerings
):
    cycle = closed_cycle()
    snapshot = None
    for index in range(offerings):
        offering = make_offering(cycle, slug=f"p{index}", scholarship_seats=1)
        for _ in range(2):
            snapshot = RankingSnapshot.objects.create(
                offering=offering,
                rows=[
                    {
                        "rank": i + 1,
                        "reference": f"KZO-2025-{i:06d}",
                        "score": "80.00",
                        "priority": 1,
                        "outcome": "admitted",
                    }
                    for i in range(rows)
                ],
            )
    with django_assert_max_num_queries(4):
        assert client.get(reverse("rankings:list")).status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get(reverse("rankings:detail", args=[snapshot.pk])).status_code == 200


def _snapshot_of(rows: int, outcome: str = "admitted", offering=None) -> RankingSnapshot:
    offering = offering or make_offering(closed_cycle(), slug="rows", scholarship_seats=1)
    return RankingSnapshot.objects.create(
        offering=offering,
        rows=[
            {
                "rank": i + 1,
                "reference": f"KZO-2025-{i:06d}",
                "score": "80.50",
                "priority": 1,
                "outcome": outcome,
            }
            for i in range(rows)
        ],
    )


def test_published_rows_are_rendered_once_per_language_and_outlive_page_invalidation(
    db, client, django_assert_max_num_queries
):
    from programs.page_cache import public_pages_invalidate

    snapshot = _snapshot_of(300, outcome="waitlisted")
    url = reverse("rankings:detail", args=[snapshot.pk])
    first = client.get(url)
    assert "admissions/rankings/_rows.html" in [t.name for t in first.templates]
    public_pages_invalidate()  # an award or a publication: the page is rendered again...
    with django_assert_max_num_queries(4):
        again = client.get(url)
    # ...around the same rows, not rendered again.
    assert "admissions/rankings/_rows.html" not in [t.name for t in again.templates]

    def tbody(response):
        page = response.content.decode()
        return page[page.index("<tbody>") : page.index("</tbody>")]

    assert tbody(again) == tbody(first)
    assert tbody(again).count("<tr><td>") == 300
    # Another language has its own rows (the outcome translated).
    russian = client.get(url.replace("/en/", "/ru/")).content.decode()
    assert "admissions/rankings/_rows.html" in [
        t.name for t in client.get(url.replace("/en/", "/kk/")).templates
    ]
    assert "Waitlisted" in first.content.decode() and "Waitlisted" not in russian


def test_rows_html_is_the_markup_of_the_rows_template(db):
    from django.template.loader import render_to_string
    from django.utils import translation

    from admissions.scholarships.ranking_views import ranking_rows_html

    snapshot = _snapshot_of(3, outcome="scholarship_offered")
    with translation.override("kk"):
        expected = render_to_string("admissions/rankings/_rows.html", {"rows": snapshot.rows})
        assert ranking_rows_html(snapshot) == expected  # rendered
        assert ranking_rows_html(snapshot) == expected  # from the cache
    empty = _snapshot_of(0, offering=snapshot.offering)
    assert "Nobody is ranked in this list." in ranking_rows_html(empty)


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_rows_markup_stays_small_per_row(db, language):
    """The biggest published lists have thousands of rows: each row is one line without
    classes or end tags (the columns are styled by the table's stylesheet), so the page
    stays small. (About 60 bytes in English, 75 in Russian and Kazakh; it was 200.)"""
    from django.utils import translation

    from admissions.scholarships.ranking_views import ranking_rows_html

    outcomes = ("admitted", "waitlisted")
    snapshot = RankingSnapshot.objects.create(
        offering=make_offering(closed_cycle(), slug="size", scholarship_seats=1),
        rows=[
            {
                "rank": 10_000 + i,
                "reference": f"KZO-2025-{i:06d}",
                "score": "80.50",
                "priority": 1 + i % 3,
                "outcome": outcomes[i % 2],
            }
            for i in range(200)
        ],
    )
    with translation.override(language):
        html = ranking_rows_html(snapshot)
    size = len(html.encode())
    assert html.count("<tr>") == 200
    assert size / 200 <= 90, f"{size / 200:.0f} bytes per row"


def test_the_owners_rows_differ_from_everybody_elses_only_in_their_own_row(db, client):
    from admissions.scholarships.ranking_views import ranking_rows_html

    snapshot = _snapshot_of(50, outcome="scholarship_offered")
    anonymous = ranking_rows_html(snapshot).split("\n")
    marked = ranking_rows_html(snapshot, {"KZO-2025-000007"}).split("\n")
    assert len(marked) == len(anonymous)
    changed = [i for i, (a, b) in enumerate(zip(anonymous, marked, strict=True)) if a != b]
    assert changed == [7]
    assert marked[7].startswith('<tr class="table-primary own-row" id="your-row"')
    assert "KZO-2025-000007 <span" in marked[7] and "Scholarship offered" in marked[7]

"""Where an applicant stands: place and reason per chosen program, in each outcome of the
allocation; held decisions never told; ordinals in each language; cached, with a fixed
number of queries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from admissions.enums import ApplicationStatus
from admissions.scholarships.ranking import ranking_publish
from admissions.scholarships.standing import Outcome, application_standing, ordinal
from admissions.selectors import application_current_full
from tests.admissions.scholarship_data import (
    closed_cycle,
    make_applications,
    make_fund,
    make_offering,
    ranked_applicant,
)
from tests.factories import (
    AwardFactory,
)

pytestmark = pytest.mark.django_db

applicant = ranked_applicant


def standing_of(application):
    """The standing as the dashboard computes it (application loaded by its selector)."""
    loaded = application_current_full(application.applicant, open_cycle=None)
    return application_standing(application=loaded)


@pytest.fixture
def cycle():
    cycle = closed_cycle(total=10)
    make_fund(cycle, government="KZ", seats=10)
    return cycle


def test_placed_applicant_is_told_their_place_within_the_seats(cycle):
    law = make_offering(cycle, slug="law", scholarship_seats=2, seats=30)
    application = applicant(cycle, 90, [law])
    standing = standing_of(application)
    (choice,) = standing.choices
    assert choice.outcome == Outcome.PLACED
    assert (choice.place, choice.ranked_count) == (1, 1)
    assert (choice.pass_mark, choice.seats, choice.scholarship_seats) == (Decimal(50), 30, 2)
    assert choice.reason.startswith("Ranked 1st for 2 scholarship seats: within the seats")
    assert standing.admitted == choice
    assert "taught in Kazakh" in choice.label and "(Bachelor" in choice.label


def test_below_the_pass_mark_says_by_how_many_points(cycle):
    law = make_offering(cycle, slug="law", scholarship_seats=2, pass_mark="50")
    customs = make_offering(cycle, slug="customs", scholarship_seats=2, pass_mark="40")
    application = applicant(cycle, Decimal("46.5"), [law, customs])
    first, second = standing_of(application).choices
    assert first.outcome == Outcome.BELOW_PASS_MARK
    assert first.place is None
    assert first.reason == "Below the pass mark (50) by 3.5 points: not ranked for this program."
    # Ranked for the second choice, so placed there.
    assert second.outcome == Outcome.PLACED and second.place == 1
    with translation.override("ru"):
        words = standing_of(application).choices[0].reason
    assert "на 3,5 балла" in words and "(50)" in words


def test_no_seat_says_the_rank_the_seats_and_the_open_offers_ahead(cycle):
    law = make_offering(cycle, slug="law", scholarship_seats=2)
    fund = cycle.funds.get()
    ahead = [applicant(cycle, score, [law]) for score in (95, 92)]
    respond_by = [timezone.now() + timedelta(days=d) for d in (3, 9)]
    for holder, by in zip(ahead, respond_by, strict=True):
        AwardFactory(application=holder, fund=fund, offering=law, respond_by=by)
    application = applicant(cycle, 80, [law])
    (choice,) = standing_of(application).choices
    assert choice.outcome == Outcome.SEATS_TAKEN
    assert (choice.place, choice.ranked_count) == (3, 3)
    expected_date = timezone.localtime(respond_by[1]).strftime("%-d %B %Y")
    assert choice.reason == (
        "Ranked 3rd for 2 scholarship seats: the seats are taken by applicants ranked "
        f"higher. 2 offers ahead of you are still open; those not accepted by {expected_date} "
        "go to the next applicants."
    )
    # An accepted offer is not open: only the other one is still counted.
    ahead[0].awards.update(state="accepted")
    ahead[1].save()  # any change of the ranked data makes the standing stale
    (choice,) = standing_of(application).choices
    assert "1 offer ahead of you is still open" in choice.reason


def test_no_eligible_fund_is_the_reason_for_every_ranked_choice():
    cycle = closed_cycle(total=10)
    make_fund(cycle, government="RU", seats=10, citizenships=["RU"])
    law = make_offering(cycle, slug="law", scholarship_seats=2)
    application = applicant(cycle, 90, [law], citizenship="KZ")
    (choice,) = standing_of(application).choices
    assert choice.outcome == Outcome.NOT_ELIGIBLE
    assert choice.place == 1
    assert choice.reason == (
        "Ranked 1st of 1. No scholarship fund accepts your citizenship, so no scholarship "
        "can be offered."
    )


def test_placed_in_a_higher_choice_releases_the_lower_ones(cycle):
    offerings = [make_offering(cycle, slug=s, scholarship_seats=2) for s in ("a", "b", "c")]
    application = applicant(cycle, 90, offerings)
    first, second, third = standing_of(application).choices
    assert first.outcome == Outcome.PLACED
    assert second.outcome == third.outcome == Outcome.RELEASED
    assert second.reason == "Placed in your 1st choice, so this choice is released."
    assert second.place == 1  # still ranked there
    with translation.override("ru"):
        assert "1-му приоритету" in standing_of(application).choices[1].reason
    with translation.override("kk"):
        assert "1-ші" in standing_of(application).choices[2].reason


def test_a_higher_choice_without_a_seat_says_so_and_the_next_is_placed(cycle):
    full = make_offering(cycle, slug="full", scholarship_seats=1)
    open_ = make_offering(cycle, slug="open", scholarship_seats=2)
    applicant(cycle, 99, [full])
    application = applicant(cycle, 90, [full, open_])
    first, second = standing_of(application).choices
    assert first.outcome == Outcome.SEATS_TAKEN and first.place == 2
    assert second.outcome == Outcome.PLACED


def test_holding_an_offer_names_it_and_releases_lower_choices(cycle):
    law, customs = (make_offering(cycle, slug=s, scholarship_seats=2) for s in ("law", "cus"))
    application = applicant(cycle, 90, [law, customs])
    AwardFactory(application=application, fund=cycle.funds.get(), offering=law)
    standing = standing_of(application)
    assert [c.outcome for c in standing.choices] == [Outcome.HOLDS_OFFER, Outcome.RELEASED]
    assert standing.admitted.offering == law


def test_a_held_decision_is_told_like_an_application_in_review(cycle):
    law = make_offering(cycle, slug="law", scholarship_seats=2)
    held = applicant(cycle, 90, [law], released_status=ApplicationStatus.UNDER_REVIEW)
    in_review = applicant(cycle, 80, [law], status=ApplicationStatus.UNDER_REVIEW)
    seen_held, seen_review = standing_of(held), standing_of(in_review)
    assert not seen_held.shown
    assert seen_held.note == seen_review.note
    assert [c.place for c in seen_held.choices] == [None]
    assert [c.reason for c in seen_held.choices] == [""]
    assert seen_held.admitted is None and seen_held.score is None


def test_places_are_not_shown_while_the_list_names_a_held_decision(cycle):
    law = make_offering(cycle, slug="law", scholarship_seats=2)
    applicant(cycle, 99, [law], released_status=ApplicationStatus.UNDER_REVIEW)
    application = applicant(cycle, 80, [law])
    standing = standing_of(application)
    assert not standing.shown and "results time" in standing.note
    (choice,) = standing.choices
    assert choice.outcome == Outcome.HIDDEN and choice.place is None and choice.reason == ""


def test_drafts_have_no_standing(cycle):
    law = make_offering(cycle, slug="law", scholarship_seats=2)
    draft = applicant(cycle, 90, [law], status=ApplicationStatus.DRAFT, submitted_at=None)
    assert standing_of(draft) is None


def test_place_in_the_last_published_list(cycle):
    law = make_offering(cycle, slug="law", scholarship_seats=2)
    applicant(cycle, 99, [law])
    application = applicant(cycle, 90, [law])
    snapshot = ranking_publish(offering=law)
    applicant(cycle, 95, [law])  # after the publication: one more ahead now
    (choice,) = standing_of(application).choices
    assert (choice.published_place, choice.published_snapshot_id) == (2, snapshot.pk)
    assert choice.place == 3


@pytest.mark.parametrize(
    ("language", "numbers", "expected"),
    [
        (
            "en",
            [1, 2, 3, 4, 11, 12, 13, 21, 112, 212],
            "1st 2nd 3rd 4th 11th 12th 13th 21st 112th 212th",
        ),
        (
            "kk",
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 212, 1000],
            "1-ші 2-ші 3-ші 4-ші 5-ші 6-шы 7-ші 8-ші 9-шы 10-шы 20-шы 30-шы 40-шы 50-ші 60-шы "
            "70-ші 80-ші 90-шы 100-ші 212-ші 1000-шы",
        ),
        ("ru", [1, 212], "1-й 212-й"),
    ],
)
def test_ordinals_in_each_language(language, numbers, expected):
    with translation.override(language):
        assert " ".join(ordinal(n) for n in numbers) == expected


def test_russian_ordinals_agree_with_their_word():
    with translation.override("ru"):
        forms = [ordinal(2, form=f) for f in ("masculine", "neuter", "dative", "prepositional")]
    assert forms == ["2-й", "2-е", "2-му", "2-м"]
    with translation.override("kk"):
        assert ordinal(2, form="dative") == "2-ші"
    with pytest.raises(KeyError):
        ordinal(2, form="genitive")


def test_a_cached_standing_costs_no_query_and_a_fresh_one_a_fixed_number(cycle):
    offerings = [make_offering(cycle, slug=s, scholarship_seats=5) for s in ("a", "b", "c")]
    application = applicant(cycle, 90, offerings)
    loaded = application_current_full(application.applicant, open_cycle=None)
    counts = []
    for extra in (0, 60):
        make_applications(cycle, offerings, extra, prefix=f"x{extra}") if extra else None
        application.save()  # the ranked data changed: computed afresh
        loaded = application_current_full(application.applicant, open_cycle=None)
        with CaptureQueriesContext(connection) as fresh:
            application_standing(application=loaded)
        counts.append(len(fresh))
        with CaptureQueriesContext(connection) as cached:
            application_standing(application=loaded)
        assert len(cached) == 0
    assert counts[0] == counts[1] <= 10


def test_a_change_of_what_the_ranking_reads_is_seen_at_once(cycle):
    law = make_offering(cycle, slug="law", scholarship_seats=1)
    application = applicant(cycle, 80, [law])
    assert standing_of(application).choices[0].outcome == Outcome.PLACED
    stronger = applicant(cycle, 95, [law])  # a new ranked application: ahead now
    (choice,) = standing_of(application).choices
    assert (choice.outcome, choice.place) == (Outcome.SEATS_TAKEN, 2)
    stronger.status = ApplicationStatus.WITHDRAWN
    stronger.save(update_fields=["status", "updated_at"])
    assert standing_of(application).choices[0].outcome == Outcome.PLACED
    law.pass_mark = Decimal("85")
    law.save()
    assert standing_of(application).choices[0].outcome == Outcome.BELOW_PASS_MARK


def test_a_draft_saving_its_progress_keeps_the_cached_standing(cycle, django_assert_num_queries):
    law = make_offering(cycle, slug="law", scholarship_seats=1)
    application = applicant(cycle, 80, [law])
    draft = applicant(cycle, 99, [law], status=ApplicationStatus.DRAFT, submitted_at=None)
    loaded = application_current_full(application.applicant, open_cycle=None)
    application_standing(application=loaded)
    draft.completed_steps = ["personal"]
    draft.save(update_fields=["completed_steps", "updated_at"])
    with django_assert_num_queries(0):
        application_standing(application=loaded)


def test_while_another_process_computes_the_last_standing_is_served(cycle):
    from django.core.cache import cache

    from admissions.scholarships import standing

    law = make_offering(cycle, slug="law", scholarship_seats=1)
    application = applicant(cycle, 80, [law])
    loaded = application_current_full(application.applicant, open_cycle=None)
    assert application_standing(application=loaded).choices[0].place == 1
    applicant(cycle, 95, [law])  # a new version...
    versions = standing._versions(cycle.pk)
    cache.add(f"standing:{cycle.pk}:{versions[0]}:{versions[1]}:computing", 1)  # ...in work
    with CaptureQueriesContext(connection) as queries:
        served = application_standing(application=loaded)
    assert served.choices[0].place == 1 and len(queries) == 0  # the last complete one
    cache.delete(f"standing:{cycle.pk}:{versions[0]}:{versions[1]}:computing")
    assert application_standing(application=loaded).choices[0].place == 2

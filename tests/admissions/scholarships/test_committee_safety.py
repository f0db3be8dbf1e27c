"""The committee's pages say what an action will do before it is done, offer only what the
services would accept, and mark applicants nobody has reviewed."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from admissions.errors import DomainError
from admissions.models import Application, RankingSnapshot, Review, ScholarshipAward
from admissions.scholarships.ranking import ranking_publish
from tests.admissions.scholarship_data import (
    closed_cycle,
    make_applications,
    make_fund,
    make_offering,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranked():
    cycle = closed_cycle(total=10)
    offering = make_offering(cycle, slug="law", scholarship_seats=5, pass_mark="0")
    fund = make_fund(cycle, government="RU", seats=5, citizenships=("RU",))
    applications = make_applications(
        cycle,
        [offering],
        4,
        citizenship=lambda i: "RU" if i % 2 else "KZ",
    )
    return offering, fund, applications


def offer_forms(html: str) -> int:
    return html.count('name="offer"')


def test_rows_without_an_eligible_fund_have_no_offer_button(committee, ranked):
    offering, _fund, _applications = ranked
    html = committee.get(reverse("admin:awards_ranking", args=[offering.pk])).text
    # Two Russian citizens can get the Russian fund; the two Kazakh citizens cannot.
    assert offer_forms(html) == 2
    assert html.count("No eligible fund with a seat left.") == 2
    assert "No eligible fund</option>" not in html


def test_no_offer_button_when_the_programs_seats_are_taken(committee, ranked):
    offering, _fund, _applications = ranked
    offering.scholarship_seats = 0
    offering.save()
    html = committee.get(reverse("admin:awards_ranking", args=[offering.pk])).text
    assert offer_forms(html) == 0
    assert "No scholarship seat of this program is left." in html


def test_unreviewed_applicants_are_marked(committee, ranked):
    offering, _fund, applications = ranked
    reviewer = get_user_model().objects.create(username="reviewer", is_staff=True)
    Review.objects.create(application=applications[0], reviewer=reviewer, score=70)
    url = reverse("admin:awards_ranking", args=[offering.pk])
    html = committee.get(url).text
    assert html.count('class="unreviewed"') == 3
    assert "3 ranked applicants are not reviewed yet" in html
    preview = committee.post(url, {"publish": "1"}).text
    assert "3 applicants in this list are not reviewed yet" in preview
    assert preview.count("(not reviewed)") == 3


def test_the_publication_preview_shows_exactly_what_will_be_public(committee, ranked):
    offering, _fund, applications = ranked
    url = reverse("admin:awards_ranking", args=[offering.pk])
    preview = committee.post(url, {"publish": "1"}).text
    for application in applications:
        assert application.reference in preview
    assert "Тест" not in preview  # no names
    assert not RankingSnapshot.objects.exists()
    committee.post(url, {"publish": "1", "confirm": "1"})
    snapshot = RankingSnapshot.objects.get()
    assert {row["reference"] for row in snapshot.rows} == {a.reference for a in applications}


def test_held_decisions_block_offers_and_publication(committee, ranked):
    offering, fund, applications = ranked
    Application.objects.filter(pk=applications[1].pk).update(released_status="under_review")
    url = reverse("admin:awards_ranking", args=[offering.pk])
    html = committee.get(url).text
    assert "not released" in html
    assert offer_forms(html) == 1  # the other Russian citizen only
    assert "1 decision in this list is not released yet" in html
    assert 'name="publish"' not in html
    preview = committee.post(url, {"publish": "1"}).text
    assert "Confirm: publish this ranking" not in preview
    committee.post(url, {"publish": "1", "confirm": "1"})
    assert not RankingSnapshot.objects.exists()
    with pytest.raises(DomainError):
        ranking_publish(offering=offering)
    offer = {"offer": "1", "application": applications[1].pk, "fund": fund.pk, "confirm": "1"}
    committee.post(url, offer)
    assert not ScholarshipAward.objects.exists()


def test_an_offer_preview_for_a_fund_that_does_not_fit_has_no_confirm_button(committee, ranked):
    offering, fund, applications = ranked
    url = reverse("admin:awards_ranking", args=[offering.pk])
    kazakh = applications[0]  # i = 0: KZ, not eligible for the Russian fund
    preview = committee.post(url, {"offer": "1", "application": kazakh.pk, "fund": fund.pk}).text
    assert "No eligible fund with a seat left." in preview
    assert "Confirm: send the offer" not in preview
    assert committee.post(url, {"offer": "1", "application": kazakh.pk}).status_code == 404


@pytest.mark.parametrize("page", ["ranking", "publish_preview"])
def test_committee_lists_stay_within_a_fixed_query_budget(
    committee, django_assert_max_num_queries, page
):
    cycle = closed_cycle(total=500)
    offering = make_offering(cycle, slug="law", scholarship_seats=400, pass_mark="0")
    make_fund(cycle, government="KZ", seats=400)
    url = reverse("admin:awards_ranking", args=[offering.pk])

    def load():
        if page == "ranking":
            return committee.get(url)
        return committee.post(url, {"publish": "1"})

    make_applications(cycle, [offering], 5, prefix="few")
    with django_assert_max_num_queries(25) as few:
        assert load().status_code == 200
    make_applications(cycle, [offering], 395, prefix="many")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = load()
    assert response.status_code == 200
    assert response.text.count("KZO-") >= 400

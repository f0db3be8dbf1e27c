"""The dashboard's "Your place": place and reason per chosen program in each allocation
outcome, the program an accepted applicant is placed in, no decision told before its
time, no invitation to apply again while holding a place; a fixed query budget."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from admissions.enums import ApplicationStatus
from tests.admissions.scholarship_data import (
    closed_cycle,
    make_applications,
    make_fund,
    make_offering,
    ranked_applicant,
)
from tests.factories import (
    AwardFactory,
    CycleFactory,
)

pytestmark = pytest.mark.django_db

applicant = ranked_applicant


def dashboard(client, application, language="en"):
    client.force_login(application.applicant)
    with translation.override(language):
        url = reverse("admissions:dashboard")
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def text(page: str) -> str:
    """The visible text of a page, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def cycle():
    cycle = closed_cycle(total=10)
    make_fund(cycle, government="KZ", seats=10)
    return cycle


def test_placed_applicant_sees_place_pass_mark_seats_and_reason(client, cycle):
    law = make_offering(cycle, slug="law", scholarship_seats=2, seats=30, pass_mark="55")
    page = text(dashboard(client, applicant(cycle, 90, [law])))
    assert "Your place" in page
    assert "Your ranking score: 90.00" in page
    assert "Choice 1 Program law (Bachelor's), taught in Kazakh" in page
    assert "Ranked 1st for 2 scholarship seats: within the seats" in page
    assert "Place in the current ranking 1st of 1" in page
    assert "Pass mark 55" in page and "Places 30" in page and "Scholarship seats 2" in page
    assert "Place in the last published list none published yet" in page


def test_below_the_pass_mark_is_told_by_how_much(client, cycle):
    law = make_offering(cycle, slug="law", scholarship_seats=2, pass_mark="50")
    page = text(dashboard(client, applicant(cycle, Decimal("46.5"), [law])))
    assert "Below the pass mark (50) by 3.5 points: not ranked for this program." in page
    assert "Place in the current ranking not ranked" in page


def test_no_seat_names_the_rank_and_the_open_offers_ahead(client, cycle):
    law = make_offering(cycle, slug="law", scholarship_seats=1)
    holder = applicant(cycle, 95, [law])
    respond_by = timezone.now() + timedelta(days=5)
    AwardFactory(application=holder, fund=cycle.funds.get(), offering=law, respond_by=respond_by)
    page = text(dashboard(client, applicant(cycle, 80, [law])))
    assert (
        "Ranked 2nd for 1 scholarship seat: the seat is taken by applicants ranked higher." in page
    )
    when = timezone.localtime(respond_by).strftime("%-d %B %Y")
    assert f"1 offer ahead of you is still open; if it is not accepted by {when}" in page


def test_no_eligible_fund_is_the_reason(client):
    cycle = closed_cycle(total=10)
    make_fund(cycle, government="RU", seats=10, citizenships=["RU"])
    law = make_offering(cycle, slug="law", scholarship_seats=2)
    page = text(dashboard(client, applicant(cycle, 90, [law], citizenship="KZ")))
    assert "No scholarship fund accepts your citizenship" in page


def test_placed_in_the_first_choice_releases_the_others(client, cycle):
    offerings = [make_offering(cycle, slug=s, scholarship_seats=5) for s in ("a", "b", "c")]
    page = text(dashboard(client, applicant(cycle, 90, offerings)))
    assert page.count("Placed in your 1st choice, so this choice is released.") == 2
    # In Kazakh and Russian as well, with the ordinals of each language.
    kazakh = text(dashboard(client, applicant(cycle, 89, offerings), language="kk"))
    assert "1-ші басымдық бойынша орын алдыңыз" in kazakh
    assert "Рейтингте 2-ші орындасыз" in kazakh
    russian = text(dashboard(client, applicant(cycle, 88, offerings), language="ru"))
    assert "Вы проходите по 1-му приоритету" in russian
    assert "Вы на 3-м месте в рейтинге" in russian and "3-е из 3" in russian


def test_accepted_names_the_program_with_level_and_language(client, cycle):
    law, customs = (make_offering(cycle, slug=s, scholarship_seats=2) for s in ("law", "customs"))
    application = applicant(cycle, 90, [law, customs])
    AwardFactory(application=application, fund=cycle.funds.get(), offering=customs)
    page = dashboard(client, application)
    program = "Program customs (Bachelor's), taught in Kazakh"
    assert f'id="admitted-to">Program: <strong>{program}</strong>' in page
    # The offer card names it the same way.
    offer = page[page.index('id="offer-title"') :]
    assert program in offer[: offer.index("</dl>")]


def test_a_held_decision_shows_what_an_application_in_review_shows(client, cycle):
    law = make_offering(cycle, slug="law", scholarship_seats=2)
    held = applicant(cycle, 90, [law], released_status=ApplicationStatus.UNDER_REVIEW)
    in_review = applicant(cycle, 90, [law], status=ApplicationStatus.UNDER_REVIEW)
    held_page, review_page = text(dashboard(client, held)), text(dashboard(client, in_review))
    for page in (held_page, review_page):
        assert "You are ranked once the admissions office has decided" in page
        assert "Your ranking score" not in page
        assert "Place in the current ranking" not in page
        assert "Ranked" not in page and "Accepted" not in page
        assert "admitted-to" not in page
        assert "Place in the last published list" not in page


def test_an_applicant_holding_an_offer_is_not_invited_to_apply_again(client):
    now = timezone.now()
    old = CycleFactory(
        opens_at=now - timedelta(days=400),
        closes_at=now - timedelta(days=300),
        results_at=now - timedelta(days=290),
    )
    CycleFactory()  # open now
    law = make_offering(old, slug="law", scholarship_seats=2)
    application = applicant(old, 90, [law])
    AwardFactory(
        application=application, fund=make_fund(old, government="KZ", seats=5), offering=law
    )
    assert "Start your application" not in dashboard(client, application)
    # A rejected applicant of the old cycle is invited.
    rejected = applicant(old, 40, [law], status=ApplicationStatus.REJECTED)
    assert "Start your application" in dashboard(client, rejected)


@pytest.mark.parametrize("others", [1, 120])
def test_dashboard_of_a_ranked_applicant_keeps_its_query_budget(
    client, cycle, django_assert_max_num_queries, django_assert_num_queries, others
):
    offerings = [make_offering(cycle, slug=s, scholarship_seats=5) for s in ("a", "b", "c")]
    make_applications(cycle, offerings, others, prefix=f"o{others}")
    application = applicant(cycle, 90, offerings)
    AwardFactory(application=application, fund=cycle.funds.get(), offering=offerings[0])
    client.force_login(application.applicant)
    url = reverse("admissions:dashboard")
    # First view after a change: the cycle is ranked and allocated, a fixed number of
    # queries whatever the number of applicants (and the office's contacts and the cycle's
    # next steps, read once).
    with django_assert_max_num_queries(20):
        client.get(url)
    # Every later view until the data changes: from the cache. The session, the user, the
    # application, its choices, documents, audit rows and awards.
    with django_assert_max_num_queries(7):
        page = client.get(url).content.decode()
    assert "Your place" in page and "Place in the current ranking" in page


def test_the_offer_page_names_level_and_language(client, cycle):
    customs = make_offering(cycle, slug="customs", scholarship_seats=2)
    application = applicant(cycle, 90, [customs])
    award = AwardFactory(application=application, fund=cycle.funds.get(), offering=customs)
    client.force_login(application.applicant)
    with translation.override("ru"):
        url = reverse("admissions:award_detail", args=[award.pk])
    content = html.unescape(client.get(url).content.decode())
    assert "Program customs (Бакалавриат), язык обучения: Kazakh" in content

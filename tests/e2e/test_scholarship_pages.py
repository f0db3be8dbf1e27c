"""Browser walk through the scholarship pages (offer card, accept, public ranking, admin).

Screenshots go to $SCREENSHOT_DIR (default: the test's tmp folder) for a visual check.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.test import Client

from admissions.enums import AwardState
from admissions.models import ScholarshipAward
from admissions.scholarships.allocation import allocation_run
from admissions.scholarships.ranking import ranking_publish
from tests.admissions.scholarship_data import (
    closed_cycle,
    make_applications,
    make_fund,
    make_offering,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    yield context
    context.close()


def _login(context, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_applicant_accepts_an_offer_and_the_public_sees_the_ranking(
    browser_page, live_server, tmp_path
):
    shots = Path(os.environ.get("SCREENSHOT_DIR", tmp_path))
    cycle = closed_cycle(total=3)
    offerings = [
        make_offering(cycle, slug="law", scholarship_seats=2, pass_mark="40"),
        make_offering(cycle, slug="customs", scholarship_seats=1, pass_mark="40"),
    ]
    make_fund(cycle, government="KZ", seats=2, position=0)
    make_fund(cycle, government="RU", seats=1, position=1)
    make_applications(cycle, offerings, 12, choices_per_application=2)
    allocation_run(cycle=cycle)
    snapshot = ranking_publish(offering=offerings[0])
    award = ScholarshipAward.objects.select_related("application__applicant").first()

    context = browser_page
    _login(context, live_server, award.application.applicant)
    page = context.new_page()
    page.goto(f"{live_server.url}/en/applicant/offers/{award.pk}/")
    page.screenshot(path=str(shots / "offer_detail.png"), full_page=True)
    page.get_by_role("link", name="Accept the scholarship").click()
    page.screenshot(path=str(shots / "offer_accept.png"), full_page=True)
    page.get_by_label("I accept this scholarship").check()
    page.get_by_role("button", name="Confirm and accept").click()
    page.screenshot(path=str(shots / "offer_accepted.png"), full_page=True)
    assert page.get_by_text("Your place is confirmed").is_visible()
    award.refresh_from_db()
    assert award.state == AwardState.ACCEPTED

    other = ScholarshipAward.objects.exclude(pk=award.pk).first()
    response = page.goto(f"{live_server.url}/en/applicant/offers/{other.pk}/decline/")
    assert response.status == 404

    # The offer card as the dashboard shows it (the dashboard includes this partial).
    from django.template import Context, Template

    card = Template(
        '{% extends "base.html" %}{% block content %}<h1>My application</h1>'
        '{% include "admissions/partials/scholarship_offer.html" %}{% endblock %}'
    ).render(Context({"application": other.application}))
    card_page = context.new_page()
    card_page.goto(f"{live_server.url}/en/rankings/")  # same origin for the styles
    card_page.set_content(card.replace('"/static/', f'"{live_server.url}/static/'))
    card_page.screenshot(path=str(shots / "offer_card.png"), full_page=True)
    assert card_page.get_by_role("link", name="Accept the scholarship").is_visible()

    public = context.new_page()
    public.set_viewport_size({"width": 390, "height": 844})
    public.goto(f"{live_server.url}/en/rankings/")
    public.screenshot(path=str(shots / "rankings_list_mobile.png"), full_page=True)
    public.goto(f"{live_server.url}/en/rankings/{snapshot.pk}/")
    public.screenshot(path=str(shots / "ranking_detail_mobile.png"), full_page=True)
    assert public.get_by_role("heading", level=1).is_visible()

    admin_user = get_user_model().objects.create_superuser("chair", "c@example.org", "pw-123456")
    _login(context, live_server, admin_user)
    staff = context.new_page()
    staff.goto(f"{live_server.url}/en/admin/admissions/scholarshipaward/allocate/{cycle.pk}/")
    staff.screenshot(path=str(shots / "admin_allocation.png"), full_page=True)
    staff.goto(
        f"{live_server.url}/en/admin/admissions/scholarshipaward/ranking/{offerings[0].pk}/"
    )
    staff.screenshot(path=str(shots / "admin_ranking.png"), full_page=True)
    staff.goto(f"{live_server.url}/en/admin/admissions/scholarshipaward/")
    staff.screenshot(path=str(shots / "admin_awards.png"), full_page=True)

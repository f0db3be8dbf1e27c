"""The committee in headless Chromium: an offer and a publication each go through a page
that says what will happen; nothing changes before "Confirm"."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from admissions.models import RankingSnapshot, ScholarshipAward
from tests.admissions.scholarship_data import (
    closed_cycle,
    make_applications,
    make_fund,
    make_offering,
)
from tests.browser_fixtures import horizontal_overflow, save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_offer_and_publication_are_confirmed_on_a_preview_page(live_server, browser):
    cycle = closed_cycle(total=10)
    offering = make_offering(cycle, slug="law", scholarship_seats=5, pass_mark="0")
    make_fund(cycle, government="RU", seats=5, citizenships=("RU",))
    make_applications(cycle, [offering], 4, citizenship=lambda i: "RU" if i % 2 else "KZ")
    get_user_model().objects.create_superuser("chair", "chair@example.org", "pw-123456-chair")
    with translation.override("ru"):
        login = live_server.url + reverse("admin:login")
        ranking = live_server.url + reverse("admin:awards_ranking", args=[offering.pk])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{login}?next={ranking}")
    page.fill("input[name=username]", "chair")
    page.fill("input[name=password]", "pw-123456-chair")
    page.click("input[type=submit]")
    page.wait_for_url(ranking)
    # Only the two Russian citizens can be offered the Russian fund.
    assert page.locator("input[name=offer]").count() == 2
    assert horizontal_overflow(page) <= 0
    save_screenshot(page, "committee-ranking")

    page.locator("input[name=offer]").first.click()
    page.wait_for_selector("input[name=confirm]")
    assert "будет предложена стипендия" in page.inner_text("#content-main")
    assert not ScholarshipAward.objects.exists()
    save_screenshot(page, "committee-offer-preview")
    page.click("input[name=confirm]")
    page.wait_for_selector(".messagelist .success")
    assert ScholarshipAward.objects.count() == 1
    assert page.locator("input[name=offer]").count() == 1

    page.click("input[name=publish]")
    page.wait_for_selector("input[name=confirm]")
    assert page.locator("#content-main table tbody tr").count() == 4
    assert not RankingSnapshot.objects.exists()
    assert horizontal_overflow(page) <= 0
    save_screenshot(page, "committee-publish-preview")
    page.click("input[name=confirm]")
    page.wait_for_selector(".messagelist .success")
    assert RankingSnapshot.objects.get().rows
    context.close()

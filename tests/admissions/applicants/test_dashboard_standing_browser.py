"""An applicant signs in on a phone (390 px) and sees, per chosen program, their place and
the reason for it; the page fits the screen in kk, ru and en, and the published ranking
marks their own row. With SCREENSHOT_DIR set, saves PNGs at 390 and 1280 px."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from admissions.enums import ApplicationStatus
from admissions.scholarships.ranking import ranking_publish
from tests.admissions.scholarship_data import closed_cycle, make_fund, make_offering
from tests.browser_fixtures import horizontal_overflow, save_screenshot
from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    AwardFactory,
    ChoiceFactory,
    ExamResultFactory,
    LanguageFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-staple"
WORDS = {
    "en": ("Your place", "Ranked 2nd for 1 scholarship seat", "Below the pass mark (95) by 15"),
    "ru": ("Ваше место", "Вы на 2-м месте в рейтинге", "Ниже проходного балла (95) на 15"),
    "kk": ("Сіздің орныңыз", "Рейтингте 2-ші орындасыз", "Өту балынан (95) 15 балл төмен"),
}


def world():
    """A closed cycle: law (1 scholarship seat, taken by an open offer to a stronger
    applicant), customs (pass mark 95) and philology (seats left); Dana ranks 2nd."""
    cycle = closed_cycle(total=10)
    fund = make_fund(cycle, government="KZ", seats=10)
    law = make_offering(cycle, slug="law", scholarship_seats=1, seats=25)
    customs = make_offering(cycle, slug="customs", scholarship_seats=2, pass_mark="95")
    philology = make_offering(cycle, slug="philology", scholarship_seats=3)
    kazakh = LanguageFactory(code="kk")
    people = []
    for number, (email, score) in enumerate((("top@example.org", 97), ("dana@example.org", 80))):
        profile = ApplicantProfileFactory(user__email=email)
        application = ApplicationFactory(
            applicant=profile.user,
            cycle=cycle,
            status=ApplicationStatus.ACCEPTED,
            reference=f"KZO-2025-00004{number}",
            scholarship_requested=True,
            submitted_at=timezone.now() - timedelta(days=40 - number),
        )
        for priority, offering in enumerate((law, customs, philology), start=1):
            ChoiceFactory(
                application=application, offering=offering, priority=priority, language=kazakh
            )
        ExamResultFactory(application=application, score=Decimal(score), max_score=Decimal(100))
        people.append(application)
    AwardFactory(application=people[0], fund=fund, offering=law)
    snapshot = ranking_publish(offering=law)
    return people[1], snapshot


def test_applicant_on_a_phone_sees_place_and_reason(live_server, browser):
    dana, snapshot = world()
    for width, height in ((390, 844), (1280, 900)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(live_server.url + reverse("account_login"))
        page.fill("input[name=login]", dana.applicant.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        for language, (heading, seats_taken, below) in WORDS.items():
            with translation.override(language):
                url = reverse("admissions:dashboard")
                ranking = reverse("rankings:detail", args=[snapshot.pk])
            page.goto(live_server.url + url)
            standing = page.locator("#standing")
            assert standing.is_visible()
            text = " ".join(standing.inner_text().split())
            assert heading in text and seats_taken in text and below in text, text
            cards = page.locator("#standing article")
            assert cards.count() == 3
            assert cards.nth(0).get_attribute("data-outcome") == "seats_taken"
            assert cards.nth(2).get_attribute("data-outcome") == "placed"
            assert page.locator("h1").count() == 1
            assert horizontal_overflow(page) <= 0, f"dashboard scrolls sideways at {width}"
            save_screenshot(page, f"standing-dashboard-{language}-{width}")
            page.goto(live_server.url + ranking)
            row = page.locator("#your-row")
            assert row.get_attribute("aria-current") == "true"
            assert "KZO-2025-000041" in row.inner_text()
            assert horizontal_overflow(page) <= 0, f"ranking scrolls sideways at {width}"
            save_screenshot(page, f"standing-ranking-{language}-{width}")
        context.close()

"""The staff dashboard in headless Chromium: every chart drawn by the locally served
Chart.js, each with its table, no console errors, no sideways scrolling."""

import pytest
from django.urls import reverse
from django.utils import translation

from admissions.enums import ApplicationStatus as S
from tests.admissions.staff_helpers import application_for, officer, reviewer, two_programs
from tests.browser_fixtures import horizontal_overflow, save_screenshot
from tests.factories import DocumentFactory, FundFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_dashboard_charts_are_drawn_with_tables(live_server, browser, language):
    first, second = two_programs()
    for index in range(6):
        application = application_for(
            first if index % 2 else second,
            status=S.UNDER_REVIEW if index % 3 else S.SUBMITTED,
        )
        DocumentFactory(application=application, kind="identity")
    FundFactory(cycle=first.cycle, name="Government of Kazakhstan", seats=100)
    reviewer(first.program, username="reviewer-one")
    staff = officer(username="officer")
    with translation.override(language):
        login = live_server.url + reverse("admin:login")
        dashboard = live_server.url + reverse("admin:admissions_application_dashboard")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The Content-Security-Policy lets the charts run (scripts from static files only).
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and errors.append(message.text),
    )
    # Every resource of the page loads (the browser's own favicon probe aside: the admin
    # declares no icon).
    page.on(
        "response",
        lambda r: r.status >= 400 and "favicon" not in r.url and errors.append(r.url),
    )
    page.goto(f"{login}?next={dashboard}")
    page.fill("input[name=username]", staff.username)
    page.fill("input[name=password]", "correct-horse-battery-staple")
    page.click("input[type=submit]")
    page.wait_for_url(dashboard)
    page.wait_for_function("() => typeof window.Chart !== 'undefined'")
    canvases = page.locator("canvas[data-chart]")
    assert canvases.count() == 5
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('canvas[data-chart]')]"
        ".map(c => Boolean(window.Chart.getChart(c)))"
    )
    assert drawn == [True] * 5
    assert page.locator("figure details table").count() == 5
    assert horizontal_overflow(page) <= 0
    save_screenshot(page, f"staff-dashboard-{language}")
    assert errors == []
    context.close()

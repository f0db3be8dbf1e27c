"""The catalogue in a real browser: filter, open a program, switch language, stay on it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.fixture
def catalogue(transactional_db):
    # Seeded before Playwright starts: its sync API runs an event loop in this thread, and
    # Django refuses database calls while one is running.
    call_command("seed", stdout=StringIO())


@pytest.fixture
def page(catalogue, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.mark.browser
def test_filter_open_program_and_switch_to_kazakh(live_server, page):
    page.goto(f"{live_server.url}/en/programs/")
    assert page.locator(".program-card").count() == 6

    page.get_by_label("Level").select_option("master")
    page.get_by_role("button", name="Show programs").click()
    page.wait_for_url("**/en/programs/?level=master*")
    assert page.locator(".program-card").count() == 3

    page.get_by_role("link", name="Customs").click()
    page.wait_for_url("**/en/programs/customs-master/")
    assert page.locator("h1").inner_text() == "Customs"

    page.get_by_role("button", name="KK").click()
    page.wait_for_url("**/kk/programs/customs-master/")
    assert page.locator("h1").inner_text() == "Кеден ісі"
    assert page.locator("html").get_attribute("lang") == "kk"

"""Sign-up, login, profile and documents pages in headless Chromium, desktop and phone width.

Asserts the pages have a heading, labelled fields and no horizontal scrolling; with
SCREENSHOT_DIR set, saves a PNG of each page there (for looking at them).
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from tests import files
from tests.factories import ApplicantProfileFactory, ApplicationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {"desktop": (1280, 900), "mobile": (375, 740)}


@pytest.fixture
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _check(page, name: str, width: str) -> None:
    assert page.locator("h1").count() >= 1
    unlabeled = page.evaluate(
        "() => [...document.querySelectorAll("
        "'main input:not([type=hidden]), main select, main textarea')]"
        ".filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))"
        ".map(el => el.name)"
    )
    assert unlabeled == [], f"{name}: fields without a label: {unlabeled}"
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name} scrolls sideways at {width} width"
    target = os.environ.get("SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{target}/{name}-{width}.png", full_page=True)


def _url(name: str, language: str) -> str:
    with translation.override(language):
        return reverse(name)


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_account_and_applicant_pages_render_well(live_server, browser, width, tmp_path):
    user = UserFactory(email="aigerim@example.org")
    ApplicantProfileFactory(user=user)
    application = ApplicationFactory(applicant=user)
    from admissions.services import document_upload

    document_upload(
        application=application,
        kind="identity",
        uploaded_file=files.pdf_upload("<b>passport</b> scan with a very long name " * 3 + ".pdf"),
        actor=user,
    )
    w, h = VIEWPORTS[width]
    context = browser.new_context(viewport={"width": w, "height": h})
    page = context.new_page()
    for name, language in (("account_signup", "kk"), ("account_login", "ru")):
        page.goto(live_server.url + _url(name, language))
        _check(page, f"{name}-{language}", width)
    # Log in through the form, by e-mail.
    page.fill("input[name=login]", "aigerim@example.org")
    page.fill("input[name=password]", "correct-horse-battery-staple")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url
    for name in ("account_email", "account_change_password"):
        page.goto(live_server.url + _url(name, "en"))
        _check(page, f"{name}-en", width)
    page.goto(live_server.url + _url("admissions:profile", "ru"))
    _check(page, "profile-ru", width)
    page.goto(live_server.url + _url("admissions:documents", "en"))
    _check(page, "documents-en", width)
    # Upload through the page: a PNG photo.
    png = tmp_path / "photo.png"
    png.write_bytes(files.png_bytes())
    page.set_input_files("#file-photo", str(png))
    page.locator("#doc-photo button[type=submit]").click()
    page.wait_for_load_state()
    assert application.documents.filter(kind="photo").exists()
    context.close()

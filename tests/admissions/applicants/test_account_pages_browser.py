"""Sign-up, login, profile and documents pages in headless Chromium, desktop and phone width.

Asserts the pages have a heading, labelled fields and no horizontal scrolling; with
SCREENSHOT_DIR set, saves a PNG of each page there (for looking at them).
"""

import pytest
from django.urls import reverse
from django.utils import translation

from tests import files
from tests.browser_fixtures import VIEWPORTS, horizontal_overflow, save_screenshot
from tests.factories import ApplicantProfileFactory, ApplicationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check(page, name: str, width: str) -> None:
    assert page.locator("h1").count() >= 1
    unlabeled = page.evaluate(
        "() => [...document.querySelectorAll("
        "'main input:not([type=hidden]), main select, main textarea')]"
        ".filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))"
        ".map(el => el.name)"
    )
    assert unlabeled == [], f"{name}: fields without a label: {unlabeled}"
    assert horizontal_overflow(page) <= 0, f"{name} scrolls sideways at {width} width"
    save_screenshot(page, f"{name}-{width}")


def _url(name: str, language: str) -> str:
    with translation.override(language):
        return reverse(name)


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_account_and_applicant_pages_render_well(live_server, browser, width, tmp_path):
    user = UserFactory(email="aigerim@example.org")
    ApplicantProfileFactory(user=user)
    application = ApplicationFactory(applicant=user)
    from admissions.documents.services import document_upload

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
    # The page's script sends the file, then loads the page again.
    with page.expect_navigation():
        page.locator("#doc-photo button[type=submit]").click()
    page.wait_for_load_state()
    assert application.documents.filter(kind="photo").exists()
    context.close()

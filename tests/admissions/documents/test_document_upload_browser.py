"""The documents page in headless Chromium at phone width (390 px): a two-page passport is
uploaded with its progress shown; an oversized or wrongly typed file is refused in the
browser before any request is sent. With SCREENSHOT_DIR set, saves PNGs of the upload
page and the education step in kk, ru and en."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from admissions.models import Document
from tests import files
from tests.browser_fixtures import horizontal_overflow, save_screenshot
from tests.factories import ApplicantProfileFactory, ApplicationFactory, CycleFactory, steps_done

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 390, 844
PASSWORD = "correct-horse-battery-staple"

# Reports every value the upload's progress bar takes (and whether it is shown).
PROGRESS_WATCH = """
document.addEventListener("DOMContentLoaded", () => {
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      const target = record.target;
      if (target.getAttribute && target.getAttribute("role") === "progressbar") {
        window.reportProgress(target.getAttribute("aria-valuenow"));
      } else if (target.matches && target.matches("[data-upload-progress]") && !target.hidden) {
        window.reportProgress("shown");
      }
    }
  });
  observer.observe(document.body, {attributes: true, subtree: true,
    attributeFilter: ["aria-valuenow", "hidden"]});
});
"""


def _url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


@pytest.fixture
def applicant():
    profile = ApplicantProfileFactory(user__email="aru@example.org")
    ApplicationFactory(applicant=profile.user, cycle=CycleFactory(), completed_steps=steps_done(5))
    return profile.user


def _logged_in_page(browser, live_server, language="en"):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    page.goto(live_server.url + _url("account_login", language))
    page.fill("input[name=login]", "aru@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    return context, page


def _posts(page, live_server) -> list[str]:
    sent: list[str] = []
    page.on(
        "request",
        lambda request: sent.append(request.url) if request.method == "POST" else None,
    )
    return sent


def test_a_two_page_passport_is_uploaded_with_progress_shown(live_server, browser, applicant):
    context, page = _logged_in_page(browser, live_server)
    seen: list[str] = []
    page.expose_function("reportProgress", lambda value: seen.append(value))
    page.add_init_script(PROGRESS_WATCH)
    page.goto(live_server.url + _url("admissions:documents"))
    sent = _posts(page, live_server)
    page.set_input_files(
        "#file-identity",
        [
            {"name": "page1.pdf", "mimeType": "application/pdf", "buffer": files.pdf_bytes()},
            {"name": "page2.png", "mimeType": "image/png", "buffer": files.png_bytes()},
        ],
    )
    with page.expect_navigation():
        page.click("#doc-identity form[data-upload] button[type=submit]")
    page.wait_for_load_state()
    assert len(sent) == 1
    assert "shown" in seen and "100" in seen, seen
    document = Document.objects.get(application__applicant=applicant, kind="identity")
    assert document.page_count == 2
    item = page.inner_text("#doc-identity")
    assert "page1.pdf" in item and "page2.png" in item and "Page 2" in item
    assert horizontal_overflow(page) <= 0
    save_screenshot(page, "forms-documents-two-pages-en-390")
    context.close()


def test_an_oversized_or_wrong_file_is_refused_before_sending(
    live_server, browser, applicant, settings
):
    settings.DOCUMENT_MAX_BYTES = 50_000
    context, page = _logged_in_page(browser, live_server, "ru")
    page.goto(live_server.url + _url("admissions:documents", "ru"))
    sent = _posts(page, live_server)
    page.set_input_files(
        "#file-photo",
        [{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8" + b"0" * 60_000}],
    )
    page.click("#doc-photo form[data-upload] button[type=submit]")
    status = page.locator("#upload-status-photo")
    assert "слишком большой" in status.inner_text()
    assert page.locator("#file-photo").get_attribute("aria-invalid") == "true"
    page.set_input_files(
        "#file-photo",
        [{"name": "setup.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ" * 10}],
    )
    page.click("#doc-photo form[data-upload] button[type=submit]")
    assert "setup.exe" in status.inner_text()
    save_screenshot(page, "forms-documents-refused-ru-390")
    page.wait_for_timeout(300)
    assert sent == []
    assert not Document.objects.exists()
    context.close()


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_upload_page_and_education_form_at_phone_width(live_server, browser, applicant, language):
    context, page = _logged_in_page(browser, live_server, language)
    for name, url in (
        ("documents", _url("admissions:documents", language)),
        ("education", _url("admissions:application_step", language, step="education")),
        ("exams", _url("admissions:application_step", language, step="exams")),
    ):
        page.goto(live_server.url + url)
        assert page.locator("h1").count() == 1
        assert horizontal_overflow(page) <= 0, f"{name} scrolls sideways in {language}"
        save_screenshot(page, f"forms-{name}-{language}-390")
    context.close()

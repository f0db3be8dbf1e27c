"""An officer at the document desk in headless Chromium: verifies every document of an
application without the page moving or reloading, rejects one with a reason in place,
previews a file in the page; and the application page fits its panel at 1280 px in
Kazakh and Russian."""

import pytest
from django.urls import reverse
from django.utils import translation

from admissions.enums import DocumentStatus
from admissions.models import Document
from tests.admissions.staff_helpers import officer
from tests.browser_fixtures import horizontal_overflow, save_screenshot
from tests.e2e.office import full_application, login
from tests.factories import OfferingFactory, ReviewFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    context.set_default_timeout(15_000)
    yield context
    context.close()


def _url(name, *args, language="en"):
    with translation.override(language):
        return reverse(name, args=args or None)


def _mark_page(page):
    """A marker that a reload or a navigation would lose."""
    page.evaluate("window.__stillHere = true")


def _same_page(page) -> bool:
    return page.evaluate("window.__stillHere === true")


def test_officer_verifies_all_documents_of_an_application_without_a_page_jump(
    live_server, context
):
    application = full_application(OfferingFactory(), 1)
    login(context, live_server, officer(username="desk-officer"))
    page = context.new_page()
    url = live_server.url + _url("admin:admissions_application_change", application.pk)
    page.goto(url)
    verify_all = page.get_by_role("button", name="Verify all shown")
    verify_all.scroll_into_view_if_needed()
    page.mouse.wheel(0, 200)  # somewhere below the top, as an officer would be
    page.wait_for_timeout(200)
    before = page.evaluate("window.scrollY")
    assert before > 0
    _mark_page(page)

    verify_all.click()
    page.wait_for_selector("#documents-group .document-badge--verified >> nth=2")
    assert page.locator("#documents-group .document-badge--pending").count() == 0
    assert _same_page(page) and page.url == url
    assert page.evaluate("window.scrollY") == before
    assert "3 documents verified." in page.locator("#document-desk-status").inner_text()
    save_screenshot(page, "desk-application-verified")
    statuses = set(Document.objects.filter(application=application).values_list("status"))
    assert statuses == {(DocumentStatus.VERIFIED,)}


def test_officer_verifies_and_rejects_in_place_and_previews_at_the_desk(live_server, context):
    offering = OfferingFactory()
    first = full_application(offering, 1)
    second = full_application(offering, 2)
    login(context, live_server, officer(username="desk-officer"))
    page = context.new_page()
    desk = live_server.url + _url("admin:admissions_document_changelist")
    page.goto(desk)
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 6  # every pending document of both applications, oldest first
    assert horizontal_overflow(page) <= 0
    results = page.locator(".results")
    assert results.evaluate("e => e.scrollWidth <= e.clientWidth")
    save_screenshot(page, "desk-queue")
    passport = Document.objects.get(application=first, kind="identity")
    diploma = Document.objects.get(application=second, kind="education")
    _mark_page(page)

    # Verify one row.
    row = page.locator(f"tr:has(#document-{passport.pk})")
    row.get_by_role("button", name="Verify").click()
    row.locator(".document-badge--verified").wait_for()
    # Reject another with a reason, in place.
    row = page.locator(f"tr:has(#document-{diploma.pk})")
    row.get_by_text("Reject…").click()
    row.get_by_role("button", name="Reject the document").click()
    # No reason: refused, said, nothing changed.
    page.locator("#document-desk-status.is-error").wait_for()
    row.get_by_label("Reason for rejection (the applicant reads it)").fill("Unreadable scan")
    row.get_by_role("button", name="Reject the document").click()
    row.locator(".document-badge--rejected").wait_for()
    assert "Unreadable scan" in row.inner_text()
    assert _same_page(page) and page.url == desk
    passport.refresh_from_db()
    diploma.refresh_from_db()
    assert passport.status == DocumentStatus.VERIFIED
    assert (diploma.status, diploma.rejection_reason) == (
        DocumentStatus.REJECTED,
        "Unreadable scan",
    )

    # Preview in the page: the PDF in a frame of the dialog, the same permission-checked URL.
    page.locator(f"#document-{diploma.pk}").click()
    dialog = page.locator("dialog#document-preview")
    dialog.wait_for(state="visible")
    frame = dialog.locator("iframe")
    assert frame.get_attribute("src").endswith(f"/documents/{diploma.pk}/?preview=1")
    page.wait_for_timeout(500)
    save_screenshot(page, "desk-preview")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert _same_page(page)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_application_page_fits_its_panel_at_1280_px(live_server, context, language):
    application = full_application(OfferingFactory(), 1)
    ReviewFactory(application=application, comment="Сильная мотивация. " * 8)
    login(context, live_server, officer(username="desk-officer"))
    page = context.new_page()
    page.goto(
        live_server.url
        + _url("admin:admissions_application_change", application.pk, language=language)
    )
    save_screenshot(page, f"desk-application-{language}")
    assert horizontal_overflow(page) <= 0
    overflowing = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter(el => el.scrollWidth > el.clientWidth + 1)
            .map(el => `${el.id || el.className}: ${el.scrollWidth} > ${el.clientWidth}`)""",
        "#content-main, #content-main fieldset, #content-main .inline-group",
    )
    assert not overflowing, overflowing
    width = page.evaluate("document.querySelector('#content-main').getBoundingClientRect().right")
    assert width <= 1280

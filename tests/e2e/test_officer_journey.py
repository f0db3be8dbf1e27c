"""An admissions officer in headless Chromium: filter the list, open an application, verify a
document and accept the application."""

import pytest
from django.urls import reverse
from django.utils import translation

from admissions.enums import ApplicationStatus as S
from admissions.enums import DocumentStatus
from admissions.models import OutgoingMail, StatusEvent
from tests.admissions.staff_helpers import application_for, officer, two_programs
from tests.browser_fixtures import save_screenshot
from tests.factories import ApplicantProfileFactory, DocumentFactory, ready_for_decision

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def shot(page, name):
    save_screenshot(page, f"officer-{name}")


def test_officer_filters_opens_verifies_a_document_and_accepts(live_server, page):
    offering, _other = two_programs()
    target = application_for(
        offering,
        status=S.UNDER_REVIEW,
        profile=ApplicantProfileFactory(last_name_native="Омарова", preferred_language="kk"),
    )
    # Everything a decision checks is in order but the passport, which awaits verification.
    ready_for_decision(target)
    target.documents.filter(kind="identity").delete()
    passport = DocumentFactory(application=target, kind="identity", original_name="passport.pdf")
    waiting = application_for(offering, status=S.SUBMITTED)
    user = officer(username="officer")
    with translation.override("en"):
        login_url = live_server.url + reverse("admin:login")
        changelist_url = live_server.url + reverse("admin:admissions_application_changelist")

    page.goto(f"{login_url}?next={changelist_url}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{changelist_url}*")
    assert waiting.reference in page.content()

    # Filter: status "Under review".
    page.locator("#changelist-filter").get_by_role("link", name="Under review").click()
    page.wait_for_url("**status__exact=under_review*")
    results = page.locator("#result_list")
    assert target.reference in results.inner_text()
    assert waiting.reference not in results.inner_text()
    shot(page, "staff_changelist")

    # Open it.
    results.get_by_role("link", name=target.reference).click()
    page.wait_for_selector("text=Омарова")
    shot(page, "staff_change_page")

    # Verify the passport: in place, the page stays where it is.
    page.get_by_role("button", name="Verify", exact=True).click()
    page.wait_for_selector("#documents-group .document-badge--verified")
    page.locator("#document-desk-status", has_text="verified").wait_for()
    passport.refresh_from_db()
    assert passport.status == DocumentStatus.VERIFIED
    assert passport.verified_by == user

    # Accept: the button opens a confirmation page.
    page.get_by_role("link", name="Accept", exact=True).click()
    assert "Will be done" in page.locator("#decision-preview").inner_text()
    page.get_by_label("Message to the applicant").fill("Welcome to KazNU Omsk!")
    # Before the cycle's results time the page says the decision is held until then.
    assert "results time" in page.locator("#content-main").inner_text()
    shot(page, "staff_decision")
    page.get_by_role("button", name="Confirm: Accept").click()
    page.wait_for_selector(".messagelist .success")
    assert "Accepted" in page.locator(".messagelist").inner_text()
    target.refresh_from_db()
    assert target.status == S.ACCEPTED
    event = StatusEvent.objects.get(application=target, to_status=S.ACCEPTED)
    assert event.actor == user and event.note == "Welcome to KazNU Omsk!"
    # Held until the results time: staff see it, the applicant gets no mail yet.
    assert target.released_status == S.UNDER_REVIEW
    assert not OutgoingMail.objects.filter(user=target.applicant).exists()

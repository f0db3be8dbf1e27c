"""The documents-requested round trip in headless Chromium: an officer working in Kazakh asks
for a new education certificate; the applicant sees what was asked, replaces the verified
certificate (and nothing else), presses "I have uploaded the documents"; the application is
under review again, audited, and the officer is mailed in Kazakh."""

import pytest
from django.urls import reverse
from django.utils import translation

from admissions.enums import ApplicationStatus as S
from admissions.enums import DocumentStatus
from admissions.models import Document, DocumentRequest, OutgoingMail, StatusEvent
from tests import files
from tests.admissions.staff_helpers import officer
from tests.browser_fixtures import horizontal_overflow, save_screenshot
from tests.e2e.office import full_application, login
from tests.factories import OfferingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _url(name, language, *args):
    with translation.override(language):
        return reverse(name, args=args or None)


def test_documents_requested_round_trip(live_server, browser, tmp_path):
    application = full_application(OfferingFactory(), 1)
    Document.objects.filter(application=application).update(status=DocumentStatus.VERIFIED)
    staff = officer(username="kk-officer", email="officer@kaznu-omsk.example")

    # The officer, in Kazakh, asks for the education certificate again.
    office = browser.new_context(viewport={"width": 1280, "height": 900})
    login(office, live_server, staff)
    page = office.new_page()
    page.goto(live_server.url + _url("admin:admissions_application_change", "kk", application.pk))
    page.locator("a.decision-link").first.click()  # "Request documents", the first decision
    page.wait_for_url("**/decide/documents_requested/")
    page.locator("input[name=kinds][value=education]").check()
    page.locator("textarea[name=note]").fill("Нотариалды куәландырылған аудармасын жүктеңіз.")
    save_screenshot(page, "round-trip-request")
    page.locator("input[type=submit].default").click()
    page.wait_for_selector(".messagelist .success")
    application.refresh_from_db()
    assert application.status == S.DOCUMENTS_REQUESTED
    office.close()

    # The applicant sees what was asked; only the certificate can be replaced.
    person = browser.new_context(viewport={"width": 390, "height": 800})
    login(person, live_server, application.applicant)
    page = person.new_page()
    page.goto(live_server.url + _url("admissions:documents", "ru"))
    request_box = page.locator("#documents-request")
    assert "Нотариалды куәландырылған аудармасын жүктеңіз." in request_box.inner_text()
    assert "Аттестат или диплом об образовании" in request_box.inner_text()
    assert page.locator("#file-education").count() == 1
    assert page.locator("#file-identity").count() == 0  # verified and not asked for: locked
    assert page.locator("#file-photo").count() == 0
    assert horizontal_overflow(page) <= 0
    save_screenshot(page, "round-trip-applicant")

    # Saying "uploaded" before uploading is refused, with the reason.
    done = page.get_by_role("button", name="Я загрузил(а) документы")
    done.click()
    page.wait_for_selector(".alert-danger, .alert-error")
    assert "Аттестат или диплом об образовании" in page.locator("main").inner_text()
    application.refresh_from_db()
    assert application.status == S.DOCUMENTS_REQUESTED

    scan = tmp_path / "attestat-notarised.pdf"
    scan.write_bytes(files.pdf_bytes())
    page.locator("#file-education").set_input_files(str(scan))
    # The page's script sends the file with a progress bar, then loads the page again.
    with page.expect_navigation():
        page.locator("#doc-education button[type=submit]").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Я загрузил(а) документы").click()
    page.wait_for_url("**/applicant/dashboard/")
    assert page.locator(".alert-success").count() == 1
    person.close()

    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    event = StatusEvent.objects.filter(application=application).latest("created_at")
    assert (event.from_status, event.to_status, event.actor) == (
        S.DOCUMENTS_REQUESTED,
        S.UNDER_REVIEW,
        application.applicant,
    )
    education = Document.objects.get(application=application, kind="education")
    assert (education.status, education.original_name) == (
        DocumentStatus.PENDING,
        "attestat-notarised.pdf",
    )
    assert Document.objects.get(application=application, kind="identity").status == "verified"
    request = DocumentRequest.objects.get(application=application)
    assert request.kinds == ["education"] and request.answered_at is not None
    mail = OutgoingMail.objects.get(template="documents_uploaded")
    assert (mail.recipient, mail.language) == ("officer@kaznu-omsk.example", "kk")

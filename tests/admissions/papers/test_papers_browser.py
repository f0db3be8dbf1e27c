"""In headless Chromium at a phone's width (390 px): the applicant downloads their
application's PDF from the dashboard, opens its verification link, and reads a published
ranking with its hash check; the pages fit the screen. With SCREENSHOT_DIR set, saves PNGs."""

from __future__ import annotations

import io

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone, translation

from admissions.enums import ApplicationStatus
from admissions.scholarships.ranking import ranking_publish
from tests.admissions.papers.test_application_pdf import link_targets, text_of
from tests.admissions.scholarship_data import closed_cycle, make_offering
from tests.admissions.scholarships.test_ranking import _ranked_application
from tests.browser_fixtures import horizontal_overflow, save_screenshot
from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    AwardFactory,
    ChoiceFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_applicant_downloads_the_pdf_and_verifies_it_on_a_phone(live_server, browser, settings):
    settings.SITE_URL = live_server.url
    profile = ApplicantProfileFactory(user__email="asel@example.org", preferred_language="kk")
    application = ApplicationFactory(
        applicant=profile.user,
        status=ApplicationStatus.ACCEPTED,
        reference="KZO-2030-000321",
        submitted_at=timezone.now(),
        consent_version="2025-09",
    )
    ChoiceFactory(application=application)
    AwardFactory(application=application, offering=application.choices.get().offering)
    page = browser.new_context(viewport=PHONE, accept_downloads=True).new_page()
    with translation.override("kk"):
        login, dashboard = reverse("account_login"), reverse("admissions:dashboard")
    page.goto(live_server.url + login)
    page.fill("input[name=login]", "asel@example.org")
    page.fill("input[name=password]", "correct-horse-battery-staple")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(live_server.url + dashboard)
    assert horizontal_overflow(page) <= 0
    save_screenshot(page, "papers-dashboard-390")
    with page.expect_download() as download_info:
        page.click("#application-pdf-link")
    download = download_info.value
    assert download.suggested_filename == "KZO-2030-000321-application.pdf"
    reader = pypdf.PdfReader(io.BytesIO(open(download.path(), "rb").read()))  # noqa: SIM115
    text = text_of(reader)
    assert "KZO-2030-000321" in text and "қабылдау" in text
    [link] = {u for u in link_targets(reader) if "/verify/" in u}
    page.goto(link)
    assert page.inner_text("#verified-reference") == "KZO-2030-000321"
    assert horizontal_overflow(page) <= 0
    save_screenshot(page, "papers-verify-390")
    # The offer letter from the offer card.
    with page.expect_download() as letter_info:
        page.goto(live_server.url + dashboard)
        page.get_by_role("link", name="Ұсыныс хаты (PDF)").click()
    assert letter_info.value.suggested_filename == "KZO-2030-000321-scholarship-offer.pdf"


def test_published_ranking_shows_its_hash_check_on_a_phone(live_server, browser):
    offering = make_offering(closed_cycle(), slug="law", scholarship_seats=1)
    for index in range(3):
        _ranked_application(
            offering, exams=[(90 - index, 100)], reference=f"KZO-2025-00000{index}"
        )
    ranking_publish(offering=offering)
    snapshot = ranking_publish(offering=offering)
    page = browser.new_context(viewport=PHONE).new_page()
    with translation.override("ru"):
        url = reverse("rankings:detail", args=[snapshot.pk])
    page.goto(live_server.url + url)
    assert snapshot.content_sha256 in page.inner_text("#ranking-sha256")
    assert "Проверка не пройдена" not in page.inner_text("main")
    assert horizontal_overflow(page) <= 0
    save_screenshot(page, "ranking-integrity-390")

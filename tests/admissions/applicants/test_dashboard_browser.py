"""Dashboard and withdrawal pages in headless Chromium, desktop and phone width: one h1, no
sideways scrolling, staff text shown escaped. With SCREENSHOT_DIR set, saves PNGs."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from admissions.models import StatusEvent
from tests.browser_fixtures import VIEWPORTS, horizontal_overflow, save_screenshot
from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    ChoiceFactory,
    DocumentFactory,
    steps_done,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_dashboard_with_requested_documents_renders_well(live_server, browser, width):
    profile = ApplicantProfileFactory(user__email="dana@example.org")
    application = ApplicationFactory(
        applicant=profile.user,
        status="documents_requested",
        reference="KZO-2030-000042",
        submitted_at=timezone.now(),
        completed_steps=steps_done(7),
        documents_request_message="Please upload a clearer <b>photo</b> of your passport.",
    )
    ChoiceFactory(application=application)
    for to_status in ("submitted", "under_review", "documents_requested"):
        StatusEvent.objects.create(application=application, to_status=to_status)
    DocumentFactory(application=application, kind="identity", status="verified")
    DocumentFactory(
        application=application,
        kind="photo",
        status="rejected",
        rejection_reason="Blurred <script>x</script>",
    )
    w, h = VIEWPORTS[width]
    context = browser.new_context(viewport={"width": w, "height": h})
    page = context.new_page()
    with translation.override("ru"):
        login, dashboard = reverse("account_login"), reverse("admissions:dashboard")
        withdraw = reverse("admissions:application_withdraw")
    page.goto(live_server.url + login)
    page.fill("input[name=login]", "dana@example.org")
    page.fill("input[name=password]", "correct-horse-battery-staple")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    for name, url in (("dashboard", dashboard), ("withdraw", withdraw)):
        page.goto(live_server.url + url)
        assert page.locator("h1").count() == 1
        assert horizontal_overflow(page) <= 0, f"{name} scrolls sideways at {width} width"
        save_screenshot(page, f"{name}-requested-{width}")
        if name == "dashboard":
            text = page.inner_text("main")
            assert "<b>photo</b>" in text
            assert "Blurred <script>x</script>" in text
            assert "KZO-2030-000042" in text
    context.close()

"""A decision made before the cycle's results time, in headless Chromium: the officer
accepts, the applicant still sees "Under review" (page and mailbox), also after the results
time until the release job has run; then the decision is there, mailed once."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from admissions.applications.tasks import release_decisions
from admissions.enums import ApplicationStatus as S
from admissions.models import OutgoingMail, StatusEvent
from tests.admissions.staff_helpers import application_for, officer
from tests.browser_fixtures import save_screenshot
from tests.factories import (
    ApplicantProfileFactory,
    CycleFactory,
    OfferingFactory,
    UserFactory,
    ready_for_decision,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-staple"


def decision_mail(application):
    return OutgoingMail.objects.filter(user=application.applicant, context__to_status=S.ACCEPTED)


def log_in_applicant(page, live_server, email):
    with translation.override("en"):
        login, dashboard = reverse("account_login"), reverse("admissions:dashboard")
    page.goto(f"{live_server.url}{login}?next={dashboard}")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}{dashboard}")


def test_the_applicant_sees_a_decision_only_after_the_release_job(live_server, browser):
    now = timezone.now()
    cycle = CycleFactory(
        opens_at=now - timedelta(days=40),
        closes_at=now - timedelta(days=1),
        results_at=now + timedelta(hours=3),
    )
    application = ready_for_decision(
        application_for(
            OfferingFactory(cycle=cycle),
            status=S.UNDER_REVIEW,
            profile=ApplicantProfileFactory(user=UserFactory(email="aigerim@example.org")),
        )
    )
    StatusEvent.objects.create(application=application, to_status=S.UNDER_REVIEW)
    staff = officer(username="officer")
    with translation.override("en"):
        admin_login = live_server.url + reverse("admin:login")
        change_url = live_server.url + reverse(
            "admin:admissions_application_change", args=[application.pk]
        )

    # The officer accepts from the application page, through the confirmation page.
    officer_context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = officer_context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{admin_login}?next={change_url}")
    page.get_by_label("Username").fill(staff.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(change_url)
    page.get_by_role("link", name="Accept", exact=True).click()
    notice = page.locator("#content-main").inner_text()
    assert "The applicant sees this decision and gets its e-mail at the results time" in notice
    page.get_by_label("Message to the applicant").fill("Welcome to KazNU Omsk!")
    save_screenshot(page, "release-officer-decision")
    page.get_by_role("button", name="Confirm: Accept").click()
    page.wait_for_selector(".messagelist .success")
    # Staff see the decision at once, marked as not released.
    page.goto(live_server.url + reverse("admin:admissions_application_changelist"))
    row = page.locator("#result_list tbody tr", has_text=application.reference)
    assert "Accepted" in row.inner_text()
    assert "not released" in row.inner_text()
    save_screenshot(page, "release-officer-list")
    officer_context.close()

    # The applicant: still under review, no decision, no mail.
    applicant_context = browser.new_context(viewport={"width": 375, "height": 740})
    page = applicant_context.new_page()
    page.set_default_timeout(15_000)
    log_in_applicant(page, live_server, "aigerim@example.org")
    assert page.inner_text("#application-status") == "Under review"
    main = page.inner_text("main")
    assert "Accepted" not in main and "Welcome to KazNU Omsk!" not in main
    assert not decision_mail(application).exists()
    save_screenshot(page, "release-applicant-before")

    # The results time passes; the applicant still sees nothing until the job has run.
    with time_machine.travel(cycle.results_at + timedelta(minutes=1), tick=True):
        page.reload()
        assert page.inner_text("#application-status") == "Under review"
        assert release_decisions() == 1
        page.reload()
        assert page.inner_text("#application-status") == "Accepted"
        assert "Accepted" in page.inner_text("main")  # in the timeline too
        save_screenshot(page, "release-applicant-after")
        assert release_decisions() == 0  # the job again: nothing new
    mail = decision_mail(application).get()
    assert mail.context["from_status"] == S.UNDER_REVIEW
    assert mail.context["note"] == "Welcome to KazNU Omsk!"
    applicant_context.close()

"""A blind reviewer works through a queue of three with "save and next" in headless Chromium:
the rubric is filled with the keyboard, and no name, birth date, school, document number,
contact or file name of the applicants is anywhere on the pages they see."""

import pytest
from django.urls import reverse
from django.utils import translation

from admissions.enums import ApplicationStatus as S
from admissions.models import Review
from tests.admissions.staff_helpers import reviewer
from tests.browser_fixtures import horizontal_overflow, save_screenshot
from tests.e2e.office import full_application, identifying_texts, login
from tests.factories import OfferingFactory, RubricCriterionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(15_000)
    yield context
    context.close()


def _url(name, *args, **query):
    with translation.override("en"):
        url = reverse(name, args=args or None)
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def assert_anonymous(page, secrets, where):
    html = page.content()
    leaked = [text for text in secrets if text and text in html]
    assert not leaked, f"{where} shows {leaked}"


def test_blind_reviewer_works_through_a_queue_of_three_with_save_and_next(live_server, context):
    offering = OfferingFactory()
    RubricCriterionFactory(cycle=offering.cycle, name="Motivation", max_score=10, position=1)
    RubricCriterionFactory(cycle=offering.cycle, name="Academic record", max_score=10, position=2)
    applications = [full_application(offering, number) for number in (1, 2, 3)]
    other_program = full_application(OfferingFactory(cycle=offering.cycle), 4)
    secrets = [text for n, a in enumerate(applications, 1) for text in identifying_texts(n, a)]
    user = reviewer(offering.program, blind=True, username="blind-reviewer")
    login(context, live_server, user)
    page = context.new_page()

    queue_url = live_server.url + _url("admin:admissions_application_review_queue")
    page.goto(queue_url)
    rows = page.locator("#review-queue tbody tr")
    assert rows.count() == 3
    # Oldest submission first; the other program's application is not in the queue.
    assert [rows.nth(i).locator("a").inner_text() for i in range(3)] == [
        a.reference for a in applications
    ]
    assert other_program.reference not in page.content()
    assert_anonymous(page, secrets, "the queue")
    save_screenshot(page, "reviewer-queue")
    page.get_by_role("link", name="Start reviewing").click()

    scores = [(7, 8), (5, 9), (10, 3)]
    for index, application in enumerate(applications):
        page.wait_for_url(f"**/{application.pk}/review/*")
        assert application.reference in page.locator("h1").inner_text()
        assert_anonymous(page, secrets, f"the review page of {application.reference}")
        assert horizontal_overflow(page) <= 0
        # The content is beside the rubric: motivation, exams, documents (no passport,
        # no photo for a blind reviewer; the certificate without its file name).
        content = page.locator(".review-application").inner_text()
        assert f"Мотивация номер {index + 1}." in content
        assert "История Казахстана" in content
        documents = page.locator(".review-document summary")
        assert documents.count() == 1
        assert "Education certificate" in documents.first.inner_text()
        # The keyboard hint is visible and tied to the fields.
        assert page.locator("#rubric-keys").is_visible()
        first = page.locator("[data-rubric-score]").first
        assert "rubric-keys" in first.get_attribute("aria-describedby")
        if index == 0:
            save_screenshot(page, "reviewer-review-page")

        motivation, record = scores[index]
        first.click()
        page.keyboard.type(str(motivation))
        page.keyboard.press("Enter")  # to the next criterion, not a submit
        focused = page.evaluate("document.activeElement.name")
        assert focused == page.locator("[data-rubric-score]").nth(1).get_attribute("name")
        page.keyboard.type(str(record))
        if index == 1:
            page.get_by_role("button", name="Save and next").click()
        else:
            page.keyboard.press("Control+Enter")

    # After the last one: back to the queue, told that nothing is left.
    page.wait_for_url(f"{queue_url}*")
    assert (
        "Nothing is left to review in this program." in page.locator(".messagelist").inner_text()
    )
    assert page.locator("#review-queue tbody tr.reviewed").count() == 3
    assert_anonymous(page, secrets, "the queue after reviewing")
    reviews = {r.application_id: r for r in Review.objects.filter(reviewer=user)}
    assert [reviews[a.pk].score for a in applications] == [75, 70, 65]

    # The application page and its history show no identifying field either.
    for url in (
        _url("admin:admissions_application_change", applications[0].pk),
        _url("admin:admissions_application_history", applications[0].pk),
        _url("admin:admissions_application_changelist"),
    ):
        page.goto(live_server.url + url)
        assert_anonymous(page, secrets, url)
    assert applications[0].status == S.UNDER_REVIEW

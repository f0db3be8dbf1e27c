"""The applicant's dashboard: status, timeline, checklist, next step; a fixed query budget."""

import pytest
from django.urls import reverse
from django.utils import timezone

from admissions.enums import ApplicationStatus
from admissions.models import StatusEvent
from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    ChoiceFactory,
    CycleFactory,
    DocumentFactory,
    DocumentPageFactory,
    LanguageFactory,
    OfferingFactory,
    UserFactory,
    confirm_email,
    steps_done,
)

pytestmark = pytest.mark.django_db


def dashboard(client):
    response = client.get(reverse("admissions:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def test_dashboard_without_application_invites_to_start(client):
    CycleFactory()
    user = UserFactory()
    client.force_login(user)
    page = dashboard(client)
    assert "Start your application" in page
    assert "Confirm your e-mail address" in page


def test_dashboard_of_a_draft_says_which_step_comes_next(client):
    application = ApplicationFactory(completed_steps=steps_done(2))
    confirm_email(application.applicant)
    client.force_login(application.applicant)
    page = dashboard(client)
    assert "Continue your application with step 3: Prior education" in page
    assert "Deadline for submission" in page
    assert "Confirm your e-mail address" not in page


def test_dashboard_shows_status_timeline_verdicts_and_staff_message(client):
    application = ApplicationFactory(
        status=ApplicationStatus.DOCUMENTS_REQUESTED,
        reference="KZO-2099-000007",
        submitted_at=timezone.now(),
        documents_request_message="<i>Please</i> re-upload the photo",
    )
    StatusEvent.objects.create(application=application, from_status="draft", to_status="submitted")
    StatusEvent.objects.create(
        application=application, from_status="submitted", to_status="under_review"
    )
    DocumentFactory(
        application=application,
        kind="photo",
        status="rejected",
        rejection_reason="<b>Blurry</b>",
    )
    client.force_login(application.applicant)
    page = dashboard(client)
    assert "KZO-2099-000007" in page
    assert "Documents requested" in page
    assert "Under review" in page
    assert "&lt;i&gt;Please&lt;/i&gt; re-upload the photo" in page
    assert "&lt;b&gt;Blurry&lt;/b&gt;" in page
    assert "Upload documents" in page
    assert reverse("admissions:application_withdraw") in page
    assert "Omsk time" in page


def test_final_application_has_no_withdraw_button(client):
    application = ApplicationFactory(status=ApplicationStatus.REJECTED, reference="KZO-1-000001")
    client.force_login(application.applicant)
    assert reverse("admissions:application_withdraw") not in dashboard(client)


def test_dashboard_shows_only_the_users_own_application(client):
    mine = ApplicationFactory(reference="KZO-1-000001", status="submitted")
    ApplicationFactory(cycle=mine.cycle, reference="KZO-1-000002", status="submitted")
    client.force_login(mine.applicant)
    page = dashboard(client)
    assert "KZO-1-000001" in page
    assert "KZO-1-000002" not in page


def test_dashboard_needs_login(client):
    response = client.get(reverse("admissions:dashboard"))
    assert response.status_code == 302


def first_render(client, django_assert_max_num_queries, budget):
    """The dashboard as the first view after every cache was emptied (the shared cache and
    this process's catalogue look-ups), within `budget` queries; returns the page."""
    from django.core.cache import cache

    from programs import page_cache

    cache.clear()
    page_cache._local.clear()
    with django_assert_max_num_queries(budget):
        return dashboard(client)


@pytest.mark.parametrize("count", [1, 15])
def test_dashboard_query_budget_does_not_grow_with_rows(
    client, django_assert_max_num_queries, count
):
    profile = ApplicantProfileFactory()
    application = ApplicationFactory(
        applicant=profile.user, status=ApplicationStatus.UNDER_REVIEW, reference="KZO-1-000001"
    )
    confirm_email(profile.user)
    ru = LanguageFactory(code="ru")
    for index in range(min(count, 3)):
        ChoiceFactory(
            application=application,
            offering=OfferingFactory(cycle=application.cycle),
            priority=index + 1,
            language=ru,
        )
    for index in range(count):
        StatusEvent.objects.create(
            application=application, from_status="submitted", to_status="under_review"
        )
        document = DocumentFactory(application=application, kind="other" if index else "identity")
        if index < 2:  # a document scanned page by page
            DocumentPageFactory(
                document=document,
                file=document.file.name,
                original_name=f"page-{index}.pdf",
                size=document.size,
                sha256=document.sha256,
                content_type=document.content_type,
            )
    client.force_login(profile.user)
    dashboard(client)  # what every process reads once whatever the page (content types)
    # The first view after every cache was emptied: the session, the user, the cycles,
    # the application (with the confirmed e-mail and the profile's calendar secret), its
    # choices, documents, their extra pages, its audit rows, the cycle's next steps and
    # the office's contacts in the footer.
    page = first_render(client, django_assert_max_num_queries, 10)
    assert "page-0.pdf" in page and "KZO-1-000001" in page
    # Every view after it reads the cycles, the next steps and the office from the caches.
    with django_assert_max_num_queries(7):
        assert "page-0.pdf" in dashboard(client)


def test_dashboard_without_extra_pages_or_awards_reads_neither(
    client, django_assert_max_num_queries
):
    application = ApplicationFactory(
        status=ApplicationStatus.UNDER_REVIEW, reference="KZO-1-000001"
    )
    ChoiceFactory(application=application, offering=OfferingFactory(cycle=application.cycle))
    DocumentFactory(application=application)
    StatusEvent.objects.create(
        application=application, from_status="submitted", to_status="under_review"
    )
    client.force_login(application.applicant)
    dashboard(client)
    page = first_render(client, django_assert_max_num_queries, 9)
    assert "document.pdf" in page
    with django_assert_max_num_queries(6):
        dashboard(client)


def test_old_application_and_an_open_cycle_offers_to_start_a_new_one(client):
    from datetime import timedelta

    now = timezone.now()
    old_cycle = CycleFactory(
        opens_at=now - timedelta(days=400), closes_at=now - timedelta(days=300)
    )
    application = ApplicationFactory(cycle=old_cycle, status="rejected", reference="KZO-1-1")
    CycleFactory()
    client.force_login(application.applicant)
    page = dashboard(client)
    assert "KZO-1-1" in page
    assert "Start your application" in page

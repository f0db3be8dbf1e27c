"""The signed-in pages read again and again (the applicant's dashboard, the staff's list,
application page and dashboard) are cached per user until any data changes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from admissions import private_pages
from admissions.enums import ApplicationStatus
from admissions.models import Application, OutgoingMail
from admissions.private_pages import private_pages_version
from tests.admissions.staff_helpers import application_for, officer, reviewer, two_programs
from tests.factories import (
    ApplicationFactory,
    CycleFactory,
    OfferingFactory,
    StaffFactory,
    UserFactory,
    ready_application,
)

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DASHBOARD = "/en/applicant/dashboard/"
CHANGELIST = "admin:admissions_application_changelist"


def without_tokens(response) -> str:
    return TOKEN.sub("", response.content.decode())


def signed_in_applicant(reference: str) -> tuple[Client, Application]:
    """A client signed in as the applicant of an application under review."""
    application = ApplicationFactory(
        status=ApplicationStatus.UNDER_REVIEW, reference=reference, submitted_at=timezone.now()
    )
    client = Client()
    client.force_login(application.applicant)
    return client, application


@pytest.fixture
def applicant_client():
    return signed_in_applicant("KZO-2099-000101")


def test_a_reloaded_dashboard_is_served_from_the_cache(
    applicant_client, django_assert_max_num_queries
):
    client, _application = applicant_client
    first = client.get(DASHBOARD)
    assert first.status_code == 200
    # The session comes from the cache; only the user is read.
    with django_assert_max_num_queries(1):
        second = client.get(DASHBOARD)
    assert second.status_code == 200
    assert without_tokens(second) == without_tokens(first)
    assert "KZO-2099-000101" in without_tokens(second)
    assert "no-cache" in second["Cache-Control"] and "private" in second["Cache-Control"]


@pytest.mark.parametrize("writer", ["save", "queryset update", "raw SQL"])
def test_any_write_shows_on_the_next_reload(applicant_client, writer):
    client, application = applicant_client
    assert "Under review" in client.get(DASHBOARD).content.decode()
    if writer == "save":
        application.status = ApplicationStatus.WAITLISTED
        application.save(update_fields=["status"])
    elif writer == "queryset update":
        Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.WAITLISTED)
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE "{Application._meta.db_table}" SET "status" = %s WHERE "id" = %s',
                [ApplicationStatus.WAITLISTED, application.pk],
            )
    page = client.get(DASHBOARD).content.decode()
    assert "Waitlisted" in page
    assert "Under review" not in page


def test_each_user_is_served_only_their_own_page(applicant_client):
    client, _application = applicant_client
    client.get(DASHBOARD)  # cached for its owner
    stranger, _other = signed_in_applicant("KZO-2099-000202")
    page = stranger.get(DASHBOARD).content.decode()
    assert "KZO-2099-000202" in page
    assert "KZO-2099-000101" not in page


def test_each_language_is_its_own_page(applicant_client):
    client, _application = applicant_client
    assert '<html lang="en">' in client.get(DASHBOARD).content.decode()
    assert '<html lang="kk">' in client.get("/kk/applicant/dashboard/").content.decode()
    assert '<html lang="ru">' in client.get("/ru/applicant/dashboard/").content.decode()


def test_a_visitor_with_a_flash_message_gets_a_rendered_page(
    applicant_client, django_assert_max_num_queries
):
    client, _application = applicant_client
    client.get(DASHBOARD)
    client.cookies["messages"] = "anything"
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(DASHBOARD)
    assert len(queries) > 1  # the view ran instead of the cache answering


def test_signed_out_visitors_are_sent_to_sign_in_even_when_a_page_is_cached(applicant_client):
    client, _application = applicant_client
    client.get(DASHBOARD)
    response = Client().get(DASHBOARD)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_page_expires_with_the_clock(applicant_client, settings):
    client, _application = applicant_client
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.get(DASHBOARD)
        version = private_pages_version()
        traveller.shift(settings.PRIVATE_PAGE_CACHE_SECONDS + 1)
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            client.get(DASHBOARD)
        assert private_pages_version() == version  # nothing was written...
        assert len(queries) > 1  # ...and yet the page was rendered again


def test_the_cache_can_be_turned_off(applicant_client, settings):
    settings.PRIVATE_PAGE_CACHE_SECONDS = 0
    client, _application = applicant_client
    client.get(DASHBOARD)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(DASHBOARD)
    assert len(queries) > 1


def test_with_the_cache_server_down_pages_are_served_and_data_saved(applicant_client, settings):
    client, application = applicant_client
    settings.CACHES = {
        "default": {
            # Production's backend: answers from memory while Redis is down.
            "BACKEND": "config.cache.FallbackRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    # Sessions are read from the database when the cache cannot answer.
    assert client.get(DASHBOARD).status_code == 200
    application.status = ApplicationStatus.WAITLISTED
    application.save(update_fields=["status"])  # the version cannot be incremented: no error
    assert "Waitlisted" in client.get(DASHBOARD).content.decode()


# --- What counts as a change -----------------------------------------------------------------
def test_writes_no_cached_page_shows_keep_the_version(applicant_client):
    _client, application = applicant_client
    version = private_pages_version()
    Session.objects.filter(pk__in=Session.objects.values("pk")[:1]).update(
        expire_date=timezone.now()
    )
    OutgoingMail.objects.create(
        recipient="someone@example.org",
        template="status_changed",
        language="en",
        idempotency_key="private-pages-test",
    )
    UserFactory._meta.model.objects.filter(pk=application.applicant_id).update(
        last_login=timezone.now()
    )
    assert private_pages_version() == version
    UserFactory._meta.model.objects.filter(pk=application.applicant_id).update(first_name="Aru")
    assert private_pages_version() > version


@pytest.mark.django_db(transaction=True)
def test_a_write_in_a_transaction_counts_now_and_once_more_after_commit():
    application = ApplicationFactory(status=ApplicationStatus.UNDER_REVIEW)
    before = private_pages_version()
    with transaction.atomic():
        for status in (ApplicationStatus.WAITLISTED, ApplicationStatus.UNDER_REVIEW):
            application.status = status
            application.save(update_fields=["status"])
        during = private_pages_version()
        assert during == before + 2  # each write, for readers in this transaction
        pending = [entry[1] for entry in connection.run_on_commit]
        assert pending.count(private_pages._after_commit) == 1  # one per transaction
    assert private_pages_version() == during + 1  # after the commit, for everybody else


def test_the_dashboard_is_not_served_past_the_deadline_it_shows(client):
    cycle = CycleFactory()
    offering = OfferingFactory(cycle=cycle, deadline=timezone.now() + timedelta(minutes=5))
    application = ready_application(cycle=cycle, offerings=[offering])
    client.force_login(application.applicant)
    with time_machine.travel(offering.deadline - timedelta(seconds=30), tick=False):
        assert "deadline for this application has passed" not in client.get(DASHBOARD).text
    with time_machine.travel(offering.deadline + timedelta(seconds=1), tick=False):
        assert "deadline for this application has passed" in client.get(DASHBOARD).text


def test_only_write_statements_count():
    counts = private_pages._counts
    assert counts('INSERT INTO "admissions_application" ("status") VALUES (%s)')
    assert counts('UPDATE "programs_offering" SET "seats" = 1')
    assert counts('  delete from "admissions_review" WHERE "id" = 1')
    assert counts("UPDATE some_table_written_by_hand SET x = 1")
    assert not counts('SELECT "id" FROM "admissions_application"')
    assert not counts('UPDATE "django_session" SET "expire_date" = %s')
    assert not counts('INSERT INTO "axes_accessattempt" ("username") VALUES (%s)')
    assert not counts('UPDATE "admissions_outgoingmail" SET "state" = %s')
    assert not counts('UPDATE "auth_user" SET "last_login" = %s WHERE "auth_user"."id" = %s')
    assert counts('UPDATE "auth_user" SET "last_login" = %s, "is_staff" = %s WHERE "id" = %s')


# --- Staff pages -----------------------------------------------------------------------------
@pytest.fixture
def staff_pages():
    first, second = two_programs()
    seen = application_for(first)
    hidden = application_for(second)
    return first, seen, hidden


def test_a_reloaded_staff_page_is_served_from_the_cache(
    client, staff_pages, django_assert_max_num_queries
):
    _offering, seen, _hidden = staff_pages
    client.force_login(officer())
    for url in (
        reverse(CHANGELIST),
        reverse("admin:admissions_application_change", args=[seen.pk]),
        reverse("admin:admissions_application_dashboard"),
    ):
        first = client.get(url)
        assert first.status_code == 200
        with django_assert_max_num_queries(1):
            second = client.get(url)
        assert without_tokens(second) == without_tokens(first)


def test_permission_checks_run_before_the_cache_answers(client, staff_pages):
    first_offering, seen, hidden = staff_pages
    client.force_login(officer())
    assert (
        client.get(reverse("admin:admissions_application_change", args=[hidden.pk])).status_code
        == 200
    )
    assert client.get(reverse(CHANGELIST)).status_code == 200
    # A reviewer of the first program only: the other program's application stays closed,
    # however many cached pages of it other staff have.
    limited = Client()
    limited.force_login(reviewer(first_offering.program))
    closed = limited.get(reverse("admin:admissions_application_change", args=[hidden.pk]))
    assert closed.status_code in (302, 403, 404)
    listed = limited.get(reverse(CHANGELIST)).content.decode()
    assert seen.reference in listed
    assert hidden.reference not in listed
    # Somebody who is not staff is sent to sign in.
    applicant = Client()
    applicant.force_login(UserFactory())
    assert applicant.get(reverse(CHANGELIST)).status_code == 302


def test_a_cached_staff_page_carries_a_fresh_working_csrf_token(staff_pages):
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(officer())
    staff.get(reverse(CHANGELIST))  # fills the cache
    cached = staff.get(reverse(CHANGELIST))
    token = TOKEN.search(cached.content.decode()).group(1)
    saved = staff.post(
        reverse("admin:admissions_application_saved_filter"),
        {"name": "Mine", "query": "status__exact=submitted", "csrfmiddlewaretoken": token},
    )
    assert saved.status_code == 302
    assert "Mine" in staff.get(reverse(CHANGELIST)).content.decode()


def test_a_decision_shows_in_the_staff_list_at_once(client, staff_pages):
    _offering, seen, _hidden = staff_pages
    client.force_login(StaffFactory(is_superuser=True))
    assert "Submitted" in client.get(reverse(CHANGELIST)).content.decode()
    Application.objects.filter(pk=seen.pk).update(status=ApplicationStatus.UNDER_REVIEW)
    listed = client.get(reverse(CHANGELIST)).content.decode()
    assert listed.count("Under review") >= 1

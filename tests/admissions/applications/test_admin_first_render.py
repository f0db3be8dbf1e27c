"""The three staff pages the office works from (the applications list of one program, an
application's page, the dashboard) render in at most ten queries the first time, with
nothing cached, as bench/run.py counts them: after a first view (what every process reads
once, such as content types), the shared cache and the process's page caches are emptied,
so the session and the user are read from the database, the page is rendered (not read
from the cache of signed-in pages) and the catalogue's look-ups, the sidebar and the
dashboard's figures are read afresh. The same number for one row and for many, for
each role, signed in through the admin's login form."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from admissions import private_pages
from admissions.enums import ApplicationStatus as S
from admissions.models import DocumentRequest, ExamResult, StatusEvent
from programs import page_cache
from tests.admissions.staff_helpers import (
    application_for,
    bulk_applications,
    officer,
    reviewer,
    two_programs,
)
from tests.factories import (
    ChoiceFactory,
    DocumentFactory,
    DocumentPageFactory,
    FundFactory,
    LanguageFactory,
    OfferingFactory,
    ReviewFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

BUDGET = 10
PASSWORD = "correct-horse-battery-staple"  # the factories' password
ROLES = ["officer", "superuser", "reviewer", "blind reviewer"]


def signed_in(client, role: str, program):
    """`client` signed in as `role` through the admin's login form: a session in the
    database, as a browser has."""
    if role == "officer":
        user = officer()
    elif role == "superuser":
        user = StaffFactory(is_superuser=True)
    else:
        user = reviewer(program, blind=role == "blind reviewer")
    response = client.post(
        reverse("admin:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.text
    return user


def first_render(client, url: str, django_assert_max_num_queries):
    """The response to `url` rendered with nothing cached, and its queries."""
    assert client.get(url).status_code == 200  # what a process reads once
    cache.clear()
    page_cache._local.clear()
    private_pages._local.clear()
    with django_assert_max_num_queries(BUDGET) as counted:
        response = client.get(url)
    assert response.status_code == 200
    queries = [query["sql"] for query in counted.captured_queries]
    # Counted honestly: the session and the user are among them.
    assert any('FROM "django_session"' in sql for sql in queries)
    assert any('FROM "auth_user" WHERE "auth_user"."id" =' in sql for sql in queries)
    return response, queries


def list_url(offering) -> str:
    url = reverse("admin:admissions_application_changelist")
    return f"{url}?program={offering.program_id}&cycle={offering.cycle_id}"


def reviewed(application, count: int) -> None:
    for _ in range(count):
        ReviewFactory(application=application)
        ExamResult.objects.create(
            application=application, exam="unt", subject="History", score=90, max_score=140
        )


@pytest.mark.parametrize("role", ROLES)
def test_the_list_of_one_program_keeps_its_budget_for_one_row_and_many(
    client, django_assert_max_num_queries, role
):
    offering, other = two_programs()
    signed_in(client, role, offering.program)
    reviewed(application_for(offering, status=S.UNDER_REVIEW), 2)
    application_for(other)  # another program's: not listed
    one, one_queries = first_render(client, list_url(offering), django_assert_max_num_queries)
    assert one.context["cl"].result_count == 1
    bulk_applications(120, offering)
    for application in list(one.context["cl"].result_list) * 2:
        reviewed(application, 1)
    many, many_queries = first_render(client, list_url(offering), django_assert_max_num_queries)
    assert many.context["cl"].result_count == 121
    assert len(many.context["cl"].result_list) == 50
    assert len(many_queries) == len(one_queries)


def busy_application(offering, size: int):
    """An application of `offering` with `size` rows in each part of its page: program
    choices (at most three), exam results, documents of two files, reviews, timeline
    events, and a request for documents."""
    application = application_for(offering, status=S.UNDER_REVIEW)
    language = LanguageFactory(code="kk")
    for priority in range(2, min(size, 3) + 1):
        ChoiceFactory(
            application=application,
            offering=OfferingFactory(cycle=offering.cycle),
            priority=priority,
            language=language,
        )
    reviewed(application, size)
    for index in range(size):
        document = DocumentFactory(
            application=application, kind="identity" if index % 2 else "education"
        )
        DocumentPageFactory(document=document)
        StatusEvent.objects.create(
            application=application,
            from_status=S.SUBMITTED,
            to_status=S.UNDER_REVIEW,
            actor=application.applicant,
        )
    DocumentRequest.objects.create(application=application, kinds=["identity"], note="Again.")
    return application


@pytest.mark.parametrize("role", ROLES)
def test_the_application_page_keeps_its_budget_for_one_row_and_many(
    client, django_assert_max_num_queries, role
):
    offering, _other = two_programs()
    signed_in(client, role, offering.program)
    change = "admin:admissions_application_change"
    few = busy_application(offering, 1)
    _response, one_queries = first_render(
        client, reverse(change, args=[few.pk]), django_assert_max_num_queries
    )
    many = busy_application(offering, 12)
    response, many_queries = first_render(
        client, reverse(change, args=[many.pk]), django_assert_max_num_queries
    )
    assert len(many_queries) == len(one_queries)
    # Every row of each part the role may see is on the page.
    rows = {table.prefix: len(table.rows) for table in response.context["readonly_tables"]}
    shown = {"choices": 3, "exam_results": 12, "documents": 12, "reviews": 12, "events": 12}
    if role == "blind reviewer":
        shown["documents"] = 6  # not the identity documents
    if role in ("reviewer", "blind reviewer"):
        shown["reviews"] = 0  # only their own review
    assert rows == {prefix: shown[prefix] for prefix in rows}
    assert {"choices", "exam_results", "documents"} <= set(rows)


@pytest.mark.parametrize("role", ROLES)
def test_the_dashboard_keeps_its_budget_for_few_and_many_applications(
    client, django_assert_max_num_queries, role
):
    offering, other = two_programs()
    FundFactory(cycle=offering.cycle)
    signed_in(client, role, offering.program)
    url = reverse("admin:admissions_application_dashboard") + f"?cycle={offering.cycle_id}"
    reviewed(application_for(offering, status=S.UNDER_REVIEW), 1)
    few, few_queries = first_render(client, url, django_assert_max_num_queries)
    assert few.context["total_submitted"] == 1
    bulk_applications(150, offering)
    bulk_applications(50, other, prefix="OTHER")
    many, many_queries = first_render(client, url, django_assert_max_num_queries)
    assert many.context["total_submitted"] == (201 if role in ("officer", "superuser") else 151)
    assert len(many_queries) == len(few_queries)

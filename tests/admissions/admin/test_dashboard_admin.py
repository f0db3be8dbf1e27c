"""The admissions dashboard in the admin: figures and a bounded number of queries."""

import pytest
from django.urls import reverse
from django.utils import timezone

from admissions.enums import ApplicationStatus as S
from admissions.enums import AwardState
from admissions.models import ScholarshipAward
from tests.admissions.staff_helpers import (
    application_for,
    bulk_applications,
    officer,
    reviewer,
    two_programs,
)
from tests.factories import ApplicantProfileFactory, DocumentFactory, FundFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "admin:admissions_application_dashboard"


def populate(first, second, count):
    for index in range(count):
        offering = first if index % 2 else second
        application_for(
            offering,
            language="kk" if index % 3 else "ru",
            profile=ApplicantProfileFactory(citizenship="RU" if index % 4 else "KZ"),
            status=S.UNDER_REVIEW if index % 5 else S.SUBMITTED,
        )


def test_dashboard_shows_counts_and_scholarships(client):
    first, second = two_programs()
    populate(first, second, 6)
    DocumentFactory(application=application_for(first))
    fund = FundFactory(cycle=first.cycle, seats=100, name="Government of Kazakhstan")
    for state in (AwardState.OFFERED, AwardState.OFFERED, AwardState.ACCEPTED):
        ScholarshipAward.objects.create(
            application=application_for(first),
            fund=fund,
            offering=first,
            state=state,
            offered_at=timezone.now(),
            respond_by=timezone.now(),
        )
    client.force_login(officer())
    response = client.get(reverse(DASHBOARD))
    assert response.status_code == 200
    context = response.context
    assert context["total_submitted"] == 10
    breakdowns = dict(context["breakdowns"])
    assert {row["label"]: row["count"] for row in breakdowns["By status"]} == {
        "Under review": 4,
        "Submitted": 6,
    }
    assert sum(row["count"] for row in breakdowns["By program (any priority)"]) == 10
    assert context["documents_pending"] == 1
    assert context["chart"]["total"] == 10
    # The scholarship table of the page.
    (fund_figures,) = context["all_figures"][0].funds
    assert (fund_figures.offered, fund_figures.accepted, fund_figures.left) == (2, 1, 97)
    text = response.text
    assert "<canvas" in text and 'role="img"' in text
    assert "Government of Kazakhstan" in text
    # Linked from the admin index.
    assert reverse(DASHBOARD) in client.get(reverse("admin:index")).text


@pytest.mark.parametrize("role", ["officer", "reviewer"])
def test_dashboard_query_budget_is_the_same_for_few_and_many_rows(
    client, django_assert_max_num_queries, role
):
    first, second = two_programs()
    FundFactory(cycle=first.cycle)
    populate(first, second, 3)
    client.force_login(officer() if role == "officer" else reviewer(first.program))
    url = reverse(DASHBOARD)
    with django_assert_max_num_queries(25) as few:
        assert client.get(url).status_code == 200
    bulk_applications(300, first)
    bulk_applications(100, second, prefix="OTHER")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["total_submitted"] >= 300


def test_reviewer_dashboard_counts_only_their_programs(client):
    first, second = two_programs()
    populate(first, second, 6)
    client.force_login(reviewer(first.program))
    response = client.get(reverse(DASHBOARD))
    assert response.status_code == 200
    assert response.context["total_submitted"] == 3

"""The admissions dashboard in the admin: figures and a bounded number of queries."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from admissions.admin.dashboard import dashboard_cache_key
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
    client, django_assert_max_num_queries, role, settings
):
    # The render itself is measured: the cache of whole signed-in pages is off.
    settings.PRIVATE_PAGE_CACHE_SECONDS = 0
    first, second = two_programs()
    FundFactory(cycle=first.cycle)
    populate(first, second, 3)
    user = officer() if role == "officer" else reviewer(first.program)
    client.force_login(user)
    url = reverse(DASHBOARD)
    # The first page also reads the catalogue's names (programs, languages), which the
    # next pages reuse until the catalogue changes.
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    cache.delete(dashboard_cache_key(user, first.cycle))
    with django_assert_max_num_queries(10) as few:
        assert client.get(url).status_code == 200
    bulk_applications(300, first)
    bulk_applications(100, second, prefix="OTHER")
    cache.delete(dashboard_cache_key(user, first.cycle))  # kept a minute: computed again
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


def test_figures_are_kept_for_a_minute_per_user_cycle_and_language(
    client, settings, django_assert_max_num_queries
):
    first, second = two_programs()
    populate(first, second, 4)
    client.force_login(officer())
    url = reverse(DASHBOARD)
    assert client.get(url).context["total_submitted"] == 4
    bulk_applications(5, first)
    # Kept: the same figures, read from the cache (the queries left: session, user, the
    # officer's permissions and groups, the cycles).
    with django_assert_max_num_queries(6):
        response = client.get(url)
    assert response.context["total_submitted"] == 4
    assert "Figures as of" in response.text
    # Their rendering is kept with them: the charts and tables are not rendered again.
    assert "admin/admissions/_dashboard_figures.html" not in [t.name for t in response.templates]
    assert 'id="chart-funnel"' in response.text
    # Another language is another entry, computed afresh.
    assert client.get(url.replace("/en/", "/ru/")).context["total_submitted"] == 9
    # Another user (a reviewer of one program) never reads the officer's figures.
    client.force_login(reviewer(second.program))
    assert client.get(url).context["total_submitted"] == 2
    # Kept no longer than the setting says (here: not at all).
    settings.ADMIN_DASHBOARD_CACHE_SECONDS = 0
    client.force_login(officer(username="second-officer"))
    assert client.get(url).context["total_submitted"] == 9
    bulk_applications(1, second, prefix="LATE")
    assert client.get(url).context["total_submitted"] == 10


def test_grouped_counts_leave_out_a_branch_that_matches_nothing(django_assert_num_queries):
    from django.db.models import Count, F

    from admissions.admin.dashboard import _grouped_counts
    from admissions.models import Application

    first, second = two_programs()
    populate(first, second, 3)
    applications = Application.objects.order_by()
    with django_assert_num_queries(1):
        counts = _grouped_counts(
            {
                "status": applications.values(k1=F("status")).annotate(n=Count("pk")),
                "nothing": applications.none().values(k1=F("status")).annotate(n=Count("pk")),
                "pairs": applications.values(k1=F("cycle_id"), k2=F("status")).annotate(
                    n=Count("pk")
                ),
            }
        )
    assert counts["status"] == {S.SUBMITTED: 1, S.UNDER_REVIEW: 2}
    assert counts["nothing"] == {}
    assert counts["pairs"] == {
        (str(first.cycle_id), S.SUBMITTED): 1,
        (str(first.cycle_id), S.UNDER_REVIEW): 2,
    }

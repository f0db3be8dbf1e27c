"""The staff dashboard's charts: per day, funnel per program, documents awaiting
verification, reviews outstanding per reviewer, scholarships per fund, decisions pending
release; each chart's data as JSON (no inline script) and as a table; fixed query budget."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from admissions.admin.dashboard import dashboard_cache_key
from admissions.applications.services import application_transition
from admissions.enums import ApplicationStatus as S
from tests.admissions.staff_helpers import (
    application_for,
    bulk_applications,
    officer,
    reviewer,
    two_programs,
)
from tests.factories import DocumentFactory, FundFactory, ReviewFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "admin:admissions_application_dashboard"


def charts(response) -> dict:
    return {chart["id"]: chart for chart in response.context["charts"]}


def test_each_chart_has_its_figures_as_data_and_as_a_table(client):
    first, second = two_programs()
    a = application_for(first, status=S.UNDER_REVIEW)
    application_for(first, status=S.SUBMITTED)
    application_for(second, status=S.SUBMITTED)
    DocumentFactory(application=a, kind="identity")
    DocumentFactory(application=a, kind="photo")
    FundFactory(cycle=first.cycle, name="Government of Russia", seats=40)
    careful = reviewer(first.program, username="careful")
    reviewer(first.program, second.program, username="busy")
    ReviewFactory(application=a, reviewer=careful, score=70)
    staff = officer()
    # Held until the results time; the guards are overridden (this test counts documents
    # and reviews, which passing them would add).
    application_transition(
        application=a, to_status=S.ACCEPTED, actor=staff, override_reason="Dashboard test."
    )
    client.force_login(staff)
    response = client.get(reverse(DASHBOARD))
    assert response.status_code == 200
    by_id = charts(response)
    assert set(by_id) == {
        "chart-per-day",
        "chart-funnel",
        "chart-documents",
        "chart-reviews",
        "chart-funds",
    }
    funnel = by_id["chart-funnel"]["table"]
    rows = {
        row[0]: dict(zip(funnel["columns"][1:], row[1:], strict=True)) for row in funnel["rows"]
    }
    assert rows[str(first.program)] == {"Submitted": 1, "Accepted": 1}
    assert rows[str(second.program)] == {"Submitted": 1, "Accepted": 0}
    assert by_id["chart-documents"]["table"]["rows"] == [
        ["Passport or ID card", 1],
        ["Photo", 1],
    ]
    # Owed: submitted and under review only (the accepted one is decided).
    reviews = {row[0]: row[1:] for row in by_id["chart-reviews"]["table"]["rows"]}
    assert reviews == {"busy": [2, 0], "careful": [1, 0]}
    assert by_id["chart-funds"]["table"]["rows"] == [["Government of Russia", 40, 0, 0, 40]]
    assert response.context["pending_release"] == 1
    text = response.text
    # The data of each canvas is a JSON element, read by the dashboard's script file.
    for chart_id, chart in by_id.items():
        data = re.search(
            rf'<script id="{chart_id}-data" type="application/json">(.*?)</script>', text
        )
        assert data, chart_id
        assert json.loads(data.group(1)) == json.loads(json.dumps(chart["config"]))
        assert f'<canvas id="{chart_id}"' in text
    # No inline script: every <script> has a src or is a JSON data block.
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "vendor/chartjs/chart.umd.min.js" in text
    assert "decisions not yet released" in text


def test_reviewers_see_their_own_outstanding_reviews_only(client):
    first, second = two_programs()
    application_for(first)
    application_for(second)
    me = reviewer(first.program, username="me")
    reviewer(first.program, second.program, username="other")
    client.force_login(me)
    rows = charts(client.get(reverse(DASHBOARD)))["chart-reviews"]["table"]["rows"]
    assert rows == [["me", 1, 0]]


def test_chart_library_is_vendored_with_its_licence():
    vendor = Path(settings.BASE_DIR) / "static" / "vendor" / "chartjs"
    assert (vendor / "chart.umd.min.js").read_text()[:40].startswith("/*!\n * Chart.js v4.6.1")
    assert "MIT" in (vendor / "LICENSE.md").read_text()
    assert "4.6.1" in (vendor / "VERSION").read_text()


def test_the_chart_script_is_served_from_static(client):
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/chartjs/chart.umd.min.js")
    assert finders.find("js/admin-dashboard.js")


@pytest.mark.parametrize("role", ["officer", "reviewer"])
def test_dashboard_query_budget_is_fixed_from_5_to_400_rows(
    client, django_assert_max_num_queries, role, settings
):
    # The render itself is measured: the cache of whole signed-in pages is off.
    settings.PRIVATE_PAGE_CACHE_SECONDS = 0
    first, second = two_programs()
    FundFactory(cycle=first.cycle)
    user = officer() if role == "officer" else reviewer(first.program)
    reviewer(first.program, second.program)
    client.force_login(user)
    url = reverse(DASHBOARD)
    bulk_applications(5, first, prefix="FEW")
    # The first page also reads the catalogue's names (programs, languages), which the
    # next pages reuse until the catalogue changes.
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    cache.delete(dashboard_cache_key(user, first.cycle))
    with django_assert_max_num_queries(10) as few:
        assert client.get(url).status_code == 200
    bulk_applications(200, first, prefix="MANY")
    bulk_applications(195, second, prefix="OTHER")
    cache.delete(dashboard_cache_key(user, first.cycle))  # kept a minute: computed again
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["total_submitted"] >= 200

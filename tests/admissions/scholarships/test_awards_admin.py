"""The committee's admin: ranked lists, publication, manual offer, allocation, revocation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from admissions.enums import AwardState
from admissions.models import RankingSnapshot, ScholarshipAward
from admissions.scholarships.awards import award_offer
from tests.admissions.scholarship_data import (
    closed_cycle,
    make_applications,
    make_fund,
    make_offering,
)
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    cycle = closed_cycle(total=4)
    offerings = [
        make_offering(cycle, slug="law", scholarship_seats=2, pass_mark="40"),
        make_offering(cycle, slug="customs", scholarship_seats=2, pass_mark="40"),
    ]
    fund = make_fund(cycle, government="KZ", seats=4)
    applications = make_applications(cycle, offerings, 8)
    return cycle, offerings, fund, applications


def test_ranking_view_lists_applicants_and_publishes(committee, data):
    _cycle, offerings, _fund, _applications = data
    url = reverse("admin:awards_ranking", args=[offerings[0].pk])
    page = committee.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ranked list" in html
    assert "Scholarships —" in html  # the live figures
    # The first post shows the preview and publishes nothing; the confirmation publishes.
    preview = committee.post(url, {"publish": "1"})
    assert preview.status_code == 200
    assert "Preview of the public list" in preview.content.decode()
    assert not RankingSnapshot.objects.exists()
    response = committee.post(url, {"publish": "1", "confirm": "1"}, follow=True)
    assert "Ranking published" in response.content.decode()
    assert RankingSnapshot.objects.filter(offering=offerings[0]).count() == 1


def test_manual_offer_from_the_ranking_uses_the_service(committee, data):
    _cycle, offerings, fund, applications = data
    application = next(a for a in applications if a.choices.filter(offering=offerings[0]))
    url = reverse("admin:awards_ranking", args=[offerings[0].pk])
    offer = {"offer": "1", "application": application.pk, "fund": fund.pk}
    # The first post shows what will happen and offers nothing.
    preview = committee.post(url, offer)
    assert preview.status_code == 200
    assert "Confirm: send the offer" in preview.content.decode()
    assert not ScholarshipAward.objects.filter(application=application).exists()
    committee.post(url, {**offer, "confirm": "1"})
    award = ScholarshipAward.objects.get(application=application)
    assert award.offered_by.username == "chair"
    # Now the preview says why not, without a button; a forced post is refused.
    preview = committee.post(url, offer)
    assert "already holds" in preview.content.decode()
    assert "Confirm: send the offer" not in preview.content.decode()
    response = committee.post(url, {**offer, "confirm": "1"}, follow=True)
    assert "already holds" in response.content.decode()
    assert ScholarshipAward.objects.filter(application=application).count() == 1


def test_allocation_preview_changes_nothing_and_confirm_runs_once(committee, data):
    cycle, *_ = data
    url = reverse("admin:awards_allocate", args=[cycle.pk])
    preview = committee.get(url)
    assert preview.status_code == 200
    assert "Preview: who gets what" in preview.content.decode()
    assert ScholarshipAward.objects.count() == 0
    response = committee.post(url, {"confirm": "1"}, follow=True)
    assert "4 scholarships offered" in response.content.decode()
    assert ScholarshipAward.objects.count() == 4
    response = committee.post(url, {"confirm": "1"}, follow=True)
    assert "nothing to allocate" in response.content.decode()
    assert ScholarshipAward.objects.count() == 4


def test_revoke_action_needs_a_reason(committee, data):
    _cycle, offerings, fund, applications = data
    application = next(a for a in applications if a.choices.filter(offering=offerings[0]))
    award = award_offer(application=application, fund=fund, offering=offerings[0])
    url = reverse("admin:admissions_scholarshipaward_changelist")
    form = committee.post(url, {"action": "revoke_with_reason", "_selected_action": [award.pk]})
    assert "Reason" in form.content.decode()
    committee.post(
        url,
        {"action": "revoke_with_reason", "_selected_action": [award.pk], "apply": "1"},
    )
    award.refresh_from_db()
    assert award.state == AwardState.OFFERED  # no reason: nothing happened
    committee.post(
        url,
        {
            "action": "revoke_with_reason",
            "_selected_action": [award.pk],
            "apply": "1",
            "reason": "False documents.",
        },
    )
    award.refresh_from_db()
    assert award.state == AwardState.REVOKED
    assert award.reason == "False documents."


def test_changelist_and_overview_render_with_figures(committee, data):
    cycle, *_ = data
    page = committee.get(reverse("admin:admissions_scholarshipaward_changelist"))
    assert page.status_code == 200
    assert "Scholarships —" in page.content.decode()
    overview = committee.get(reverse("admin:awards_overview"))
    assert reverse("admin:awards_allocate", args=[cycle.pk]) in overview.content.decode()


def test_staff_without_permission_cannot_allocate(client, data):
    cycle, *_ = data
    client.force_login(StaffFactory())
    response = client.post(reverse("admin:awards_allocate", args=[cycle.pk]), {"confirm": "1"})
    assert response.status_code == 403
    assert ScholarshipAward.objects.count() == 0

"""The catalogue admin: every page opens, and invalid data gets a clear form error."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import AdmissionCycle, Offering, ScholarshipFund
from tests.factories import CycleFactory, FundFactory, OfferingFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def split(moment):
    local = timezone.localtime(moment)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


def cycle_form(*, opens_at, closes_at, results_at, total=200, funds=(), cycle=None):
    """POST data of the cycle change form, with its inlines (funds, offerings, next steps)."""
    data = {
        "code": cycle.code if cycle else "2040",
        "name_ru": "Приём",
        "name_kk": "Қабылдау",
        "name_en": "Admission",
        "offer_response_days": "7",
        "scholarship_total": str(total),
        "exam_weight": "0.70",
        "review_weight": "0.30",
        "required_reviews": "1",
        "offerings-TOTAL_FORMS": "0",
        "offerings-INITIAL_FORMS": "0",
        "offerings-MIN_NUM_FORMS": "0",
        "offerings-MAX_NUM_FORMS": "1000",
        "next_steps-TOTAL_FORMS": "0",
        "next_steps-INITIAL_FORMS": "0",
        "next_steps-MIN_NUM_FORMS": "0",
        "next_steps-MAX_NUM_FORMS": "1000",
        "funds-TOTAL_FORMS": str(len(funds)),
        "funds-INITIAL_FORMS": str(sum(1 for fund in funds if fund.get("id"))),
        "funds-MIN_NUM_FORMS": "0",
        "funds-MAX_NUM_FORMS": "1000",
    }
    moments = {"opens_at": opens_at, "closes_at": closes_at, "results_at": results_at}
    for name, moment in moments.items():
        data[f"{name}_0"], data[f"{name}_1"] = split(moment)
    for index, fund in enumerate(funds):
        prefix = f"funds-{index}-"
        data.update(
            {
                prefix + "government": fund["government"],
                prefix + "name_ru": f"Фонд {fund['government']}",
                prefix + "seats": str(fund["seats"]),
                prefix + "position": "0",
            }
        )
        if fund.get("id"):
            data[prefix + "id"] = str(fund["id"])
            data[prefix + "cycle"] = str(cycle.pk)
    return data


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.mark.parametrize(
    "model", ["language", "field", "program", "admissioncycle", "offering", "scholarshipfund"]
)
def test_changelist_and_add_pages_open(admin_client, model):
    OfferingFactory()
    FundFactory()
    assert admin_client.get(reverse(f"admin:programs_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:programs_{model}_add")).status_code == 200


def test_cycle_change_page_has_language_tabs(admin_client):
    cycle = CycleFactory()
    response = admin_client.get(reverse("admin:programs_admissioncycle_change", args=[cycle.pk]))
    content = response.content.decode()
    assert 'name="name_kk"' in content and 'name="name_en"' in content
    assert "js/jquery-ui-tabs.js" in content  # no CDN


def test_cycle_closing_before_opening_is_refused(admin_client, now):
    data = cycle_form(
        opens_at=now, closes_at=now - timedelta(days=1), results_at=now + timedelta(days=5)
    )
    response = admin_client.post(reverse("admin:programs_admissioncycle_add"), data)
    assert response.status_code == 200
    assert "Applications must close after they open." in response.content.decode()
    assert not AdmissionCycle.objects.exists()


def test_results_before_closing_is_refused(admin_client, now):
    data = cycle_form(
        opens_at=now, closes_at=now + timedelta(days=10), results_at=now + timedelta(days=5)
    )
    response = admin_client.post(reverse("admin:programs_admissioncycle_add"), data)
    assert "Results cannot be published before applications close." in response.content.decode()
    assert not AdmissionCycle.objects.exists()


def test_new_cycle_with_funds_over_its_total_is_refused(admin_client, now):
    data = cycle_form(
        opens_at=now,
        closes_at=now + timedelta(days=10),
        results_at=now + timedelta(days=20),
        total=200,
        funds=[{"government": "KZ", "seats": 150}, {"government": "RU", "seats": 100}],
    )
    response = admin_client.post(reverse("admin:programs_admissioncycle_add"), data)
    assert response.status_code == 200
    assert (
        "The funds would hold 250 scholarships, more than the cycle&#x27;s total of 200."
        in response.content.decode()
    )
    assert not AdmissionCycle.objects.exists()


def test_valid_new_cycle_with_funds_is_saved(admin_client, now):
    data = cycle_form(
        opens_at=now,
        closes_at=now + timedelta(days=10),
        results_at=now + timedelta(days=20),
        funds=[{"government": "KZ", "seats": 100}, {"government": "RU", "seats": 100}],
    )
    response = admin_client.post(reverse("admin:programs_admissioncycle_add"), data)
    assert response.status_code == 302, response.context["errors"]
    cycle = AdmissionCycle.objects.get(code="2040")
    assert cycle.funds.count() == 2
    assert cycle.name_kk == "Қабылдау"


def edit_cycle(admin_client, cycle, *, total, seats):
    funds = [
        {"id": fund.pk, "government": fund.government.code, "seats": seat}
        for fund, seat in zip(cycle.funds.order_by("pk"), seats, strict=True)
    ]
    data = cycle_form(
        opens_at=cycle.opens_at,
        closes_at=cycle.closes_at,
        results_at=cycle.results_at,
        total=total,
        funds=funds,
        cycle=cycle,
    )
    url = reverse("admin:programs_admissioncycle_change", args=[cycle.pk])
    return admin_client.post(url, data)


@pytest.fixture
def funded_cycle():
    cycle = CycleFactory(scholarship_total=200)
    FundFactory(cycle=cycle, government="KZ", seats=100)
    FundFactory(cycle=cycle, government="RU", seats=100)
    return cycle


def test_moving_seats_between_funds_in_one_form_is_accepted(admin_client, funded_cycle):
    response = edit_cycle(admin_client, funded_cycle, total=200, seats=[120, 80])
    assert response.status_code == 302
    assert sorted(funded_cycle.funds.values_list("seats", flat=True)) == [80, 120]


def test_lowering_total_and_funds_together_is_accepted(admin_client, funded_cycle):
    response = edit_cycle(admin_client, funded_cycle, total=150, seats=[75, 75])
    assert response.status_code == 302
    funded_cycle.refresh_from_db()
    assert funded_cycle.scholarship_total == 150


def test_lowering_total_below_the_funds_is_refused(admin_client, funded_cycle):
    response = edit_cycle(admin_client, funded_cycle, total=150, seats=[100, 100])
    assert response.status_code == 200
    assert "The funds would hold 200 scholarships" in response.content.decode()
    funded_cycle.refresh_from_db()
    assert funded_cycle.scholarship_total == 200


def test_fund_over_the_cycle_total_is_refused_on_its_own_page(admin_client, funded_cycle):
    data = {
        "cycle": str(funded_cycle.pk),
        "government": "BY",
        "name_ru": "Правительство Республики Беларусь",
        "seats": "1",
        "position": "3",
    }
    response = admin_client.post(reverse("admin:programs_scholarshipfund_add"), data)
    assert response.status_code == 200
    assert "The funds would hold 201 scholarships" in response.content.decode()
    assert ScholarshipFund.objects.count() == 2


def test_offering_with_more_scholarship_seats_than_seats_is_refused(admin_client):
    cycle, program = CycleFactory(), ProgramFactory()
    data = {
        "cycle": str(cycle.pk),
        "program": str(program.pk),
        "seats": "10",
        "scholarship_seats": "11",
        "pass_mark": "50",
    }
    response = admin_client.post(reverse("admin:programs_offering_add"), data)
    assert response.status_code == 200
    assert "Scholarship seats cannot exceed seats." in response.content.decode()
    assert not Offering.objects.exists()


def test_offering_changelist_query_count_does_not_grow(
    admin_client, django_assert_max_num_queries
):
    cycle = CycleFactory()
    for _ in range(15):
        OfferingFactory(cycle=cycle, pass_mark=Decimal("55"))
    with django_assert_max_num_queries(12):
        assert admin_client.get(reverse("admin:programs_offering_changelist")).status_code == 200

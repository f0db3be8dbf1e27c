"""The ranking score is one formula (scholarships/scoring.py): the ranking, the allocation,
the admin list and the export show the same number, and the admin calls the mean of the
reviews "review mean", not "score"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from admissions.enums import ApplicationStatus as S
from admissions.scholarships import scoring
from admissions.scholarships.allocation import allocation_plan
from admissions.scholarships.ranking import ranking_compute
from tests.admissions.staff_helpers import application_for, officer, two_programs
from tests.factories import ExamResultFactory, ReviewFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:admissions_application_changelist"


@pytest.fixture
def scored():
    offering, _other = two_programs()
    offering.pass_mark = 0
    offering.save()
    application = application_for(offering, status=S.ACCEPTED)
    ExamResultFactory(application=application, score=Decimal("70"), max_score=Decimal("100"))
    ReviewFactory(application=application, score=Decimal("90"))
    return offering, application


def admin_row(client, application):
    response = client.get(reverse(CHANGELIST))
    row = next(a for a in response.context["cl"].result_list if a.pk == application.pk)
    admin = response.context["cl"].model_admin
    return admin, row, response


def test_admin_shows_review_mean_and_ranking_score_under_their_own_names(client, scored):
    offering, application = scored
    client.force_login(officer())
    admin, row, response = admin_row(client, application)
    assert "review mean" in response.text.lower() and "ranking score" in response.text.lower()
    assert admin.mean_score_display(row) == "90.0"
    # 0.7 * 70 + 0.3 * 90 = 76: the ranking's number, not the review mean.
    assert admin.ranking_score_display(row) == Decimal("76.00")
    assert ranking_compute(offering=offering)[0].score == Decimal("76.00")
    assert allocation_plan(cycle=offering.cycle).scores[application.pk] == Decimal("76.00")


def test_weights_are_cycle_data_and_every_place_follows(client, scored):
    offering, application = scored
    cycle = offering.cycle
    cycle.exam_weight, cycle.review_weight = Decimal("0.5"), Decimal("0.5")
    cycle.save()
    client.force_login(officer())
    admin, row, _response = admin_row(client, application)
    assert admin.ranking_score_display(row) == Decimal("80.00")
    assert ranking_compute(offering=offering)[0].score == Decimal("80.00")
    assert scoring.application_ranking_score(application=application) == Decimal("80.00")


def test_an_input_declared_optional_is_left_out_when_missing(scored, monkeypatch):
    offering, application = scored
    application.reviews.all().delete()
    assert ranking_compute(offering=offering)[0].score == Decimal("70.00")
    # Declared required instead: a missing review counts as 0.
    inputs = tuple(
        item if item.name != "review" else scoring.ScoreInput(**{**vars(item), "optional": False})
        for item in scoring.SCORE_INPUTS
    )
    monkeypatch.setattr(scoring, "SCORE_INPUTS", inputs)
    assert ranking_compute(offering=offering)[0].score == Decimal("49.00")
    assert scoring.application_ranking_score(application=application) == Decimal("49.00")


def test_ties_go_to_the_earlier_submission():
    from datetime import UTC, datetime

    early, late = datetime(2025, 9, 1, tzinfo=UTC), datetime(2025, 9, 2, tzinfo=UTC)
    keys = [
        scoring.tie_break_key(score=Decimal("80"), submitted_at=late, application_id=1),
        scoring.tie_break_key(score=Decimal("80"), submitted_at=early, application_id=2),
        scoring.tie_break_key(score=Decimal("81"), submitted_at=late, application_id=3),
    ]
    assert [k[2] for k in sorted(keys)] == [3, 2, 1]

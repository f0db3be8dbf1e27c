"""Rubric reviews: the weighted score, bad scores, one review per reviewer, the admin form."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from admissions.enums import ApplicationStatus as S
from admissions.errors import DomainError
from admissions.models import Review, ReviewScore
from admissions.reviews.services import review_submit
from tests.admissions.staff_helpers import application_for, officer, reviewer, two_programs
from tests.factories import RubricCriterionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    mine, other = two_programs()
    knowledge = RubricCriterionFactory(
        cycle=mine.cycle, name="Knowledge", weight=Decimal("2"), max_score=10
    )
    motivation = RubricCriterionFactory(
        cycle=mine.cycle, name="Motivation", weight=Decimal("1"), max_score=5
    )
    RubricCriterionFactory(cycle=mine.cycle, name="Retired", is_active=False)
    return mine, other, knowledge, motivation


def test_review_score_is_the_weighted_mean_normalised_to_100(setting):
    mine, _other, knowledge, motivation = setting
    application = application_for(mine)
    user = reviewer(mine.program)
    review = review_submit(
        application=application,
        reviewer=user,
        scores={knowledge.pk: 8, motivation.pk: 5},
        comment="  Solid.  ",
    )
    # (2 * 8/10 + 1 * 5/5) / 3 * 100 = 86.67
    assert review.score == Decimal("86.67")
    assert review.comment == "Solid."
    assert dict(ReviewScore.objects.values_list("criterion__name", "value")) == {
        "Knowledge": 8,
        "Motivation": 5,
    }


def test_second_submission_replaces_the_reviewers_review(setting):
    mine, _other, knowledge, motivation = setting
    application = application_for(mine)
    user = reviewer(mine.program)
    review_submit(
        application=application, reviewer=user, scores={knowledge.pk: 1, motivation.pk: 1}
    )
    review = review_submit(
        application=application, reviewer=user, scores={knowledge.pk: 10, motivation.pk: 5}
    )
    assert Review.objects.get() == review
    assert review.score == Decimal("100.00")
    assert ReviewScore.objects.count() == 2


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ({"k": 11, "m": 3}, "between 0 and 10"),
        ({"k": -1, "m": 3}, "between 0 and 10"),
        ({"k": 5, "m": 6}, "between 0 and 5"),
        ({"k": 5}, "Score the criterion “Motivation”"),
        ({"k": 5, "m": 3, "x": 1}, "not in the rubric"),
    ],
)
def test_bad_scores_are_refused_and_nothing_is_saved(setting, scores, message):
    mine, _other, knowledge, motivation = setting
    ids = {"k": knowledge.pk, "m": motivation.pk, "x": 999_999}
    with pytest.raises(DomainError, match=message):
        review_submit(
            application=application_for(mine),
            reviewer=reviewer(mine.program),
            scores={ids[key]: value for key, value in scores.items()},
        )
    assert not Review.objects.exists()


@pytest.mark.parametrize("status", [S.DRAFT, S.WITHDRAWN, S.ACCEPTED, S.REJECTED])
def test_applications_outside_review_cannot_be_reviewed(setting, status):
    mine, _other, knowledge, motivation = setting
    with pytest.raises(DomainError, match="cannot be reviewed"):
        review_submit(
            application=application_for(mine, status=status),
            reviewer=reviewer(mine.program),
            scores={knowledge.pk: 1, motivation.pk: 1},
        )


def test_review_form_in_the_admin(client, setting):
    mine, _other, knowledge, motivation = setting
    application = application_for(mine, status=S.UNDER_REVIEW)
    user = reviewer(mine.program)
    client.force_login(user)
    url = reverse("admin:admissions_application_review", args=[application.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert set(page.context["form"].fields) == {
        f"criterion_{knowledge.pk}",
        f"criterion_{motivation.pk}",
        "comment",
    }
    change_page = client.get(reverse("admin:admissions_application_change", args=[application.pk]))
    assert url in change_page.text  # the "Review" button

    refused = client.post(
        url, {f"criterion_{knowledge.pk}": "12", f"criterion_{motivation.pk}": "3"}
    )
    assert refused.status_code == 200
    assert "must be between 0 and 10; 12 was given" in refused.text
    assert not Review.objects.exists()

    saved = client.post(
        url,
        {f"criterion_{knowledge.pk}": "10", f"criterion_{motivation.pk}": "5", "comment": "ok"},
    )
    assert saved.status_code == 302
    assert Review.objects.get().score == Decimal("100.00")
    assert LogEntry.objects.get().user == user
    # The mean score appears on the application list.
    assert "100.0" in client.get(reverse("admin:admissions_application_changelist")).text


def test_reviewer_cannot_review_another_programs_application(client, setting):
    mine, other, knowledge, _motivation = setting
    hidden = application_for(other)
    client.force_login(reviewer(mine.program))
    url = reverse("admin:admissions_application_review", args=[hidden.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {f"criterion_{knowledge.pk}": "1"}).status_code == 404
    assert not Review.objects.exists()


def test_mean_score_of_several_reviewers(client, setting):
    mine, _other, knowledge, motivation = setting
    application = application_for(mine)
    for points in (10, 4):
        review_submit(
            application=application,
            reviewer=reviewer(mine.program),
            scores={knowledge.pk: points, motivation.pk: 5},
        )
    client.force_login(officer())
    page = client.get(reverse("admin:admissions_application_change", args=[application.pk])).text
    # (100 + 60) / 2
    assert "80.0" in page


def test_reviewer_sees_only_own_reviews(client, setting):
    mine, _other, knowledge, motivation = setting
    application = application_for(mine)
    me, colleague = reviewer(mine.program), reviewer(mine.program)
    review_submit(
        application=application,
        reviewer=colleague,
        scores={knowledge.pk: 3, motivation.pk: 3},
        comment="colleague's secret note",
    )
    client.force_login(me)
    page = client.get(reverse("admin:admissions_application_change", args=[application.pk])).text
    assert "colleague&#x27;s secret note" not in page and "colleague's secret note" not in page
    assert (
        client.get(reverse("admin:admissions_review_changelist")).context["cl"].result_count == 0
    )

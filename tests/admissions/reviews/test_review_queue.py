"""The reviewer's queue "to review by me" and "save and next"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from admissions.enums import ApplicationStatus as S
from admissions.reviews.selectors import review_queue, review_queue_counts, review_queue_next
from tests.admissions.staff_helpers import (
    application_for,
    bulk_applications,
    committee,
    officer,
    reviewer,
    two_programs,
)
from tests.factories import ReviewFactory, RubricCriterionFactory

pytestmark = pytest.mark.django_db

QUEUE = "admin:admissions_application_review_queue"


def submitted(offering, days_ago: int, **kwargs):
    return application_for(
        offering, submitted_at=timezone.now() - timedelta(days=days_ago), **kwargs
    )


def review_url(application, program=None):
    url = reverse("admin:admissions_application_review", args=[application.pk])
    return f"{url}?program={program.pk}" if program else url


def test_queue_lists_my_unreviewed_first_then_by_submission_time():
    mine, other = two_programs()
    oldest = submitted(mine, 5, status=S.UNDER_REVIEW)
    reviewed = submitted(mine, 9)
    newest = submitted(mine, 1)
    asked = submitted(mine, 3, status=S.DOCUMENTS_REQUESTED)
    submitted(mine, 4, status=S.ACCEPTED)  # decided: not reviewable
    submitted(other, 8)  # another program
    user = reviewer(mine.program)
    ReviewFactory(application=reviewed, reviewer=user, score=61)
    ReviewFactory(application=newest, score=90)  # someone else's review counts for nothing

    queue = list(review_queue(reviewer=user, program_id=mine.program_id))
    assert queue == [oldest, asked, newest, reviewed]
    assert [a.reviewed_by_me for a in queue] == [False, False, False, True]
    assert queue[-1].my_score == 61
    assert review_queue_next(reviewer=user, program_id=mine.program_id, after=oldest) == asked
    assert review_queue_counts(reviewer=user, program_ids=[mine.program_id, other.program_id]) == {
        mine.program_id: 3
    }


def test_queue_page_shows_tabs_per_assigned_program_and_the_start_link(client):
    mine, second = two_programs()
    first = submitted(mine, 2)
    submitted(second, 1)
    client.force_login(reviewer(mine.program, second.program))
    response = client.get(reverse(QUEUE), {"program": mine.program_id})
    page = response.content.decode()
    assert response.status_code == 200
    assert escape(str(mine.program)) in page and escape(str(second.program)) in page
    assert review_url(first, mine.program) in page
    assert [row.pk for row in response.context["rows"]] == [first.pk]


def test_a_program_not_assigned_to_me_is_not_shown(client):
    mine, other = two_programs()
    hidden = submitted(other, 1)
    client.force_login(reviewer(mine.program))
    response = client.get(reverse(QUEUE), {"program": other.program_id})
    assert response.context["program"] == mine.program
    assert hidden.reference not in response.content.decode()


@pytest.mark.parametrize("role", [officer, committee])
def test_staff_who_do_not_review_cannot_open_the_queue(client, role):
    client.force_login(role())
    assert client.get(reverse(QUEUE)).status_code == 403


def test_queue_without_assignment_says_so(client):
    from admissions.permissions import REVIEWER_GROUP
    from tests.admissions.staff_helpers import staff_in

    client.force_login(staff_in(REVIEWER_GROUP))
    response = client.get(reverse(QUEUE))
    assert response.status_code == 200
    assert "No programs are assigned to you for review." in response.content.decode()


@pytest.mark.parametrize("rows", [5, 400])
def test_queue_query_budget_does_not_grow_with_rows(client, django_assert_max_num_queries, rows):
    mine, _other = two_programs()
    bulk_applications(rows, mine)
    user = reviewer(mine.program)
    client.force_login(user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse(QUEUE))
    assert len(response.context["rows"]) == rows


def test_save_and_next_opens_the_next_unreviewed_and_ends_at_the_queue(client):
    mine, _other = two_programs()
    criterion = RubricCriterionFactory(cycle=mine.cycle, max_score=10)
    first, second = submitted(mine, 3), submitted(mine, 2)
    user = reviewer(mine.program)
    client.force_login(user)
    data = {f"criterion_{criterion.pk}": 8, "comment": "", "_next": "1"}

    response = client.post(review_url(first, mine.program), data)
    assert response["Location"] == review_url(second, mine.program)
    response = client.post(review_url(second, mine.program), data)
    assert response["Location"] == f"{reverse(QUEUE)}?program={mine.program_id}"
    # "Save" alone returns to the application, as before.
    plain = {f"criterion_{criterion.pk}": 9, "comment": ""}
    response = client.post(review_url(first, mine.program), plain)
    assert response["Location"] == reverse("admin:admissions_application_change", args=[first.pk])


def test_invalid_scores_stay_on_the_page_with_the_error(client):
    mine, _other = two_programs()
    criterion = RubricCriterionFactory(cycle=mine.cycle, max_score=10)
    application = submitted(mine, 1)
    client.force_login(reviewer(mine.program))
    response = client.post(
        review_url(application, mine.program),
        {f"criterion_{criterion.pk}": 11, "_next": "1"},
    )
    assert response.status_code == 200
    assert "between 0 and 10" in response.content.decode()


def test_review_page_shows_the_application_content_beside_the_rubric(client):
    from tests.factories import DocumentFactory, ExamResultFactory

    mine, _other = two_programs()
    RubricCriterionFactory(cycle=mine.cycle, name="Motivation")
    application = submitted(
        mine,
        1,
        motivation="I want to study customs law in Omsk. " * 10,
        education_institution="Gymnasium 7",
        grade_average="4.50",
    )
    ExamResultFactory(application=application, subject="World History")
    diploma = DocumentFactory(application=application, kind="education", original_name="dip.pdf")
    client.force_login(reviewer(mine.program))
    page = client.get(review_url(application, mine.program)).content.decode()
    for text in ("I want to study customs law in Omsk.", "World History", "4.50", "dip.pdf"):
        assert text in page
    preview = reverse("admissions:document_download", args=[diploma.pk]) + "?preview=1"
    assert preview in page
    assert 'name="_next"' in page and 'id="rubric-keys"' in page

"""The daily staff digest: one mail per staff member per local day, contents by role."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from admissions.enums import ApplicationStatus as S
from admissions.models import OutgoingMail, Review
from admissions.notifications.digest import staff_digest_send
from admissions.notifications.outbox import mail_render
from admissions.notifications.tasks import staff_digest
from tests.admissions.staff_helpers import (
    application_for,
    committee,
    officer,
    reviewer,
    two_programs,
)
from tests.factories import DocumentFactory, StaffFactory

pytestmark = pytest.mark.django_db

OMSK = ZoneInfo("Asia/Omsk")
MORNING = datetime(2025, 10, 1, 8, 0, tzinfo=OMSK)


@pytest.fixture
def world():
    mine, other = two_programs()
    fresh_mine = application_for(mine, submitted_at=MORNING - timedelta(hours=3))
    fresh_other = application_for(other, submitted_at=MORNING - timedelta(hours=5))
    old_mine = application_for(
        mine, submitted_at=MORNING - timedelta(days=3), status=S.UNDER_REVIEW
    )
    DocumentFactory(application=fresh_other)
    DocumentFactory(application=old_mine)
    staff = {
        "officer": officer(email="officer@example.org"),
        "reviewer": reviewer(mine.program, email="reviewer@example.org"),
        "committee": committee(email="committee@example.org"),
        "nobody": StaffFactory(email="norole@example.org"),
    }
    return staff, fresh_mine, fresh_other, old_mine


def digest_of(user):
    return OutgoingMail.objects.get(user=user, template="staff_digest")


def test_digest_contents_depend_on_the_role(world, django_capture_on_commit_callbacks):
    staff, fresh_mine, fresh_other, old_mine = world
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_digest_send(now=MORNING) == 3

    officer_mail = digest_of(staff["officer"])
    assert officer_mail.context["new_count"] == 2
    assert set(officer_mail.context["new_references"]) == {
        fresh_mine.reference,
        fresh_other.reference,
    }
    assert officer_mail.context["documents_count"] == 2
    assert officer_mail.language == "ru"
    assert officer_mail.idempotency_key.endswith("2025-10-01")

    reviewer_mail = digest_of(staff["reviewer"])
    assert reviewer_mail.context["new_references"] == [fresh_mine.reference]
    assert reviewer_mail.context["documents_count"] == 0
    assert reviewer_mail.context["reviews_owed_count"] == 2
    assert set(reviewer_mail.context["reviews_owed_references"]) == {
        fresh_mine.reference,
        old_mine.reference,
    }

    committee_mail = digest_of(staff["committee"])
    assert committee_mail.context["new_count"] == 2
    assert committee_mail.context["documents_count"] == 0
    assert not OutgoingMail.objects.filter(user=staff["nobody"]).exists()

    # Rendered in the recipient's language, with the figures.
    subject, text, html = mail_render(reviewer_mail)
    assert "2025-10-01" in subject
    assert fresh_mine.reference in text and fresh_mine.reference in html
    assert "/admin/admissions/application/" in text


def test_digest_is_sent_once_per_local_day(world):
    assert staff_digest_send(now=MORNING) == 3
    assert staff_digest_send(now=MORNING + timedelta(hours=6)) == 0
    assert OutgoingMail.objects.filter(template="staff_digest").count() == 3
    # The next local day is a new digest (fresh submissions only count from the last 24 h).
    assert staff_digest_send(now=MORNING + timedelta(days=1)) >= 1


def test_review_written_means_no_longer_owed(world):
    staff, fresh_mine, _fresh_other, old_mine = world
    Review.objects.create(application=old_mine, reviewer=staff["reviewer"], score=50)
    staff_digest_send(now=MORNING)
    assert digest_of(staff["reviewer"]).context["reviews_owed_references"] == [
        fresh_mine.reference
    ]


def test_nothing_to_report_sends_nothing():
    officer(email="idle@example.org")
    assert staff_digest_send(now=MORNING) == 0
    assert not OutgoingMail.objects.exists()


@pytest.mark.usefixtures("world")
def test_the_celery_task_calls_the_service(time_machine):
    time_machine.move_to(MORNING, tick=False)
    assert staff_digest.name == "admissions.staff_digest"
    assert staff_digest.delay().get() == 3  # tasks run eagerly in the tests
    assert OutgoingMail.objects.filter(template="staff_digest").count() == 3

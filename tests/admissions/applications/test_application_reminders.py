"""Draft reminders 7, 3 and 1 days before the deadline, each once, in the owner's language."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from admissions.applications.services import drafts_remind
from admissions.applications.tasks import remind_drafts
from admissions.enums import ApplicationStatus
from admissions.models import OutgoingMail
from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    ChoiceFactory,
    CycleFactory,
    OfferingFactory,
)

pytestmark = pytest.mark.django_db


def reminders():
    return OutgoingMail.objects.filter(template="draft_reminder").order_by("pk")


@pytest.fixture
def cycle():
    now = timezone.now()
    return CycleFactory(opens_at=now - timedelta(days=30), closes_at=now + timedelta(days=20))


def draft_with_deadline(cycle, days, **kwargs):
    offering = OfferingFactory(cycle=cycle, deadline=timezone.now() + timedelta(days=days))
    application = ApplicationFactory(cycle=cycle, **kwargs)
    ChoiceFactory(application=application, offering=offering)
    return application


def test_each_reminder_is_sent_once_at_7_3_and_1_days(cycle):
    application = draft_with_deadline(cycle, 10)
    start = timezone.now()
    sent_days = []
    for day in range(11):
        with time_machine.travel(start + timedelta(days=day, hours=1)):
            drafts_remind()
            drafts_remind()  # the job runs twice: nothing new
        sent_days.append(reminders().count())
    keys = list(reminders().values_list("idempotency_key", flat=True))
    assert keys == [
        f"draft-reminder-{application.pk}-7",
        f"draft-reminder-{application.pk}-3",
        f"draft-reminder-{application.pk}-1",
    ]
    assert [r.context["days_left"] for r in reminders()] == [7, 3, 1]


def test_a_missed_day_sends_the_nearest_reminder_only(cycle):
    application = draft_with_deadline(cycle, 5)
    assert drafts_remind() == 1
    assert reminders().get().idempotency_key == f"draft-reminder-{application.pk}-7"
    assert drafts_remind() == 0


def test_reminder_in_the_owners_language_with_link_and_deadline(
    cycle, django_capture_on_commit_callbacks
):
    profile = ApplicantProfileFactory(preferred_language="kk")
    draft_with_deadline(cycle, 2.5, applicant=profile.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_drafts.delay().get() == 1
    reminder = reminders().get()
    assert reminder.language == "kk"
    assert reminder.context["days_left"] == 3
    assert reminder.context["url"].endswith("/kk/applicant/application/")
    assert "T" in reminder.context["deadline"]
    assert reminder.state == "sent"
    assert len(mail.outbox) == 1


def test_submitted_far_and_past_deadline_drafts_get_no_reminder(cycle):
    draft_with_deadline(cycle, 2, status=ApplicationStatus.SUBMITTED)
    draft_with_deadline(cycle, 15)
    draft_with_deadline(cycle, -1)
    assert drafts_remind() == 0


def test_draft_without_choices_uses_the_cycle_closing_date():
    now = timezone.now()
    cycle = CycleFactory(opens_at=now - timedelta(days=30), closes_at=now + timedelta(hours=20))
    application = ApplicationFactory(cycle=cycle)
    assert drafts_remind() == 1
    assert reminders().get().idempotency_key == f"draft-reminder-{application.pk}-1"

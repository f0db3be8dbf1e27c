"""Submission: one service, exactly once, only when everything is in order (invariants 2, 7)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from admissions.applications.services import application_submit, application_withdraw
from admissions.enums import ApplicationStatus
from admissions.errors import DeadlinePassed, DomainError, IllegalTransition
from admissions.models import Application, OutgoingMail, StatusEvent
from programs.models import AdmissionCycle
from tests.factories import (
    CycleFactory,
    OfferingFactory,
    ProgramFactory,
    ready_application,
)

pytestmark = pytest.mark.django_db


def submitted_mails():
    return OutgoingMail.objects.filter(template="application_submitted")


def test_submit_gives_reference_event_and_one_mail(django_capture_on_commit_callbacks):
    application = ready_application(cycle=CycleFactory(code="2031"))
    with django_capture_on_commit_callbacks(execute=True):
        result = application_submit(
            application=application, actor=application.applicant, consent=True
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.reference == result.reference == "KZO-2031-000001"
    assert application.submitted_at is not None
    assert application.consent_version == "2025-09"
    assert application.consent_given_at is not None
    event = StatusEvent.objects.get(application=application)
    assert (event.from_status, event.to_status) == ("draft", "submitted")
    mail = submitted_mails().get()
    assert mail.context["reference"] == "KZO-2031-000001"
    assert mail.recipient == application.applicant.email


def test_submit_twice_makes_one_submission_one_event_one_mail():
    application = ready_application()
    first = application_submit(application=application, actor=None, consent=True)
    again = Application.objects.get(pk=application.pk)
    second = application_submit(application=again, actor=None, consent=True)
    assert second.reference == first.reference
    assert second.submitted_at == first.submitted_at
    assert StatusEvent.objects.filter(application=application).count() == 1
    assert submitted_mails().count() == 1
    assert AdmissionCycle.objects.get(pk=application.cycle_id).reference_counter == 1


def test_references_are_sequential_and_unique_per_cycle_without_gaps():
    cycle = CycleFactory(code="2032")
    first = ready_application(cycle=cycle)
    refused = ready_application(cycle=cycle, confirmed=False)
    second = ready_application(cycle=cycle)
    application_submit(application=first, actor=None, consent=True)
    with pytest.raises(DomainError):
        application_submit(application=refused, actor=None, consent=True)
    application_submit(application=second, actor=None, consent=True)
    assert [first.reference, second.reference] == ["KZO-2032-000001", "KZO-2032-000002"]
    other_cycle = ready_application(cycle=CycleFactory(code="2033"))
    application_submit(application=other_cycle, actor=None, consent=True)
    assert other_cycle.reference == "KZO-2033-000001"


def test_unconfirmed_email_is_refused_and_draft_unchanged():
    application = ready_application(confirmed=False)
    with pytest.raises(DomainError, match="Confirm your e-mail"):
        application_submit(application=application, actor=None, consent=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.reference is None
    assert not StatusEvent.objects.exists()
    assert not OutgoingMail.objects.exists()


def test_submit_after_the_deadline_is_refused_and_the_draft_kept():
    cycle = CycleFactory()
    application = ready_application(cycle=cycle)
    with (
        time_machine.travel(cycle.closes_at + timedelta(minutes=1)),
        pytest.raises(DeadlinePassed, match="deadline"),
    ):
        application_submit(application=application, actor=None, consent=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.choices.count() == 1
    assert application.motivation
    assert AdmissionCycle.objects.get(pk=cycle.pk).reference_counter == 0


def test_the_earliest_own_deadline_of_the_chosen_offerings_applies():
    cycle = CycleFactory()
    early = OfferingFactory(cycle=cycle, deadline=timezone.now() + timedelta(days=1))
    late = OfferingFactory(cycle=cycle)
    application = ready_application(cycle=cycle, offerings=[late, early])
    with (
        time_machine.travel(early.deadline + timedelta(seconds=1)),
        pytest.raises(DeadlinePassed),
    ):
        application_submit(application=application, actor=None, consent=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_submit_before_the_cycle_opens_is_refused():
    cycle = CycleFactory(
        opens_at=timezone.now() + timedelta(days=1), closes_at=timezone.now() + timedelta(days=9)
    )
    application = ready_application(cycle=cycle)
    with pytest.raises(DomainError, match="not open yet"):
        application_submit(application=application, actor=None, consent=True)


def test_missing_required_document_is_refused():
    application = ready_application(documents=False)
    with pytest.raises(DomainError, match="Upload the required document"):
        application_submit(application=application, actor=None, consent=True)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_master_program_needs_the_transcript():
    cycle = CycleFactory()
    master = OfferingFactory(cycle=cycle, program=ProgramFactory(level="master"))
    application = ready_application(cycle=cycle, offerings=[master])
    with pytest.raises(DomainError, match="Transcript"):
        application_submit(application=application, actor=None, consent=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("motivation", "too short", "motivation"),
        ("education_institution", "", "prior education"),
        ("grade_average", None, "prior education"),
    ],
)
def test_missing_fields_are_refused(field, value, message):
    application = ready_application(**{field: value})
    with pytest.raises(DomainError, match=message):
        application_submit(application=application, actor=None, consent=True)


def test_without_choice_or_exam_is_refused():
    application = ready_application()
    application.choices.all().delete()
    application.exam_results.all().delete()
    with pytest.raises(DomainError) as caught:
        application_submit(application=application, actor=None, consent=True)
    assert "program" in str(caught.value)
    assert "exam" in str(caught.value)


def test_without_consent_is_refused():
    application = ready_application()
    with pytest.raises(DomainError, match="consent"):
        application_submit(application=application, actor=None, consent=False)


def test_consent_of_an_older_text_version_is_not_enough():
    from admissions.models import ConsentText

    ConsentText.objects.create(version="2030-01", text="New text", in_force_from=timezone.now())
    application = ready_application(consent_version="2025-09", consent_given_at=timezone.now())
    with pytest.raises(DomainError, match="consent"):
        application_submit(application=application, actor=None)
    type(application).objects.filter(pk=application.pk).update(consent_version="2030-01")
    application_submit(application=application, actor=None)
    assert application.status == ApplicationStatus.SUBMITTED


def test_submit_view_double_post_makes_one_submission(client):
    application = ready_application()
    client.force_login(application.applicant)
    url = reverse("admissions:application_step", kwargs={"step": "review"})
    first = client.post(url, {"consent": "on"})
    second = client.post(url, {"consent": "on"})
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reverse("admissions:dashboard")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert StatusEvent.objects.filter(application=application).count() == 1
    assert submitted_mails().count() == 1
    page = client.get(reverse("admissions:dashboard"))
    assert application.reference in page.content.decode()


def test_submit_view_without_consent_shows_the_error_and_keeps_the_draft(client):
    application = ready_application()
    client.force_login(application.applicant)
    url = reverse("admissions:application_step", kwargs={"step": "review"})
    response = client.post(url, {})
    assert response.status_code == 200
    assert "Your consent is needed" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_submit_view_after_deadline_tells_why_and_keeps_the_draft(client):
    cycle = CycleFactory()
    application = ready_application(cycle=cycle)
    url = reverse("admissions:application_step", kwargs={"step": "review"})
    with time_machine.travel(cycle.closes_at + timedelta(hours=1)):
        client.force_login(application.applicant)  # the session would have expired
        response = client.post(url, {"consent": "on"}, follow=True)
    assert "has passed" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_withdraw_from_submitted_is_audited_and_mailed():
    application = ready_application()
    application_submit(application=application, actor=None, consent=True)
    application_withdraw(application=application, actor=application.applicant, reason="moved")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    event = application.events.latest("pk")
    assert (event.to_status, event.note) == ("withdrawn", "moved")
    with pytest.raises(IllegalTransition):
        application_withdraw(application=application, actor=None)


def test_withdraw_view_asks_for_confirmation_first(client):
    application = ready_application()
    client.force_login(application.applicant)
    url = reverse("admissions:application_withdraw")
    page = client.get(url)
    assert page.status_code == 200
    assert "cannot be undone" in page.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    response = client.post(url, {"reason": "<b>changed my mind</b>"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    dashboard = client.get(reverse("admissions:dashboard")).content.decode()
    assert "&lt;b&gt;changed my mind&lt;/b&gt;" in dashboard
    assert client.get(url).status_code == 404

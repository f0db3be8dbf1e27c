"""Decisions made before the results time are held: staff see them, the applicant and the
mailbox only at the release (the beat job), once; a held decision can be changed silently."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from admissions.applications.release import (
    application_as_applicant_sees,
    decisions_pending_release,
    decisions_release,
)
from admissions.applications.services import application_transition
from admissions.applications.tasks import release_decisions
from admissions.enums import ApplicationStatus as S
from admissions.enums import MailState
from admissions.errors import DomainError, IllegalTransition
from admissions.models import Application, OutgoingMail, StatusEvent
from admissions.notifications.outbox import mail_deliver
from tests.factories import (
    CycleFactory,
    FundFactory,
    SubmittedApplicationFactory,
    ready_for_decision,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def application():
    application = ready_for_decision(
        SubmittedApplicationFactory(cycle=CycleFactory(), scholarship_requested=True)
    )
    application_transition(application=application, to_status=S.UNDER_REVIEW)
    return application


def decision_mail(application):
    return OutgoingMail.objects.filter(
        user=application.applicant,
        template="status_changed",
        context__to_status__in=[S.ACCEPTED, S.WAITLISTED, S.REJECTED],
    )


def test_a_decision_before_the_results_time_is_held(
    application, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = application_transition(application=application, to_status=S.ACCEPTED, note="ok")
    application.refresh_from_db()
    assert application.status == S.ACCEPTED  # staff see it at once
    assert application.released_status == S.UNDER_REVIEW
    assert event.withheld and event.released_at is None  # audited, not shown
    assert not decision_mail(application).exists()
    seen = application_as_applicant_sees(Application.objects.get(pk=application.pk))
    assert seen.status == S.UNDER_REVIEW and seen.decision_note == ""
    assert list(decisions_pending_release()) == [application]
    # The job before the results time releases nothing.
    assert decisions_release() == 0


def test_the_release_job_shows_and_mails_the_decision_once(application):
    application_transition(application=application, to_status=S.ACCEPTED, note="Welcome")
    results = application.cycle.results_at
    with time_machine.travel(results + timedelta(minutes=1), tick=False):
        assert release_decisions.delay().get() == 1
        assert release_decisions.delay().get() == 0  # twice: nothing new
        assert decisions_release() == 0
    application.refresh_from_db()
    assert application.released_status == ""
    event = application.events.get(to_status=S.ACCEPTED)
    assert not event.withheld and event.released_at == results + timedelta(minutes=1)
    mail = decision_mail(application).get()
    assert mail.context["from_status"] == S.UNDER_REVIEW
    assert mail.context["to_status"] == S.ACCEPTED
    assert mail.context["note"] == "Welcome"


def test_a_changed_decision_is_never_seen_in_its_first_form(application):
    application_transition(application=application, to_status=S.REJECTED, note="mistake")
    # Rejected is final, but a held rejection can still be corrected.
    application_transition(application=application, to_status=S.WAITLISTED, note="second")
    application_transition(application=application, to_status=S.ACCEPTED, note="final")
    application.refresh_from_db()
    assert application.released_status == S.UNDER_REVIEW
    with time_machine.travel(application.cycle.results_at, tick=False):
        assert decisions_release() == 1
    mails = list(decision_mail(application))
    assert [m.context["to_status"] for m in mails] == [S.ACCEPTED]
    assert "mistake" not in str(mails[0].context)
    events = list(application.events.order_by("pk"))
    # Every change audited; only the released decision visible to the applicant.
    assert [(e.to_status, e.withheld) for e in events[-3:]] == [
        (S.REJECTED, True),
        (S.WAITLISTED, True),
        (S.ACCEPTED, False),
    ]


def test_undoing_a_held_decision_sends_nothing(application):
    before = OutgoingMail.objects.count()
    application_transition(application=application, to_status=S.REJECTED, note="No seat.")
    application_transition(application=application, to_status=S.UNDER_REVIEW, note="undo")
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW and application.released_status == ""
    assert OutgoingMail.objects.count() == before
    assert StatusEvent.objects.filter(application=application, withheld=True).count() == 2
    with time_machine.travel(application.cycle.results_at, tick=False):
        assert decisions_release() == 0


def test_a_released_final_decision_can_no_longer_be_changed(application):
    application_transition(application=application, to_status=S.REJECTED, note="No seat.")
    with time_machine.travel(application.cycle.results_at, tick=False):
        decisions_release()
        with pytest.raises(IllegalTransition):
            application_transition(application=application, to_status=S.ACCEPTED)


def test_after_the_results_time_decisions_go_out_at_once(application):
    with time_machine.travel(application.cycle.results_at + timedelta(days=1), tick=False):
        event = application_transition(application=application, to_status=S.WAITLISTED)
    application.refresh_from_db()
    assert application.released_status == "" and not event.withheld
    assert decision_mail(application).count() == 1


def test_a_cycle_that_releases_immediately(application):
    cycle = application.cycle
    cycle.release_decisions_immediately = True
    cycle.save()
    application_transition(application=application, to_status=S.REJECTED, note="No seat.")
    application.refresh_from_db()
    assert application.released_status == ""
    assert decision_mail(application).count() == 1


def test_switching_a_cycle_to_immediate_release_releases_held_decisions(application):
    application_transition(application=application, to_status=S.ACCEPTED)
    cycle = application.cycle
    cycle.release_decisions_immediately = True
    cycle.save()
    assert decisions_release() == 1
    assert decision_mail(application).count() == 1


def test_withdrawal_during_a_held_decision_mentions_only_what_the_applicant_saw(application):
    application_transition(application=application, to_status=S.REJECTED, note="No seat.")
    application_transition(
        application=application, to_status=S.WITHDRAWN, actor=application.applicant
    )
    mail = OutgoingMail.objects.filter(user=application.applicant).latest("pk")
    assert mail.context["to_status"] == S.WITHDRAWN
    assert mail.context["from_status"] == S.UNDER_REVIEW
    assert not decision_mail(application).exists()


def test_no_scholarship_offer_on_a_held_decision(application):
    from admissions.scholarships.awards import award_offer

    application_transition(application=application, to_status=S.ACCEPTED)
    fund = FundFactory(cycle=application.cycle, government="KZ")
    offering = application.choices.get().offering
    with pytest.raises(DomainError, match="not released"):
        award_offer(application=application, fund=fund, offering=offering, actor=None)


def test_the_held_mail_is_sent_once_by_the_outbox(application, mailoutbox):
    application_transition(application=application, to_status=S.ACCEPTED)
    with time_machine.travel(timezone.now() + timedelta(days=60), tick=False):
        decisions_release()
        mail = decision_mail(application).get()
        before = len(mailoutbox)
        mail_deliver(mail_id=mail.pk)
        mail_deliver(mail_id=mail.pk)
        decisions_release()
    assert len(mailoutbox) == before + 1
    assert mailoutbox[-1].to == [application.applicant.email]
    mail.refresh_from_db()
    assert mail.state == MailState.SENT
    assert decision_mail(application).count() == 1

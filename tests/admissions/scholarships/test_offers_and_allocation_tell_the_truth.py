"""Allocation timing, fund eligibility and what the award mails and history say."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from admissions.enums import ApplicationStatus, AwardState
from admissions.errors import DomainError
from admissions.models import AllocationRun, OutgoingMail, ScholarshipAward, StatusEvent
from admissions.notifications.outbox import mail_render
from admissions.scholarships.allocation import allocation_plan, allocation_run
from admissions.scholarships.awards import award_accept, award_offer, awards_expire
from admissions.scholarships.deferred_acceptance import Reason
from programs.models import AdmissionCycle
from tests.admissions.scholarship_data import closed_cycle, make_fund, make_offering
from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    ChoiceFactory,
    ExamResultFactory,
)

pytestmark = pytest.mark.django_db


def eligible(offering, *, score=90, status=ApplicationStatus.ACCEPTED, citizenship="KZ"):
    profile = ApplicantProfileFactory(citizenship=citizenship, preferred_language="en")
    application = ApplicationFactory(
        applicant=profile.user,
        cycle=offering.cycle,
        status=status,
        scholarship_requested=True,
        submitted_at=timezone.now() - timedelta(days=40),
    )
    application.reference = f"KZO-{offering.cycle.code}-{application.pk:06d}"
    application.save()
    ChoiceFactory(application=application, offering=offering, priority=1)
    ExamResultFactory(application=application, score=Decimal(score), max_score=Decimal(100))
    return application


def open_cycle(total=5) -> AdmissionCycle:
    cycle = closed_cycle(code="OPEN", total=total)
    now = timezone.now()
    cycle.closes_at = now + timedelta(days=60)
    cycle.results_at = now + timedelta(days=90)
    cycle.save()
    return cycle


# --- Allocation before the cycle closes -------------------------------------------------------
def test_allocation_before_closing_is_refused_without_a_reason():
    cycle = open_cycle()
    offering = make_offering(cycle, slug="law", scholarship_seats=2)
    make_fund(cycle, government="KZ", seats=2)
    eligible(offering)
    with pytest.raises(DomainError, match="open until"):
        allocation_run(cycle=cycle)
    assert not ScholarshipAward.objects.exists()
    assert not AllocationRun.objects.exists()
    with pytest.raises(CommandError, match="open until"):
        call_command("allocate_scholarships", "--cycle", cycle.code, stdout=StringIO())
    assert not ScholarshipAward.objects.exists()
    # A dry run only explains: allowed, nothing changes.
    assert allocation_run(cycle=cycle, dry_run=True).plan.offers


def test_early_allocation_with_a_reason_is_audited(admin_user):
    cycle = open_cycle()
    offering = make_offering(cycle, slug="law", scholarship_seats=2)
    make_fund(cycle, government="KZ", seats=2)
    eligible(offering)
    report = allocation_run(cycle=cycle, actor=admin_user, early_reason="Visa deadlines.")
    assert len(report.awards) == 1
    run = AllocationRun.objects.get()
    assert (run.cycle, run.actor, run.early_reason, run.offers) == (
        cycle,
        admin_user,
        "Visa deadlines.",
        1,
    )
    call_command(
        "allocate_scholarships",
        "--cycle",
        cycle.code,
        "--early-reason",
        "Again.",
        stdout=StringIO(),
    )
    assert AllocationRun.objects.filter(early_reason="Again.").exists()


def test_allocation_after_closing_needs_no_reason_and_is_recorded():
    cycle = closed_cycle(total=5)
    offering = make_offering(cycle, slug="law", scholarship_seats=2)
    make_fund(cycle, government="KZ", seats=2)
    eligible(offering)
    allocation_run(cycle=cycle)
    assert AllocationRun.objects.get().early_reason == ""


def test_admin_allocation_page_asks_for_the_early_reason(admin_client):
    cycle = open_cycle()
    offering = make_offering(cycle, slug="law", scholarship_seats=2)
    make_fund(cycle, government="KZ", seats=2)
    eligible(offering)
    url = reverse("admin:awards_allocate", args=[cycle.pk])
    page = admin_client.get(url)
    assert 'name="early_reason"' in page.text
    refused = admin_client.post(url, {"confirm": "1", "early_reason": " "})
    assert refused.status_code == 200 and "open until" in refused.text
    assert not ScholarshipAward.objects.exists()
    done = admin_client.post(url, {"confirm": "1", "early_reason": "Visa deadlines."})
    assert done.status_code == 302
    assert ScholarshipAward.objects.count() == 1
    assert AllocationRun.objects.get().early_reason == "Visa deadlines."


# --- Fund eligibility: one rule for the allocation, the service and the admin ----------------
def test_applicant_without_citizenship_is_offered_no_fund_anywhere(admin_client):
    cycle = closed_cycle(total=5)
    offering = make_offering(cycle, slug="law", scholarship_seats=2)
    fund = make_fund(cycle, government="KZ", seats=2)  # open to every citizenship
    stateless = eligible(offering, citizenship="")
    page = admin_client.get(reverse("admin:awards_ranking", args=[offering.pk]))
    row = next(r for r in page.context["rows"] if r["entry"].application_id == stateless.pk)
    assert row["eligible_funds"] == []  # no offer button the service would refuse
    assert f'name="application" value="{stateless.pk}"' not in page.text
    assert "No eligible fund" in page.text
    with pytest.raises(DomainError, match="not eligible"):
        award_offer(application=stateless, fund=fund, offering=offering)
    plan = allocation_plan(cycle=cycle)
    assert plan.outcomes[stateless.pk].reason == Reason.NOT_ELIGIBLE


# --- Expiry: the mail says what happened to the seat ------------------------------------------
def test_expired_offer_goes_to_the_next_applicant_and_the_mail_says_so():
    cycle = closed_cycle(total=56)
    offering = make_offering(cycle, slug="law", scholarship_seats=56, pass_mark="0")
    make_fund(cycle, government="KZ", seats=56)
    applicants = [eligible(offering, score=100 - i) for i in range(57)]
    allocation_run(cycle=cycle)
    live = ScholarshipAward.objects.filter(state__in=["offered", "accepted"])
    assert live.count() == 56
    first = ScholarshipAward.objects.get(application=applicants[0])
    first.respond_by = timezone.now() - timedelta(minutes=1)
    first.save(update_fields=["respond_by"])
    assert awards_expire() == 1
    # 56 live before and after: the 57th applicant holds the freed seat.
    assert live.count() == 56
    assert ScholarshipAward.objects.get(application=applicants[56]).state == AwardState.OFFERED
    mail = OutgoingMail.objects.get(template="offer_expired")
    assert mail.context["promoted"] is True
    _subject, text, _html = mail_render(mail)
    assert "offered to the next applicant" in text
    assert "stays open" not in text


def test_expired_offer_with_nobody_left_says_the_seat_stays_open():
    cycle = closed_cycle(total=5)
    offering = make_offering(cycle, slug="law", scholarship_seats=2)
    make_fund(cycle, government="KZ", seats=2)
    only = eligible(offering)
    award = award_offer(application=only, fund=cycle.funds.get(), offering=offering)
    with time_machine.travel(award.respond_by + timedelta(hours=1)):
        assert awards_expire() == 1
    mail = OutgoingMail.objects.get(template="offer_expired")
    assert mail.context["promoted"] is False
    _subject, text, _html = mail_render(mail)
    assert "stays open" in text
    assert "next applicant" not in text


# --- Accepting: one coherent mail, history in the applicant's own words ------------------------
@pytest.mark.parametrize("status", [ApplicationStatus.ACCEPTED, ApplicationStatus.WAITLISTED])
def test_accepting_an_offer_sends_one_mail_and_history_reads_as_the_applicants_action(status):
    cycle = closed_cycle(total=5)
    offering = make_offering(cycle, slug="law", scholarship_seats=2)
    fund = make_fund(cycle, government="KZ", seats=2)
    application = eligible(offering, status=status)
    award = award_offer(application=application, fund=fund, offering=offering)
    OutgoingMail.objects.all().delete()
    award_accept(award=award, actor=application.applicant)
    mails = list(OutgoingMail.objects.all())
    assert [m.template for m in mails] == ["offer_accepted"]
    assert mails[0].context["enrolled"] is True
    _subject, text, _html = mail_render(mails[0])
    assert "you are enrolled" in text
    assert "will write to you about enrolment" not in text
    events = list(StatusEvent.objects.filter(application=application).order_by("pk"))
    assert events[-1].to_status == ApplicationStatus.ENROLLED
    for event in events:
        assert event.actor == application.applicant
        assert "the applicant" not in event.note.lower()
        assert event.note.startswith("Accepted the scholarship offer")

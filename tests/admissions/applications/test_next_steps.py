"""What happens next: after each status the applicant sees, the dashboard and the mail list
the cycle's next steps with their due dates (Omsk dates); held decisions do not leak; the
steps are data edited per cycle in the admin, in the applicant's language."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override

from admissions.applications.next_steps import application_next_steps
from admissions.applications.release import decisions_release
from admissions.applications.services import application_transition
from admissions.enums import ApplicationStatus as S
from admissions.models import ApplicantProfile, NextStep, OutgoingMail
from admissions.notifications.outbox import mail_render
from admissions.scholarships.awards import award_accept, award_offer
from tests.admissions.scholarship_data import closed_cycle, make_fund, make_offering
from tests.factories import (
    ApplicantProfileFactory,
    ChoiceFactory,
    CycleFactory,
    ExamResultFactory,
    StaffFactory,
    SubmittedApplicationFactory,
    ready_for_decision,
)

pytestmark = pytest.mark.django_db

# 19:30 UTC is 01:30 the next day in Omsk (UTC+6): the due date counts from the Omsk date.
DECIDED_AT = dt.datetime(2031, 3, 10, 19, 30, tzinfo=dt.UTC)
OMSK_DECISION_DAY = dt.date(2031, 3, 11)


def step(cycle, status, title, *, days=None, on=None, position=0, **texts):
    return NextStep.objects.create(
        cycle=cycle,
        status=status,
        position=position,
        title=title,
        title_en=title,
        instructions=texts.get("instructions", ""),
        due_days=days,
        due_date=on,
        **{k: v for k, v in texts.items() if k != "instructions"},
    )


def under_review(cycle, *, language="en"):
    application = ready_for_decision(SubmittedApplicationFactory(cycle=cycle))
    if not ApplicantProfile.objects.filter(user=application.applicant).update(
        preferred_language=language
    ):
        ApplicantProfileFactory(user=application.applicant, preferred_language=language)
    application_transition(application=application, to_status=S.UNDER_REVIEW)
    return application


def dashboard(client, application) -> str:
    client.force_login(application.applicant)
    response = client.get(reverse("admissions:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def released_cycle():
    with time_machine.travel(DECIDED_AT - timedelta(days=1), tick=False):
        return CycleFactory(release_decisions_immediately=True)


@pytest.mark.parametrize("status", [S.ACCEPTED, S.WAITLISTED, S.REJECTED])
def test_each_decision_shows_its_steps_with_the_due_date_in_omsk_days(
    client, released_cycle, status
):
    with time_machine.travel(DECIDED_AT - timedelta(hours=2), tick=False):
        application = under_review(released_cycle)
    step(released_cycle, status, f"Step after {status}", days=10, instructions="Room 108")
    step(released_cycle, S.UNDER_REVIEW, "Wait for the review")
    with time_machine.travel(DECIDED_AT, tick=False):
        application_transition(application=application, to_status=status, note="Decided.")
    with time_machine.travel(DECIDED_AT + timedelta(days=2), tick=False):
        page = dashboard(client, application)
    due = OMSK_DECISION_DAY + timedelta(days=10)
    assert f"Step after {status}" in page
    assert "Room 108" in page
    with override("en"):
        assert f"By {date_format(due, 'DATE_FORMAT')} (Omsk time)" in page
    assert f'datetime="{due.isoformat()}"' in page
    assert "Wait for the review" not in page  # the steps of the earlier status are gone


def test_enrolment_after_an_accepted_scholarship_shows_its_steps_in_the_mail_and_page(
    client, django_capture_on_commit_callbacks
):
    cycle = closed_cycle()
    offering = make_offering(cycle, slug="law", scholarship_seats=2)
    fund = make_fund(cycle, government="KZ", seats=2, citizenships=["KZ"])
    application = SubmittedApplicationFactory(
        cycle=cycle, status=S.ACCEPTED, scholarship_requested=True
    )
    application.choices.all().delete()
    ChoiceFactory(application=application, offering=offering, priority=1)
    ExamResultFactory(application=application, score=Decimal(90), max_score=Decimal(100))
    step(cycle, S.ENROLLED, "Arrive in Omsk and register", on=dt.date(2031, 8, 25))
    award = award_offer(application=application, fund=fund, offering=offering)
    with django_capture_on_commit_callbacks(execute=True):
        award_accept(award=award, actor=application.applicant)
    mail = OutgoingMail.objects.get(template="offer_accepted", user=application.applicant)
    assert mail.context["next_steps"] == [
        {"title": "Arrive in Omsk and register", "instructions": "", "due": "2031-08-25"}
    ]
    _subject, text, html = mail_render(mail)
    for body in (text, html):
        assert "Arrive in Omsk and register" in body
    assert "Arrive in Omsk and register" in dashboard(client, application)


def test_a_held_decision_shows_no_steps_until_it_is_released(
    client, django_capture_on_commit_callbacks
):
    with time_machine.travel(DECIDED_AT - timedelta(days=3), tick=False):
        cycle = CycleFactory(
            closes_at=DECIDED_AT - timedelta(days=1), results_at=DECIDED_AT + timedelta(days=5)
        )
        application = under_review(cycle)
    step(cycle, S.ACCEPTED, "Hand in your original documents", days=10)
    step(cycle, S.UNDER_REVIEW, "Wait for the review")
    with time_machine.travel(DECIDED_AT, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            application_transition(application=application, to_status=S.ACCEPTED, note="ok")
        page = dashboard(client, application)
    assert "Hand in your original documents" not in page
    assert "Wait for the review" in page  # what the applicant still sees
    assert not OutgoingMail.objects.filter(context__to_status=S.ACCEPTED).exists()

    release = cycle.results_at + timedelta(hours=1)
    with time_machine.travel(release, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert decisions_release() == 1
        page = dashboard(client, application)
    assert "Hand in your original documents" in page
    # Counted from the release, the day the applicant learnt of the decision.
    due = timezone.localtime(release).date() + timedelta(days=10)
    mail = OutgoingMail.objects.get(context__to_status=S.ACCEPTED)
    assert mail.context["next_steps"][0]["due"] == due.isoformat()


def test_the_decision_mail_lists_the_steps_in_the_applicants_language(
    released_cycle, django_capture_on_commit_callbacks
):
    with time_machine.travel(DECIDED_AT - timedelta(hours=2), tick=False):
        application = under_review(released_cycle, language="kk")
    step(
        released_cycle,
        S.ACCEPTED,
        "Hand in your original documents",
        days=10,
        title_kk="Құжаттардың түпнұсқаларын тапсырыңыз",
        title_ru="Сдайте оригиналы документов",
        instructions_kk="Қабылдау комиссиясына әкеліңіз.",
    )
    with (
        time_machine.travel(DECIDED_AT, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        application_transition(application=application, to_status=S.ACCEPTED, note="ok")
    mail = OutgoingMail.objects.get(template="status_changed", context__to_status=S.ACCEPTED)
    assert mail.language == "kk"
    _subject, text, html = mail_render(mail)
    due = OMSK_DECISION_DAY + timedelta(days=10)
    with override("kk"):
        due_text = date_format(due, "DATE_FORMAT")
    for body in (text, html):
        assert "Құжаттардың түпнұсқаларын тапсырыңыз" in body
        assert "Қабылдау комиссиясына әкеліңіз." in body
        assert due_text in body
        assert "Сдайте оригиналы" not in body
        assert "Hand in your original" not in body
    assert set("әғқңөұүһі") & set(text)


def test_steps_are_per_cycle_and_edited_in_the_admin(client, released_cycle, admin_user):
    other_cycle = CycleFactory()
    with time_machine.travel(DECIDED_AT - timedelta(hours=2), tick=False):
        application = under_review(released_cycle)
    client.force_login(admin_user)
    change_page = client.get(
        reverse("admin:programs_admissioncycle_change", args=[released_cycle.pk])
    )
    assert "next_steps-TOTAL_FORMS" in change_page.content.decode()  # the inline of the cycle
    response = client.post(
        reverse("admin:admissions_nextstep_add"),
        {
            "cycle": released_cycle.pk,
            "status": S.ACCEPTED,
            "position": 1,
            "title_en": "Sign the study contract",
            "title_ru": "Подпишите договор",
            "title_kk": "Шартқа қол қойыңыз",
            "instructions_en": "At the admissions office.",
            "due_days": 14,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    NextStep.objects.create(cycle=other_cycle, status=S.ACCEPTED, title="Another cycle's step")
    with time_machine.travel(DECIDED_AT, tick=False):
        application_transition(application=application, to_status=S.ACCEPTED, note="ok")
        page = dashboard(client, application)
    assert "Sign the study contract" in page
    assert "Another cycle&#x27;s step" not in page and "Another cycle's step" not in page


def test_the_admin_refuses_both_a_due_date_and_a_number_of_days(client, admin_user):
    cycle = CycleFactory()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:admissions_nextstep_add"),
        {
            "cycle": cycle.pk,
            "status": S.ACCEPTED,
            "position": 1,
            "title_en": "Both",
            "due_date": "2031-08-01",
            "due_days": 3,
        },
    )
    assert response.status_code == 200
    assert "Give either a due date or a number of days, not both." in response.content.decode()
    assert not NextStep.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        NextStep.objects.create(
            cycle=cycle, status=S.ACCEPTED, title="x", due_date=dt.date(2031, 8, 1), due_days=3
        )
    with pytest.raises(ValidationError):
        NextStep(cycle=cycle, status="no-such-status", title="x").full_clean()


def test_no_steps_for_no_application_or_a_status_without_steps(released_cycle):
    assert application_next_steps(application=None) == []
    application = under_review(released_cycle)
    step(released_cycle, S.ACCEPTED, "Only after acceptance")
    assert application_next_steps(application=application) == []


def test_a_step_without_a_date_has_no_due_date_and_fixed_dates_are_kept(released_cycle):
    with time_machine.travel(DECIDED_AT - timedelta(hours=2), tick=False):
        application = under_review(released_cycle)
    step(released_cycle, S.ACCEPTED, "Fixed", on=dt.date(2031, 8, 20), position=2)
    step(released_cycle, S.ACCEPTED, "Undated", position=1)
    with time_machine.travel(DECIDED_AT, tick=False):
        application_transition(application=application, to_status=S.ACCEPTED, note="ok")
    application.refresh_from_db()
    steps = application_next_steps(application=application)
    assert [(s.title, s.due) for s in steps] == [
        ("Undated", None),
        ("Fixed", dt.date(2031, 8, 20)),
    ]


@pytest.mark.parametrize("count", [1, 12])
def test_dashboard_with_steps_keeps_its_query_budget(
    client, released_cycle, django_assert_max_num_queries, count
):
    with time_machine.travel(DECIDED_AT - timedelta(hours=2), tick=False):
        application = under_review(released_cycle)
    for index in range(count):
        step(released_cycle, S.ACCEPTED, f"Step {index}", days=index, position=index)
    with time_machine.travel(DECIDED_AT, tick=False):
        application_transition(application=application, to_status=S.ACCEPTED, note="ok")
    client.force_login(application.applicant)
    # The first view after the decision ranks the cycle and reads the steps and the office's
    # contacts once (see the standing's own budget test); every later view:
    client.get(reverse("admissions:dashboard"))
    with django_assert_max_num_queries(10):
        page = client.get(reverse("admissions:dashboard")).content.decode()
    assert f"Step {count - 1}" in page


def test_staff_decision_mail_context_is_json_and_the_profile_language_decides(
    released_cycle, django_capture_on_commit_callbacks
):
    with time_machine.travel(DECIDED_AT - timedelta(hours=2), tick=False):
        application = under_review(released_cycle, language="ru")
    step(released_cycle, S.REJECTED, "Appeal", title_ru="Подайте апелляцию", days=3)
    with (
        time_machine.travel(DECIDED_AT, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        application_transition(
            application=application, to_status=S.REJECTED, note="No.", actor=StaffFactory()
        )
    mail = OutgoingMail.objects.get(context__to_status=S.REJECTED)
    assert mail.context["next_steps"] == [
        {
            "title": "Подайте апелляцию",
            "instructions": "",
            "due": (OMSK_DECISION_DAY + timedelta(days=3)).isoformat(),
        }
    ]

"""The lifecycle is one declaration: change its data and every place that shows or
enforces a status follows (service, admin buttons and actions, dashboard, ranking, reviews,
identity lock, seed data)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.urls import reverse

from admissions.applicants.services import profile_identity_locked
from admissions.applications import lifecycle
from admissions.applications.lifecycle import LIFECYCLE, Group
from admissions.applications.services import application_transition
from admissions.enums import ApplicationStatus as S
from admissions.errors import IllegalTransition
from admissions.models import Application, OutgoingMail
from admissions.scholarships.ranking import ranking_compute
from tests.admissions.staff_helpers import application_for, officer, two_programs
from tests.factories import ExamResultFactory

pytestmark = pytest.mark.django_db


def test_every_status_is_declared_once_and_moves_stay_inside_the_lifecycle():
    assert set(LIFECYCLE) == set(S.values)
    for declared in LIFECYCLE.values():
        assert declared.next <= set(S.values)
        assert all(status in LIFECYCLE for status in declared.path)
    assert lifecycle.final_statuses() == {S.ENROLLED, S.REJECTED, S.WITHDRAWN}


def test_a_new_move_in_the_data_is_allowed_by_the_service_and_offered_by_the_admin(
    client, monkeypatch
):
    offering, _other = two_programs()
    application = application_for(offering, status=S.SUBMITTED)
    with pytest.raises(IllegalTransition):
        application_transition(application=application, to_status=S.REJECTED, note="No.")
    submitted = lifecycle.spec(S.SUBMITTED)
    monkeypatch.setitem(
        LIFECYCLE, S.SUBMITTED, replace(submitted, next=submitted.next | {S.REJECTED})
    )
    client.force_login(officer())
    page = client.get(reverse("admin:admissions_application_change", args=[application.pk]))
    decide = reverse(
        "admin:admissions_application_decide",
        kwargs={"object_id": application.pk, "to_status": S.REJECTED},
    )
    assert decide in page.text
    application_transition(application=application, to_status=S.REJECTED, note="No.")
    assert Application.objects.get().status == S.REJECTED


def test_decision_labels_and_bulk_actions_come_from_the_data(monkeypatch):
    enrolled = lifecycle.spec(S.ENROLLED)
    monkeypatch.setitem(
        LIFECYCLE, S.ENROLLED, replace(enrolled, decision="Confirm enrolment", action="Enrol all")
    )
    request = RequestFactory().get("/")
    request.user = officer()
    actions = site._registry[Application].get_actions(request)
    assert actions["decide_enrolled"][2] == "Enrol all"
    assert {name for name in actions if name.startswith("decide_")} == {
        f"decide_{status}" for status in lifecycle.decisions()
    }
    monkeypatch.setitem(LIFECYCLE, S.ENROLLED, replace(enrolled, decision=None, action=None))
    assert "decide_enrolled" not in site._registry[Application].get_actions(request)


def test_the_mail_of_an_arrival_and_the_note_it_requires_are_data(monkeypatch):
    offering, _other = two_programs()
    application = application_for(offering, status=S.SUBMITTED)
    under_review = lifecycle.spec(S.UNDER_REVIEW)
    monkeypatch.setitem(
        LIFECYCLE,
        S.UNDER_REVIEW,
        replace(under_review, mail="documents_requested", note_required="Say why."),
    )
    with pytest.raises(Exception, match=r"Say why\."):
        application_transition(application=application, to_status=S.UNDER_REVIEW)
    application_transition(application=application, to_status=S.UNDER_REVIEW, note="Because.")
    assert OutgoingMail.objects.get().template == "documents_requested"


def test_badge_on_the_dashboard_is_data(client, monkeypatch):
    offering, _other = two_programs()
    application = application_for(offering, status=S.UNDER_REVIEW)
    monkeypatch.setitem(
        LIFECYCLE, S.UNDER_REVIEW, replace(lifecycle.spec(S.UNDER_REVIEW), badge="text-bg-light")
    )
    client.force_login(application.applicant)
    page = client.get(reverse("admissions:dashboard"))
    assert page.context["badge"] == "text-bg-light"


def test_ranked_and_identity_locking_groups_are_data(monkeypatch):
    offering, _other = two_programs()
    application = application_for(offering, status=S.UNDER_REVIEW)
    ExamResultFactory(application=application)
    offering.pass_mark = 0
    offering.save()
    assert ranking_compute(offering=offering) == []
    assert profile_identity_locked(application.applicant)
    under_review = lifecycle.spec(S.UNDER_REVIEW)
    monkeypatch.setitem(
        LIFECYCLE,
        S.UNDER_REVIEW,
        replace(
            under_review,
            groups=(under_review.groups - {Group.IDENTITY_LOCKING}) | {Group.RANKED},
        ),
    )
    assert [e.application_id for e in ranking_compute(offering=offering)] == [application.pk]
    assert not profile_identity_locked(application.applicant)


def test_seed_demo_statuses_follow_the_declaration(monkeypatch):
    from admissions.management.commands.seed_demo import Command

    monkeypatch.setitem(
        LIFECYCLE, S.WAITLISTED, replace(lifecycle.spec(S.WAITLISTED), demo_weight=0)
    )
    command = Command()
    import random

    command.rng = random.Random(1)
    picked = {command._pick_status(index) for index in range(len(LIFECYCLE), 400)}
    assert S.WAITLISTED not in picked
    assert picked <= set(LIFECYCLE)

"""Decisions pass their guards (DESIGN.md invariant 9) or carry an officer's written override,
in the transition service, so buttons, bulk actions and any caller get the same checks."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.urls import reverse
from django.utils import translation

from admissions.applications import lifecycle
from admissions.applications.lifecycle import Guard
from admissions.applications.services import application_transition
from admissions.enums import ApplicationStatus as S
from admissions.errors import DomainError, GuardRefused
from admissions.models import Application, OutgoingMail, StatusEvent
from programs.enums import Level
from tests.admissions.staff_helpers import application_for, officer, two_programs
from tests.factories import (
    DocumentFactory,
    OfferingFactory,
    ProgramFactory,
    ReviewFactory,
    StaffFactory,
    ready_for_decision,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:admissions_application_changelist"


def test_accepting_without_verified_documents_or_review_is_refused_with_reasons():
    offering, _other = two_programs()
    application = application_for(offering, status=S.UNDER_REVIEW)
    with pytest.raises(GuardRefused) as refused:
        application_transition(application=application, to_status=S.ACCEPTED, actor=officer())
    text = " ".join(refused.value.problems)
    assert "not verified" in text and "Passport or ID card" in text
    assert "Reviews required by the cycle: 1; written so far: 0" in text
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    assert not StatusEvent.objects.exists() and not OutgoingMail.objects.exists()


def test_the_same_application_ready_for_decision_is_accepted():
    offering, _other = two_programs()
    application = ready_for_decision(application_for(offering, status=S.UNDER_REVIEW))
    event = application_transition(application=application, to_status=S.ACCEPTED, actor=officer())
    assert event.override_reason == ""


def test_bulk_accept_of_unverified_unreviewed_applications_changes_nothing(client):
    """The reported case: two applications, documents unverified, no review, bulk "Accept"."""
    offering, _other = two_programs()
    first, second = (application_for(offering, status=S.UNDER_REVIEW) for _ in range(2))
    for application in (first, second):
        DocumentFactory(application=application, kind="identity")  # pending
    client.force_login(officer())
    data = {"action": "decide_accepted", "_selected_action": [first.pk, second.pk]}
    page = client.post(reverse(CHANGELIST), data)
    assert page.status_code == 200  # the confirmation page, nothing changed
    previews = page.context["previews"]
    assert sorted(p.application.pk for p in previews) == [first.pk, second.pk]
    assert all(p.problems and not p.will_be_done for p in previews)
    assert "not verified" in page.text
    done = client.post(reverse(CHANGELIST), {**data, "apply": "1"}, follow=True)
    messages = " ".join(str(m) for m in done.context["messages"])
    assert messages.count("refused") == 2
    assert set(Application.objects.values_list("status", flat=True)) == {S.UNDER_REVIEW}
    assert not StatusEvent.objects.exists() and not OutgoingMail.objects.exists()


def test_officer_override_needs_a_reason_and_the_audit_row_keeps_it(client):
    offering, _other = two_programs()
    application = application_for(offering, status=S.UNDER_REVIEW)
    user = officer()
    client.force_login(user)
    url = reverse(
        "admin:admissions_application_decide",
        kwargs={"object_id": application.pk, "to_status": S.ACCEPTED},
    )
    page = client.get(url)
    assert "override_reason" in page.context["form"].fields
    client.post(url, {"note": "", "override_reason": ""})
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    client.post(url, {"note": "", "override_reason": "Originals seen at the desk."})
    application.refresh_from_db()
    assert application.status == S.ACCEPTED
    event = StatusEvent.objects.get()
    assert event.actor == user
    assert event.override_reason.startswith("Originals seen at the desk.")
    assert "not verified" in event.override_reason  # which guards were overridden


def test_staff_without_the_override_permission_cannot_override():
    offering, _other = two_programs()
    application = application_for(offering, status=S.UNDER_REVIEW)
    clerk = StaffFactory()
    with pytest.raises(DomainError, match="Only an admissions officer"):
        application_transition(
            application=application, to_status=S.ACCEPTED, actor=clerk, override_reason="Why not"
        )
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW


def test_refusals_are_in_the_staff_members_language():
    offering, _other = two_programs()
    application = application_for(offering, status=S.UNDER_REVIEW)
    with translation.override("ru"), pytest.raises(GuardRefused) as refused:
        application_transition(application=application, to_status=S.WAITLISTED, actor=officer())
    assert "не проверены" in refused.value.message


def test_school_leaver_accepted_to_a_masters_program_is_refused():
    """The reported case: a school certificate, a master's program, accepted anyway."""
    cycle_offering = OfferingFactory(program=ProgramFactory(level=Level.MASTER))
    application = ready_for_decision(application_for(cycle_offering, status=S.UNDER_REVIEW))
    Application.objects.filter(pk=application.pk).update(
        education_document_kind="school_certificate"
    )
    with pytest.raises(GuardRefused, match="higher education"):
        application_transition(application=application, to_status=S.ACCEPTED, actor=officer())


def test_the_cycles_required_reviews_is_data():
    offering, _other = two_programs()
    application = ready_for_decision(application_for(offering, status=S.UNDER_REVIEW))
    offering.cycle.required_reviews = 2
    offering.cycle.save()
    with pytest.raises(GuardRefused, match="Reviews required by the cycle: 2"):
        application_transition(application=application, to_status=S.ACCEPTED, actor=officer())
    ReviewFactory(application=application)
    application_transition(application=application, to_status=S.ACCEPTED, actor=officer())


def test_a_score_below_every_pass_mark_is_refused():
    offering, _other = two_programs()
    application = ready_for_decision(application_for(offering, status=S.UNDER_REVIEW))
    offering.pass_mark = 99.5
    offering.save()
    with pytest.raises(GuardRefused, match="below the pass mark"):
        application_transition(application=application, to_status=S.WAITLISTED, actor=officer())


def test_guards_are_lifecycle_data(monkeypatch):
    """Change which guards a status declares: the service follows."""
    offering, _other = two_programs()
    application = application_for(offering, status=S.UNDER_REVIEW)
    accepted = lifecycle.spec(S.ACCEPTED)
    monkeypatch.setitem(lifecycle.LIFECYCLE, S.ACCEPTED, replace(accepted, guards=()))
    application_transition(application=application, to_status=S.ACCEPTED, actor=officer())
    second = application_for(offering, status=S.UNDER_REVIEW)
    rejected = lifecycle.spec(S.REJECTED)
    monkeypatch.setitem(
        lifecycle.LIFECYCLE, S.REJECTED, replace(rejected, guards=(Guard.REVIEWS,))
    )
    with pytest.raises(GuardRefused, match="Reviews required"):
        application_transition(
            application=second, to_status=S.REJECTED, actor=officer(), note="No."
        )

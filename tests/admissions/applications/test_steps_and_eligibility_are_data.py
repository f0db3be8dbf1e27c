"""The steps of the form and the eligibility by level are data: progress is kept by slug,
the program step and the submission read the same eligibility, the dashboard and the
submission read the same deadline."""

from __future__ import annotations

import importlib
from dataclasses import replace
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from admissions.applications import eligibility, steps
from admissions.applications.services import application_submit
from admissions.enums import ApplicationStatus
from admissions.errors import DeadlinePassed, DomainError
from programs.enums import Level
from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    CycleFactory,
    DocumentFactory,
    OfferingFactory,
    ProgramFactory,
    ready_application,
    steps_done,
)

pytestmark = pytest.mark.django_db


# --- Steps: progress by slug -------------------------------------------------------------
def test_progress_is_kept_by_slug_and_survives_a_new_step(client, monkeypatch):
    user = ApplicantProfileFactory().user
    client.force_login(user)
    cycle = CycleFactory()
    ApplicationFactory(applicant=user, cycle=cycle, completed_steps=steps_done(2))
    resume = client.get(reverse("admissions:application_continue"))
    assert resume.url == reverse("admissions:application_step", kwargs={"step": "education"})
    # A new step before "education": the draft resumes there, its progress is not shifted.
    extra = replace(steps.step("motivation"), slug="interview", title="Interview")
    new_order = (*steps.STEPS[:2], extra, *steps.STEPS[2:])
    monkeypatch.setattr(steps, "STEPS", new_order)
    assert steps.next_step(steps_done(2)).slug == "interview"
    assert steps.step_number("education") == 4


def _migrate_to_latest() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_turns_positions_into_slugs(request):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    migration = importlib.import_module(
        "admissions.migrations.0004_lifecycle_steps_overrides_allocation_runs"
    )
    # The order frozen in the migration is the order the positions meant.
    assert tuple(s.slug for s in steps.STEPS) == migration.STEP_ORDER
    request.addfinalizer(_migrate_to_latest)  # the tests that follow need the latest schema
    before = [("admissions", "0003_rubric_translations")]
    after = [("admissions", "0004_lifecycle_steps_overrides_allocation_runs")]
    cycle = CycleFactory()
    users = [ApplicantProfileFactory().user for _ in range(3)]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("admissions", "Application")
    for user, position in zip(users, (0, 3, 7), strict=True):
        old.objects.create(applicant_id=user.pk, cycle_id=cycle.pk, completed_step=position)
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("admissions", "Application")
    progress = {row.applicant_id: row.completed_steps for row in new.objects.all()}
    assert [progress[user.pk] for user in users] == [
        [],
        ["personal", "programs", "education"],
        list(migration.STEP_ORDER),
    ]


def test_wizard_titles_and_numbers_come_from_the_steps(client, monkeypatch):
    user = ApplicantProfileFactory().user
    client.force_login(user)
    cycle = CycleFactory()
    ApplicationFactory(applicant=user, cycle=cycle, completed_steps=steps_done(1))
    url = reverse("admissions:application_step", kwargs={"step": "programs"})
    monkeypatch.setattr(
        steps,
        "STEPS",
        tuple(
            replace(s, title="Your programs") if s.slug == "programs" else s for s in steps.STEPS
        ),
    )
    page = client.get(url)
    assert "Your programs" in page.text
    assert f"Step 2 of {len(steps.STEPS)}" in page.text


# --- Eligibility by level ---------------------------------------------------------------------
@pytest.fixture
def school_leaver_with_masters():
    cycle = CycleFactory()
    master = OfferingFactory(cycle=cycle, program=ProgramFactory(level=Level.MASTER))
    return ready_application(
        cycle=cycle, offerings=[master], education_document_kind="school_certificate"
    )


def test_submission_refuses_a_program_the_education_does_not_open(school_leaver_with_masters):
    with pytest.raises(DomainError, match="master's program needs completed higher education"):
        application_submit(application=school_leaver_with_masters, actor=None, consent=True)
    school_leaver_with_masters.refresh_from_db()
    assert school_leaver_with_masters.status == ApplicationStatus.DRAFT


def test_program_step_does_not_offer_what_the_education_does_not_open(client):
    cycle = CycleFactory()
    bachelor = OfferingFactory(cycle=cycle, program=ProgramFactory(level=Level.BACHELOR))
    master = OfferingFactory(cycle=cycle, program=ProgramFactory(level=Level.MASTER))
    user = ApplicantProfileFactory().user
    ApplicationFactory(
        applicant=user,
        cycle=cycle,
        completed_steps=steps_done(3),
        education_document_kind="school_certificate",
    )
    client.force_login(user)
    page = client.get(reverse("admissions:application_step", kwargs={"step": "programs"}))
    offered = {o.pk for o in page.context["offerings"]}
    assert offered == {bachelor.pk}
    assert master.pk not in offered
    assert "higher education" in page.text  # says what a master's program needs


def test_level_requirements_are_data_for_step_submission_and_guard(
    client, school_leaver_with_masters, monkeypatch
):
    master = eligibility.LEVEL_REQUIREMENTS[Level.MASTER]
    monkeypatch.setitem(
        eligibility.LEVEL_REQUIREMENTS,
        Level.MASTER,
        replace(master, documents=master.documents | {"school_certificate"}),
    )
    from admissions.applications.guards import guard_problems
    from admissions.applications.lifecycle import Guard

    application = school_leaver_with_masters
    DocumentFactory(application=application, kind="transcript")
    assert guard_problems(application=application, guards=(Guard.ELIGIBILITY,)) == []
    submitted = application_submit(application=application, actor=None, consent=True)
    assert submitted.status == ApplicationStatus.SUBMITTED


# --- The deadline: one rule for the dashboard and the submission -------------------------------
def test_dashboard_says_the_deadline_passed_exactly_when_submission_refuses(client):
    """The reported case: two programs, the earlier one's own deadline has passed."""
    cycle = CycleFactory()
    early = OfferingFactory(cycle=cycle, deadline=timezone.now() + timedelta(days=1))
    late = OfferingFactory(cycle=cycle)
    application = ready_application(cycle=cycle, offerings=[late, early])
    client.force_login(application.applicant)
    with time_machine.travel(early.deadline + timedelta(seconds=1)):
        page = client.get(reverse("admissions:dashboard"))
        assert page.context["deadline_passed"] is True
        assert "deadline for this application has passed" in page.text
        with pytest.raises(DeadlinePassed):
            application_submit(application=application, actor=None, consent=True)
    with time_machine.travel(early.deadline - timedelta(seconds=1)):
        assert client.get(reverse("admissions:dashboard")).context["deadline_passed"] is False

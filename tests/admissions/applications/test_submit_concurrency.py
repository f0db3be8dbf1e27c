"""Concurrent submits on PostgreSQL: row locks make one submission and distinct references."""

import threading

import pytest
from django.db import close_old_connections, connection

from admissions.applications.services import application_submit
from admissions.enums import ApplicationStatus
from admissions.models import Application, OutgoingMail, StatusEvent
from programs.models import AdmissionCycle
from tests.factories import CycleFactory, ready_application

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(*targets):
    barrier = threading.Barrier(len(targets))
    errors: list[BaseException] = []

    def wrap(target):
        def run():
            try:
                barrier.wait(timeout=10)
                target()
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=wrap(target)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    close_old_connections()
    assert not errors, errors


def submit(pk):
    def target():
        application_submit(application=Application.objects.get(pk=pk), actor=None, consent=True)

    return target


def test_two_submits_of_the_same_application_make_one_submission():
    application = ready_application(cycle=CycleFactory(code="2041"))
    run_at_once(submit(application.pk), submit(application.pk))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.reference == "KZO-2041-000001"
    assert StatusEvent.objects.filter(application=application).count() == 1
    assert OutgoingMail.objects.filter(template="application_submitted").count() == 1
    assert AdmissionCycle.objects.get(code="2041").reference_counter == 1


def test_two_applications_submitted_at_once_get_distinct_references():
    cycle = CycleFactory(code="2042")
    first, second = ready_application(cycle=cycle), ready_application(cycle=cycle)
    run_at_once(submit(first.pk), submit(second.pk))
    references = set(Application.objects.filter(cycle=cycle).values_list("reference", flat=True))
    assert references == {"KZO-2042-000001", "KZO-2042-000002"}
    assert OutgoingMail.objects.filter(template="application_submitted").count() == 2

import pytest

from admissions.applications.services import application_transition
from admissions.enums import ApplicationStatus
from admissions.errors import IllegalTransition
from admissions.models import OutgoingMail, StatusEvent
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_illegal_transition_is_refused_and_nothing_changes():
    application = ApplicationFactory(status=ApplicationStatus.DRAFT)
    with pytest.raises(IllegalTransition):
        application_transition(application=application, to_status=ApplicationStatus.ACCEPTED)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert not StatusEvent.objects.exists()
    assert not OutgoingMail.objects.exists()


def test_legal_transition_is_audited_and_queues_mail():
    application = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    event = application_transition(
        application=application, to_status=ApplicationStatus.UNDER_REVIEW, note="start"
    )
    assert (event.from_status, event.to_status) == ("submitted", "under_review")
    assert OutgoingMail.objects.get().template == "status_changed"

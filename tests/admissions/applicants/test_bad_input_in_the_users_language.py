"""DESIGN invariant 8 under /kk/ and /ru/: bad input on a form page gets a clear message in
the page's language (the translated text from the catalogue, not the English source) and
nothing already saved is lost. Also found in QA: the documents page answers a documents
request of an earlier cycle while a new cycle is open; the dashboard does not offer to
continue a draft that can no longer be submitted."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from admissions.documents.services import document_upload
from admissions.enums import ApplicationStatus
from admissions.models import ApplicantProfile, Application, Document
from tests import files
from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    CycleFactory,
    ExamResultFactory,
    profile_form_data,
    steps_done,
)

pytestmark = pytest.mark.django_db

# The texts as translated in locale/{kk,ru}/LC_MESSAGES/django.po.
BAD_IIN = {
    "kk": "Бұл ЖСН жарамсыз: бақылау цифры сәйкес келмейді. Тексеріп шығыңыз.",
    "ru": "Этот ИИН недействителен: контрольная цифра не совпадает. Проверьте его.",
}
NOT_A_DOCUMENT = {
    "kk": "Бұл файл PDF, JPEG немесе PNG құжаты емес",
    "ru": "Этот файл не является документом PDF, JPEG или PNG",
}


def _url(name, language, **kwargs):
    with translation.override(language):
        return reverse(f"admissions:{name}", kwargs=kwargs or None)


def _personal(**overrides):
    return profile_form_data(**overrides)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_wrong_iin_check_digit_on_the_form_is_refused_in_the_page_language(client, language):
    profile = ApplicantProfileFactory(first_name_latin="Aigerim", identifier="N00000042")
    draft = ApplicationFactory(
        applicant=profile.user, cycle=CycleFactory(), completed_steps=steps_done(4)
    )
    ExamResultFactory(application=draft, score=Decimal("90"), max_score=Decimal("140"))
    client.force_login(profile.user)

    response = client.post(
        _url("application_step", language, step="personal"),
        # One digit off: the check digit no longer matches; other fields changed too.
        _personal(identifier="060315601238", first_name_latin="Changed"),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert BAD_IIN[language] in html
    assert "check digit" not in html
    # Nothing saved is lost or half-changed: profile, progress and exam results stay.
    profile.refresh_from_db()
    assert (profile.first_name_latin, profile.identifier) == ("Aigerim", "N00000042")
    draft.refresh_from_db()
    assert draft.completed_steps == steps_done(4)
    assert list(draft.exam_results.values_list("score", flat=True)) == [Decimal("90")]


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_file_posing_as_pdf_is_refused_in_the_page_language_and_kept_file_stays(client, language):
    draft = ApplicationFactory(cycle=CycleFactory())
    kept = document_upload(
        application=draft, kind="identity", uploaded_file=files.pdf_upload(), actor=draft.applicant
    )
    client.force_login(draft.applicant)

    response = client.post(
        _url("documents", language),
        {"kind": "identity", "file": files.upload("passport.pdf", files.exe_bytes())},
        follow=True,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert NOT_A_DOCUMENT[language] in html
    assert "its content was checked" not in html
    # The document uploaded before is still the one on file.
    assert list(Document.objects.values_list("pk", "sha256")) == [(kept.pk, kept.sha256)]


def test_documents_page_answers_a_request_of_an_earlier_cycle_while_a_new_one_is_open(client):
    now = timezone.now()
    earlier = CycleFactory(
        opens_at=now - timedelta(days=400),
        closes_at=now - timedelta(days=200),
        results_at=now - timedelta(days=190),
    )
    CycleFactory()  # open now
    requested = ApplicationFactory(
        cycle=earlier, status=ApplicationStatus.DOCUMENTS_REQUESTED, reference="KZO-2024-000007"
    )
    ApplicantProfile.objects.filter(user=requested.applicant).update(preferred_language="kk")
    client.force_login(requested.applicant)

    page = client.get(_url("documents", "kk"))
    assert page.status_code == 200
    assert page.context["application"] == requested
    response = client.post(
        _url("documents", "kk"), {"kind": "identity", "file": files.pdf_upload()}
    )

    assert response.status_code == 302
    assert requested.documents.get().kind == "identity"
    # Visiting the page did not start an application in the new cycle.
    assert Application.objects.filter(applicant=requested.applicant).count() == 1


def test_dashboard_of_a_draft_of_a_closed_cycle_does_not_offer_to_continue_it(client):
    from tests.factories import ChoiceFactory, OfferingFactory

    now = timezone.now()
    closed = CycleFactory(
        opens_at=now - timedelta(days=400),
        closes_at=now - timedelta(days=200),
        results_at=now - timedelta(days=190),
    )
    draft = ApplicationFactory(cycle=closed, completed_steps=steps_done(5))
    ChoiceFactory(application=draft, offering=OfferingFactory(cycle=closed))
    client.force_login(draft.applicant)

    with translation.override("en"):
        page = client.get(reverse("admissions:dashboard")).content.decode()

    assert "The deadline for this application has passed" in page
    assert "Continue the application" not in page
    assert "Continue your application with step" not in page


def test_dashboard_of_a_draft_still_open_through_a_later_program_deadline_offers_to_continue(
    client,
):
    from tests.factories import ChoiceFactory, OfferingFactory

    now = timezone.now()
    closed = CycleFactory(
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=1),
        results_at=now + timedelta(days=30),
    )
    draft = ApplicationFactory(cycle=closed, completed_steps=steps_done(5))
    offering = OfferingFactory(cycle=closed, deadline=now + timedelta(days=5))
    ChoiceFactory(application=draft, offering=offering)
    client.force_login(draft.applicant)

    with translation.override("en"):
        page = client.get(reverse("admissions:dashboard")).content.decode()

    assert "The deadline for this application has passed" not in page
    assert "Continue the application" in page

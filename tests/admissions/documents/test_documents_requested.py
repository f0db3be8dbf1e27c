"""Documents requested, the round trip: staff name the kinds wanted, the applicant replaces
exactly those (verified ones too), says "I have uploaded the documents", and the application
returns to review, audited, with a mail to the officer in the officer's language."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from admissions.documents.requests import documents_request, documents_request_answer
from admissions.documents.services import document_remove, document_upload
from admissions.enums import ApplicationStatus as S
from admissions.enums import DocumentStatus
from admissions.errors import DomainError
from admissions.models import Document, DocumentRequest, OutgoingMail, StatusEvent
from tests.admissions.staff_helpers import application_for, officer, two_programs
from tests.factories import ApplicantProfileFactory, DocumentFactory
from tests.files import pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    return officer(username="office", email="office@kaznu-omsk.example")


@pytest.fixture
def application():
    offering, _other = two_programs()
    application = application_for(
        offering,
        status=S.UNDER_REVIEW,
        profile=ApplicantProfileFactory(preferred_language="ru"),
    )
    for kind in ("identity", "education", "photo"):
        DocumentFactory(application=application, kind=kind, status=DocumentStatus.VERIFIED)
    return application


def ask(application, office, kinds=("education",), note="A notarised translation, please."):
    return documents_request(application=application, kinds=kinds, note=note, actor=office)


def test_request_names_the_kinds_audits_and_mails_them_to_the_applicant(
    application, office, django_capture_on_commit_callbacks
):
    with translation.override("kk"), django_capture_on_commit_callbacks(execute=True):
        request = ask(application, office, kinds=["transcript", "education"])
    application.refresh_from_db()
    assert application.status == S.DOCUMENTS_REQUESTED
    # Kept in the order of the kinds, with the officer's language for the reply.
    assert (request.kinds, request.language, request.requested_by) == (
        ["education", "transcript"],
        "kk",
        office,
    )
    event = StatusEvent.objects.get(application=application)
    assert (event.to_status, event.actor, event.note) == (
        S.DOCUMENTS_REQUESTED,
        office,
        "A notarised translation, please.",
    )
    mail = OutgoingMail.objects.get(user=application.applicant)
    assert mail.context["requested_kinds"] == ["education", "transcript"]
    assert mail.language == "ru"
    assert "Аттестат или диплом об образовании" in mail.body_text
    assert "Выписка оценок" in mail.body_text


@pytest.mark.parametrize(
    ("kinds", "note"),
    [([], "Something"), (["education"], "  "), (["passport_scan"], "Something")],
)
def test_request_without_kinds_or_note_or_with_an_unknown_kind_is_refused(
    application, office, kinds, note
):
    with pytest.raises(DomainError):
        ask(application, office, kinds=kinds, note=note)
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    assert not DocumentRequest.objects.exists()


def test_request_from_a_status_that_cannot_move_there_saves_nothing(office):
    offering, _other = two_programs()
    submitted = application_for(offering, status=S.ACCEPTED)
    with pytest.raises(DomainError):
        ask(submitted, office)
    assert not DocumentRequest.objects.exists()


def test_applicant_replaces_a_verified_requested_kind_and_nothing_else(application, office):
    ask(application, office)
    applicant = application.applicant
    replaced = document_upload(
        application=application, kind="education", uploaded_file=pdf_upload(), actor=applicant
    )
    assert replaced.status == DocumentStatus.PENDING
    assert Document.objects.filter(application=application, kind="education").count() == 1
    for kind in ("identity", "photo", "transcript", "other"):
        with pytest.raises(DomainError, match="other documents"):
            document_upload(
                application=application, kind=kind, uploaded_file=pdf_upload(), actor=applicant
            )
    identity = Document.objects.get(application=application, kind="identity")
    with pytest.raises(DomainError):
        document_remove(document=identity, actor=applicant)
    # The new, unverified certificate of the requested kind may be removed again.
    document_remove(document=replaced, actor=applicant)
    assert not Document.objects.filter(application=application, kind="education").exists()


def test_a_verified_requested_document_is_replaced_not_removed(application, office):
    ask(application, office)
    education = Document.objects.get(application=application, kind="education")
    with pytest.raises(DomainError, match="replacement"):
        document_remove(document=education, actor=application.applicant)


def test_request_without_kinds_keeps_the_older_rule(application):
    """Requests recorded before kinds were asked for: any kind may be uploaded, only
    unverified documents replaced."""
    from admissions.applications.services import application_transition

    application_transition(application=application, to_status=S.DOCUMENTS_REQUESTED, note="x")
    document_upload(
        application=application,
        kind="transcript",
        uploaded_file=pdf_upload(),
        actor=application.applicant,
    )
    with pytest.raises(DomainError, match="already been verified"):
        document_upload(
            application=application,
            kind="education",
            uploaded_file=pdf_upload(),
            actor=application.applicant,
        )


def test_answer_before_every_requested_kind_is_uploaded_is_refused(application, office):
    ask(application, office, kinds=["education", "transcript"])
    document_upload(
        application=application,
        kind="education",
        uploaded_file=pdf_upload(),
        actor=application.applicant,
    )
    with translation.override("en"), pytest.raises(DomainError, match="Transcript"):
        documents_request_answer(application=application, actor=application.applicant)
    application.refresh_from_db()
    assert application.status == S.DOCUMENTS_REQUESTED


def test_answer_returns_the_application_to_review_and_mails_the_officer_in_their_language(
    application, office, django_capture_on_commit_callbacks
):
    with translation.override("kk"):
        request = ask(application, office)
    document_upload(
        application=application,
        kind="education",
        uploaded_file=pdf_upload(),
        actor=application.applicant,
    )
    with django_capture_on_commit_callbacks(execute=True):
        event = documents_request_answer(application=application, actor=application.applicant)
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    assert (event.from_status, event.to_status, event.actor) == (
        S.DOCUMENTS_REQUESTED,
        S.UNDER_REVIEW,
        application.applicant,
    )
    request.refresh_from_db()
    assert request.answered_at is not None
    mail = OutgoingMail.objects.get(template="documents_uploaded")
    assert (mail.recipient, mail.language, mail.user) == (office.email, "kk", office)
    assert application.reference in mail.subject
    assert "сұраған құжаттарды жүктеді" in mail.body_text
    change = reverse("admin:admissions_application_change", args=[application.pk])
    assert change.replace("/en/", "/kk/") in mail.body_text
    # Answering twice is refused: the office is no longer waiting.
    with pytest.raises(DomainError):
        documents_request_answer(application=application, actor=application.applicant)
    assert OutgoingMail.objects.filter(template="documents_uploaded").count() == 1


def test_answer_mails_every_officer_when_the_one_who_asked_is_gone(application, office):
    ask(application, office)
    other = officer(username="other-office", email="other@kaznu-omsk.example")
    office.is_active = False
    office.save()
    document_upload(
        application=application,
        kind="education",
        uploaded_file=pdf_upload(),
        actor=application.applicant,
    )
    documents_request_answer(application=application, actor=application.applicant)
    recipients = set(
        OutgoingMail.objects.filter(template="documents_uploaded").values_list(
            "recipient", flat=True
        )
    )
    assert recipients == {other.email}


def test_only_the_applicant_answers(application, office):
    ask(application, office)
    with pytest.raises(DomainError):
        documents_request_answer(application=application, actor=office)


# --- Pages --------------------------------------------------------------------------------


def test_officer_request_page_asks_for_the_kinds(client, application, office):
    client.force_login(office)
    url = reverse(
        "admin:admissions_application_decide", args=[application.pk, S.DOCUMENTS_REQUESTED]
    )
    refused = client.post(url, {"note": "Please."})
    assert refused.status_code == 200 and refused.context["form"].errors["kinds"]
    assert client.post(url, {"note": "Please.", "kinds": ["photo"]}).status_code == 302
    assert DocumentRequest.objects.get(application=application).kinds == ["photo"]
    # The application page says what was asked.
    change = reverse("admin:admissions_application_change", args=[application.pk])
    assert '<div class="readonly">Photo</div>' in client.get(change).content.decode()


def test_bulk_request_records_the_kinds_for_each_application(client, office):
    offering, _other = two_programs()
    applications = [application_for(offering, status=S.UNDER_REVIEW) for _ in range(2)]
    client.force_login(office)
    response = client.post(
        reverse("admin:admissions_application_changelist"),
        {
            "action": "decide_documents_requested",
            "_selected_action": [a.pk for a in applications],
            "apply": "1",
            "note": "Your photo, please.",
            "kinds": ["photo"],
        },
    )
    assert response.status_code == 302
    assert DocumentRequest.objects.filter(kinds=["photo"]).count() == 2


def test_applicant_page_shows_the_request_and_only_the_requested_upload(
    client, application, office
):
    ask(application, office)
    client.force_login(application.applicant)
    page = client.get(reverse("admissions:documents")).content.decode()
    assert "A notarised translation, please." in page
    assert 'id="file-education"' in page
    assert 'id="file-identity"' not in page
    assert 'id="file-other"' not in page


def test_applicant_answers_from_the_page(client, application, office):
    ask(application, office)
    client.force_login(application.applicant)
    url = reverse("admissions:documents_uploaded")
    refused = client.post(url, follow=True)
    assert refused.redirect_chain[-1][0] == reverse("admissions:documents")
    application.refresh_from_db()
    assert application.status == S.DOCUMENTS_REQUESTED
    client.post(reverse("admissions:documents"), {"kind": "education", "file": pdf_upload()})
    answered = client.post(url)
    assert answered["Location"] == reverse("admissions:dashboard")
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    # Nothing to answer any more: a second press changes nothing.
    assert client.post(url)["Location"] == reverse("admissions:dashboard")
    assert client.get(url).status_code == 405

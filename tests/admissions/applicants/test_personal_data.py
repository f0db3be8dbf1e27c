"""Personal data as 152-FZ and 94-V expect: consent with version, time and address; consent
texts versioned in the admin; a full copy for the applicant; deletion of a draft-only account;
the retention job's audit rows; no personal data in logs or error mails."""

from __future__ import annotations

import io
import json
import logging
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.storage import storages
from django.test import Client, override_settings
from django.urls import path, reverse
from django.utils import timezone, translation

from admissions.documents.services import documents_purge_expired
from admissions.enums import ApplicationStatus
from admissions.models import (
    ApplicantProfile,
    Application,
    ConsentText,
    Document,
    DocumentPurge,
    OutgoingMail,
    StatusEvent,
)
from config.logging import PersonalDataFilter
from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    DocumentFactory,
    StaffFactory,
    ready_application,
)

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
EMAIL = "aigerim.personal@example.org"
IIN = "060315601239"
PHONE = "+7 701 123 45 67"


def _url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


# --- Consent ----------------------------------------------------------------------------
def test_consent_is_recorded_with_version_time_and_address(client):
    application = ready_application()
    client.force_login(application.applicant)
    before = timezone.now()
    response = client.post(
        _url("admissions:application_step", step="review"),
        {"consent": "on"},
        REMOTE_ADDR="198.51.100.77",
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.consent_version == "2025-09"
    assert application.consent_given_at >= before
    assert application.consent_ip == "198.51.100.77"


def test_a_new_consent_version_from_the_admin_is_shown_and_recorded(client):
    officer = StaffFactory(is_superuser=True)
    admin_client = Client()
    admin_client.force_login(officer)
    response = admin_client.post(
        _url("admin:admissions_consenttext_add"),
        {
            "version": "2026-06",
            "text_kk": "Келісім мәтіні, 2026 жыл.",
            "text_ru": "Текст согласия, 2026 год.",
            "text_en": "Consent text of 2026.",
            "in_force_from_0": timezone.localdate().isoformat(),
            "in_force_from_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ConsentText.objects.get(version="2026-06").text_ru == "Текст согласия, 2026 год."
    # A version in force cannot be rewritten.
    change = admin_client.get(
        _url(
            "admin:admissions_consenttext_change",
            object_id=ConsentText.objects.get(version="2026-06").pk,
        )
    )
    assert 'name="text_ru"' not in change.content.decode()

    application = ready_application()
    client.force_login(application.applicant)
    page = client.get(_url("admissions:application_step", language="ru", step="review"))
    html = page.content.decode()
    assert "Текст согласия, 2026 год." in html
    assert "2026-06" in html
    client.post(_url("admissions:application_step", step="review"), {"consent": "on"})
    application.refresh_from_db()
    assert application.consent_version == "2026-06"


# --- A copy of everything ---------------------------------------------------------------
def test_applicant_downloads_all_their_data_as_json_and_files(client):
    profile = ApplicantProfileFactory(identifier=IIN)
    user = profile.user
    application = ApplicationFactory(applicant=user, motivation="Мен заңгер болғым келеді.")
    document = DocumentFactory(application=application, kind="identity")
    with storages["private"].open(document.file.name, "rb") as handle:
        stored = handle.read()
    OutgoingMail.objects.create(
        recipient=user.email,
        template="status_changed",
        context={},
        language="kk",
        idempotency_key="test-export",
        user=user,
    )
    stranger = ApplicationFactory(motivation="A stranger's secret motivation.")
    DocumentFactory(application=stranger)

    client.force_login(user)
    dashboard = client.get(_url("admissions:dashboard")).content.decode()
    assert _url("admissions:personal_data") in dashboard
    response = client.get(_url("admissions:personal_data_download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == user.email
    assert data["profile"]["identifier"] == IIN
    [exported] = data["applications"]
    assert exported["motivation"] == "Мен заңгер болғым келеді."
    assert data["mail_sent_to_you"][0]["template"] == "status_changed"
    [listed] = exported["documents"]
    assert archive.read(listed["in_this_archive"]) == stored
    assert "stranger" not in json.dumps(data)
    assert len([n for n in archive.namelist() if n.startswith("documents/")]) == 1


def test_data_download_needs_a_signed_in_owner(client):
    response = client.get(_url("admissions:personal_data_download"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- Deleting a draft-only account ------------------------------------------------------
def test_owner_deletes_a_draft_only_account_with_everything_in_it(
    client, django_capture_on_commit_callbacks
):
    profile = ApplicantProfileFactory()
    user = profile.user
    application = ApplicationFactory(applicant=user)
    document = DocumentFactory(application=application)
    client.force_login(user)
    page = client.get(_url("admissions:personal_data"))
    assert 'name="password"' in page.content.decode()
    response = client.post(
        _url("admissions:personal_data"), {"password": "wrong", "confirm": "on"}
    )
    assert response.status_code == 200
    assert type(user).objects.filter(pk=user.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("admissions:personal_data"), {"password": PASSWORD, "confirm": "on"}
        )
    assert response.status_code == 302
    assert not type(user).objects.filter(pk=user.pk).exists()
    assert not ApplicantProfile.objects.filter(pk=profile.pk).exists()
    assert not Application.objects.filter(pk=application.pk).exists()
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not storages["private"].exists(document.file.name)
    assert "_auth_user_id" not in client.session


def test_an_account_with_a_submitted_application_cannot_be_deleted(client):
    application = ApplicationFactory(status=ApplicationStatus.SUBMITTED, reference="KZO-2099-1")
    user = application.applicant
    client.force_login(user)
    page = client.get(_url("admissions:personal_data"))
    assert 'name="password"' not in page.content.decode()
    client.post(_url("admissions:personal_data"), {"password": PASSWORD, "confirm": "on"})
    assert type(user).objects.filter(pk=user.pk).exists()
    assert Application.objects.filter(pk=application.pk).exists()


# --- Retention --------------------------------------------------------------------------
def test_the_retention_job_records_what_it_removed(settings, django_capture_on_commit_callbacks):
    settings.DOCUMENT_RETENTION_DAYS = 30
    rejected = ApplicationFactory(status=ApplicationStatus.REJECTED, reference="KZO-2025-000777")
    DocumentFactory(application=rejected, kind="identity")
    DocumentFactory(application=rejected, kind="photo")
    event = StatusEvent.objects.create(
        application=rejected, from_status="under_review", to_status="rejected"
    )
    StatusEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(days=40))
    sizes = sum(d.size for d in rejected.documents.all())
    with django_capture_on_commit_callbacks(execute=True):
        assert documents_purge_expired() == 2
    record = DocumentPurge.objects.get()
    assert record.application == rejected
    assert record.reference == "KZO-2025-000777"
    assert record.status == ApplicationStatus.REJECTED
    assert record.documents == 2
    assert record.kinds == ["identity", "photo"]
    assert record.bytes_removed == sizes
    assert record.retention_days == 30
    assert documents_purge_expired() == 0
    assert DocumentPurge.objects.count() == 1  # a second run records nothing


# --- No personal data in logs or error mails ----------------------------------------------
def _configured_console_handler() -> logging.Handler:
    for handler in logging.getLogger().handlers:
        if any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            return handler
    raise AssertionError("no log handler masks personal data")


def test_log_lines_mask_emails_phones_and_national_identifiers():
    handler = _configured_console_handler()
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        logging.getLogger("admissions.test").warning(
            "Sign-up of %s (phone %s, IIN %s, SNILS %s) failed",
            EMAIL,
            PHONE,
            IIN,
            "147-258-369 88",
        )
    finally:
        handler.setStream(previous)
    line = buffer.getvalue()
    assert "Sign-up of" in line and "failed" in line
    for secret in (EMAIL, PHONE, IIN, "147-258-369 88", "701 123"):
        assert secret not in line


def _failing_view(request):
    raise ValueError(f"Could not save the profile of {request.POST['email']} ({IIN})")


urlpatterns = [path("boom/", _failing_view)]


@override_settings(
    ADMINS=[("Ops", "ops@kaznu-omsk.example")],
    ROOT_URLCONF=__name__,
    DEBUG=False,
)
def test_error_mails_to_admins_carry_no_request_body_or_personal_data():
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "secret-session-cookie"
    response = client.post(
        "/boom/",
        {"email": EMAIL, "identifier": IIN, "phone": PHONE, "motivation": "private text"},
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert response.status_code == 500
    [report] = [m for m in mail.outbox if "ops@kaznu-omsk.example" in m.to]
    text = report.subject + report.body + "".join(str(a[0]) for a in report.alternatives)
    assert "ValueError" in text  # still useful
    assert "/boom/" in text
    for secret in (EMAIL, IIN, PHONE, "private text", "secret-session-cookie", "203.0.113.9"):
        assert secret not in text, secret


def test_consent_text_from_the_admin_is_shown_escaped(client):
    ConsentText.objects.create(
        version="2031-01",
        text="<script>alert(1)</script>",
        text_en="<script>alert(1)</script>",
        in_force_from=timezone.now(),
    )
    application = ready_application()
    client.force_login(application.applicant)
    html = client.get(_url("admissions:application_step", step="review")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html

"""Documents: content checks, ownership, replacement, staff verdicts, download, purge."""

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone, translation

from admissions.documents.services import (
    document_reject,
    document_remove,
    document_requirements,
    document_upload,
    document_verify,
    documents_purge_expired,
)
from admissions.documents.tasks import purge_documents
from admissions.enums import ApplicationStatus, DocumentStatus
from admissions.errors import DomainError
from admissions.models import Document, StatusEvent
from tests import files
from tests.factories import (
    ApplicationFactory,
    ChoiceFactory,
    DocumentFactory,
    LanguageFactory,
    OfferingFactory,
    ProgramFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def application():
    return ApplicationFactory()


def _upload(application, upload, kind="identity", actor=None):
    return document_upload(
        application=application,
        kind=kind,
        uploaded_file=upload,
        actor=actor or application.applicant,
    )


def _stored(document) -> bytes:
    with storages["private"].open(document.file.name, "rb") as handle:
        return handle.read()


def _url(name, language="en", **kwargs):
    with translation.override(language):
        return reverse(f"admissions:{name}", kwargs=kwargs or None)


# --- Content checks ---------------------------------------------------------------------
def test_a_pdf_is_stored_byte_for_byte_with_size_hash_and_detected_type(application):
    content = files.pdf_bytes()
    document = _upload(application, files.pdf_upload())
    assert document.content_type == "application/pdf"
    assert document.size == len(content)
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert _stored(document) == content
    assert document.status == DocumentStatus.PENDING


@pytest.mark.parametrize(
    ("upload", "content_type"),
    [(files.png_upload(), "image/png"), (files.jpeg_upload(), "image/jpeg")],
)
def test_images_are_stored_re_encoded_with_size_hash_and_detected_type(
    application, upload, content_type
):
    document = _upload(application, upload)
    stored = _stored(document)
    assert document.content_type == content_type
    assert document.size == len(stored)
    assert document.sha256 == hashlib.sha256(stored).hexdigest()
    assert document.status == DocumentStatus.PENDING


def test_stored_path_is_random_and_not_the_given_name(application):
    document = _upload(application, files.pdf_upload("my passport.pdf"))
    assert "passport" not in document.file.name
    assert document.original_name == "my passport.pdf"


def test_type_comes_from_the_content_not_the_name(application):
    document = _upload(application, files.upload("scan.pdf", files.png_bytes(), "application/pdf"))
    assert document.content_type == "image/png"


@pytest.mark.parametrize(
    "content",
    [files.exe_bytes(), files.elf_bytes(), b"<html><script>alert(1)</script></html>", b"GIF89a"],
    ids=["exe", "elf", "html", "gif"],
)
def test_executables_and_other_types_posing_as_pdf_are_refused(application, content):
    with pytest.raises(DomainError, match="PDF, JPEG or PNG"):
        _upload(application, files.upload("passport.pdf", content))
    assert not Document.objects.exists()


def test_pdf_header_on_garbage_is_refused(application):
    with pytest.raises(DomainError):
        _upload(application, files.upload("x.pdf", b"%PDF-1.4\n" + files.exe_bytes()))


def test_empty_file_is_refused(application):
    with pytest.raises(DomainError, match="empty"):
        _upload(application, files.upload("empty.pdf", b""))


@pytest.mark.parametrize(
    "content",
    [files.truncated_png_bytes(), files.png_bytes()[:40], b"\x89PNG\r\n\x1a\n" + b"\x00" * 64],
    ids=["truncated", "header-only", "garbage"],
)
def test_corrupt_images_are_refused(application, content):
    with pytest.raises(DomainError):
        _upload(application, files.upload("photo.png", content, "image/png"))
    assert not Document.objects.exists()


def test_file_over_the_limit_is_refused(application, settings):
    settings.DOCUMENT_MAX_BYTES = 100
    with pytest.raises(DomainError, match="too large"):
        _upload(application, files.pdf_upload())
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\passport.pdf", "passport.pdf"),
        ("pass\x00port\r\n.pdf", "passport.pdf"),
        ("\u202egnp.exe", "gnp.exe"),  # right-to-left override removed
        ("", "document.pdf"),
        ("...", "document.pdf"),
    ],
)
def test_absurd_file_names_are_sanitised(given, expected):
    from admissions.documents.services import sanitise_file_name

    assert sanitise_file_name(given, fallback_extension="pdf") == expected


def test_uploaded_path_name_keeps_only_the_last_part(application):
    document = _upload(application, files.pdf_upload("../../etc/passwd"))
    assert document.original_name == "passwd.pdf"  # named after the detected type
    assert "etc" not in document.file.name


def test_very_long_file_name_is_capped_keeping_the_extension(application):
    document = _upload(application, files.pdf_upload("a" * 1000 + ".pdf"))
    assert len(document.original_name) <= 120
    assert document.original_name.endswith(".pdf")


# --- Replacement and removal ------------------------------------------------------------
def test_replacing_a_kind_deletes_the_old_file_after_commit(
    application, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _upload(application, files.pdf_upload("a.pdf"))
    with django_capture_on_commit_callbacks(execute=True):
        second = _upload(application, files.png_upload("b.png"))
    assert list(application.documents.values_list("pk", flat=True)) == [second.pk]
    assert not storages["private"].exists(first.file.name)
    assert storages["private"].exists(second.file.name)


def test_other_documents_accumulate(application):
    _upload(application, files.pdf_upload("a.pdf"), kind="other")
    _upload(application, files.pdf_upload("b.pdf"), kind="other")
    assert application.documents.filter(kind="other").count() == 2


def test_remove_deletes_row_and_file(application, django_capture_on_commit_callbacks):
    document = _upload(application, files.pdf_upload())
    with django_capture_on_commit_callbacks(execute=True):
        document_remove(document=document, actor=application.applicant)
    assert not Document.objects.exists()
    assert not storages["private"].exists(document.file.name)


def test_upload_refused_after_submission(application):
    application.status = ApplicationStatus.SUBMITTED
    application.save()
    with pytest.raises(DomainError, match="submitted"):
        _upload(application, files.pdf_upload())


def test_upload_allowed_when_documents_requested_but_verified_documents_stay(application):
    staff = _officer()
    verified = _upload(application, files.pdf_upload(), kind="identity")
    document_verify(document=verified, actor=staff)
    application.status = ApplicationStatus.DOCUMENTS_REQUESTED
    application.save()
    # A new kind can be added, a pending one replaced ...
    _upload(application, files.pdf_upload(), kind="education")
    _upload(application, files.png_upload(), kind="education")
    # ... but the verified one can be neither replaced nor removed.
    with pytest.raises(DomainError, match="verified"):
        _upload(application, files.pdf_upload(), kind="identity")
    with pytest.raises(DomainError, match="verified"):
        document_remove(document=verified, actor=application.applicant)
    assert Document.objects.filter(pk=verified.pk).exists()


def test_someone_else_cannot_upload_or_remove(application):
    stranger = UserFactory()
    with pytest.raises(DomainError):
        _upload(application, files.pdf_upload(), actor=stranger)
    document = _upload(application, files.pdf_upload())
    with pytest.raises(DomainError):
        document_remove(document=document, actor=stranger)


# --- Staff verdicts ---------------------------------------------------------------------
def _officer(*perms):
    """A staff member in the admissions officers' group, holding `perms`."""
    from django.contrib.auth.models import Group

    from admissions.selectors import OFFICER_GROUP

    staff = StaffFactory()
    staff.groups.add(Group.objects.get_or_create(name=OFFICER_GROUP)[0])
    codenames = perms or ("change_document", "view_document")
    staff.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="admissions", codename__in=codenames)
    )
    return type(staff).objects.get(pk=staff.pk)  # fresh permission cache


def test_verify_and_reject_record_the_verdict(application):
    staff = _officer()
    document = _upload(application, files.pdf_upload())
    document = document_verify(document=document, actor=staff)
    assert (document.status, document.verified_by) == (DocumentStatus.VERIFIED, staff)
    document = document_reject(document=document, actor=staff, reason="Blurred scan")
    assert document.status == DocumentStatus.REJECTED
    assert document.rejection_reason == "Blurred scan"


def test_reject_needs_a_reason_and_verdicts_need_the_permission(application):
    document = _upload(application, files.pdf_upload())
    with pytest.raises(DomainError, match="reason"):
        document_reject(document=document, actor=_officer(), reason="   ")
    with pytest.raises(DomainError):
        document_verify(document=document, actor=StaffFactory())
    with pytest.raises(DomainError):
        document_verify(document=document, actor=application.applicant)
    document.refresh_from_db()
    assert document.status == DocumentStatus.PENDING


# --- Checklist --------------------------------------------------------------------------
def test_requirements_depend_on_level_and_language(application):
    requirements = {r.kind: r for r in document_requirements(application=application)}
    assert [k for k, r in requirements.items() if r.required] == ["identity", "education", "photo"]
    master = ProgramFactory(level="master")
    ChoiceFactory(
        application=application,
        offering=OfferingFactory(cycle=application.cycle, program=master),
        language=LanguageFactory(code="en"),
    )
    _upload(application, files.pdf_upload(), kind="identity")
    application.refresh_from_db()
    requirements = {r.kind: r for r in document_requirements(application=application)}
    assert requirements["transcript"].required
    assert requirements["language_certificate"].required
    assert requirements["identity"].status == "pending"
    assert requirements["photo"].status == "missing"
    assert requirements["other"].status == "optional"


# --- Views ------------------------------------------------------------------------------
def test_documents_page_uploads_through_the_form(client, application):
    client.force_login(application.applicant)
    response = client.post(
        _url("documents"), {"kind": "photo", "file": files.jpeg_upload("me.jpg")}
    )
    assert response.status_code == 302
    assert application.documents.get().content_type == "image/jpeg"


def test_documents_page_shows_refusal_and_saves_nothing(client, application):
    client.force_login(application.applicant)
    response = client.post(
        _url("documents", "ru"),
        {"kind": "identity", "file": files.upload("virus.pdf", files.exe_bytes())},
        follow=True,
    )
    assert response.status_code == 200
    assert not Document.objects.exists()
    assert any("PDF" in str(m) for m in response.context["messages"])


def test_documents_page_shows_names_escaped(client, application):
    _upload(application, files.pdf_upload("<img src=x onerror=alert(1)>.pdf"))
    client.force_login(application.applicant)
    html = client.get(_url("documents")).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in html


def test_download_serves_the_file_safely_to_the_owner(client, application):
    document = _upload(application, files.pdf_upload("../../passport.pdf"))
    client.force_login(application.applicant)
    response = client.get(_url("document_download", pk=document.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.pdf_bytes()
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="passport.pdf"' in response["Content-Disposition"]


def test_another_applicants_document_is_404_for_download_and_remove(client, application):
    document = _upload(application, files.pdf_upload())
    client.force_login(UserFactory())
    assert client.get(_url("document_download", pk=document.pk)).status_code == 404
    assert client.post(_url("document_remove", pk=document.pk)).status_code == 404
    assert Document.objects.filter(pk=document.pk).exists()


def test_anonymous_is_sent_to_login(client, application):
    document = _upload(application, files.pdf_upload())
    for url in (_url("documents"), _url("document_download", pk=document.pk)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]


def test_staff_with_view_permission_can_download_staff_without_cannot(client, application):
    document = _upload(application, files.pdf_upload())
    client.force_login(StaffFactory())
    assert client.get(_url("document_download", pk=document.pk)).status_code == 404
    reviewer = _officer("view_document")
    reviewer.groups.clear()  # the permission alone, without the officers' role, is not enough
    client.force_login(reviewer)
    assert client.get(_url("document_download", pk=document.pk)).status_code == 404
    client.force_login(_officer("view_document"))
    assert client.get(_url("document_download", pk=document.pk)).status_code == 200


def test_remove_through_the_page(client, application):
    document = _upload(application, files.pdf_upload())
    client.force_login(application.applicant)
    response = client.post(_url("document_remove", pk=document.pk))
    assert response.status_code == 302
    assert not Document.objects.exists()


def test_remove_after_submission_is_refused_through_the_page(client, application):
    document = _upload(application, files.pdf_upload())
    application.status = ApplicationStatus.SUBMITTED
    application.save()
    client.force_login(application.applicant)
    client.post(_url("document_remove", pk=document.pk))
    assert Document.objects.filter(pk=document.pk).exists()


@pytest.mark.parametrize("count", [1, 12])
def test_documents_page_query_budget(client, django_assert_max_num_queries, count):
    application = ApplicationFactory()
    ChoiceFactory(application=application)
    kinds = ["identity", "education", "photo", "transcript", "language_certificate"]
    for index in range(count):
        kind = kinds[index] if index < len(kinds) else "other"
        DocumentFactory(application=application, kind=kind)
    client.force_login(application.applicant)
    # 9, and the office's contacts in the footer (read once, then cached; each test starts
    # with an empty cache).
    with django_assert_max_num_queries(10):
        response = client.get(_url("documents"))
    assert response.status_code == 200


# --- Purge ------------------------------------------------------------------------------
def test_purge_deletes_old_documents_of_rejected_and_withdrawn_only(
    settings, django_capture_on_commit_callbacks
):
    settings.DOCUMENT_RETENTION_DAYS = 30
    old = timezone.now() - timedelta(days=31)
    rejected = ApplicationFactory(status=ApplicationStatus.REJECTED)
    recent = ApplicationFactory(status=ApplicationStatus.WITHDRAWN)
    accepted = ApplicationFactory(status=ApplicationStatus.ACCEPTED)
    for app in (rejected, recent, accepted):
        DocumentFactory(application=app)
    event = StatusEvent.objects.create(
        application=rejected, from_status="under_review", to_status="rejected"
    )
    StatusEvent.objects.filter(pk=event.pk).update(created_at=old)
    StatusEvent.objects.create(application=recent, from_status="draft", to_status="withdrawn")
    StatusEvent.objects.filter(application=accepted).delete()
    type(accepted).objects.filter(pk=accepted.pk).update(updated_at=old)
    doomed = rejected.documents.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_documents.apply().get() == 1
    assert not rejected.documents.exists()
    assert not storages["private"].exists(doomed.file.name)
    assert recent.documents.exists() and accepted.documents.exists()
    # Idempotent: a second run finds nothing.
    assert documents_purge_expired() == 0


def test_download_of_a_cyrillic_name_uses_an_encoded_header(client, application):
    document = _upload(application, files.pdf_upload("паспорт.pdf"))
    client.force_login(application.applicant)
    response = client.get(_url("document_download", pk=document.pk))
    assert (
        "filename*=utf-8''%D0%BF%D0%B0%D1%81%D0%BF%D0%BE%D1%80%D1%82.pdf"
        in (response["Content-Disposition"])
    )


def test_rejection_reason_is_shown_escaped_with_the_verdict(client, application):
    document = _upload(application, files.pdf_upload())
    document_reject(document=document, actor=_officer(), reason="<b>Blurred</b> scan")
    client.force_login(application.applicant)
    html = client.get(_url("documents")).content.decode()
    assert "&lt;b&gt;Blurred&lt;/b&gt; scan" in html
    assert "<b>Blurred</b>" not in html

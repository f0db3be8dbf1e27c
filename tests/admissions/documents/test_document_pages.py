"""A document of several files (the pages of one passport): uploaded together or page by
page, every file checked, shown and verified as one document, replaced as a whole."""

from __future__ import annotations

import pytest
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import translation

from admissions.documents.requests import documents_request, documents_request_answer
from admissions.documents.services import (
    document_add_pages,
    document_reject,
    document_requirements,
    document_upload,
    document_verify,
)
from admissions.enums import ApplicationStatus as S
from admissions.enums import DocumentStatus
from admissions.errors import DomainError
from admissions.models import Document, DocumentPage
from admissions.papers.printing import paper_application_pdf
from tests import files
from tests.admissions.staff_helpers import application_for, officer, two_programs
from tests.factories import ApplicantProfileFactory, ApplicationFactory, DocumentFactory

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def application():
    return ApplicationFactory()


def _url(name, **kwargs):
    with translation.override("en"):
        return reverse(f"admissions:{name}", kwargs=kwargs or None)


def two_page_passport(application):
    return document_upload(
        application=application,
        kind="identity",
        uploaded_files=[files.pdf_upload("page1.pdf"), files.png_upload("page2.png")],
        actor=application.applicant,
    )


def stored_two_page_passport(application):
    """A two-page passport of a submitted application, stored directly."""
    import hashlib

    from django.core.files.base import ContentFile

    document = DocumentFactory(application=application, kind="identity")
    content = files.png_bytes()
    page = DocumentPage(
        document=document,
        number=2,
        original_name="page2.png",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content_type="image/png",
    )
    page.file.save("upload", ContentFile(content), save=True)
    return document


def test_a_two_page_passport_is_one_document_with_two_files(application):
    document = two_page_passport(application)
    assert Document.objects.filter(application=application).count() == 1
    pages = document.pages
    assert [page.number for page in pages] == [1, 2]
    assert pages[0].content_type == "application/pdf"
    assert pages[1].content_type == "image/png" and pages[1].original_name == "page2.png"
    assert storages["private"].exists(pages[1].file.name)
    identity = next(
        r for r in document_requirements(application=application) if r.kind == "identity"
    )
    assert identity.status == "pending" and len(identity.documents) == 1


def test_a_bad_second_file_refuses_the_whole_upload(application):
    with pytest.raises(DomainError) as refused:
        document_upload(
            application=application,
            kind="identity",
            uploaded_files=[
                files.pdf_upload("page1.pdf"),
                files.upload("page2.pdf", files.exe_bytes()),
            ],
            actor=application.applicant,
        )
    assert "File 2 (page2.pdf)" in refused.value.message
    assert not Document.objects.exists() and not DocumentPage.objects.exists()


def test_the_limit_of_files_per_document(application, settings):
    settings.DOCUMENT_MAX_FILES = 2
    with pytest.raises(DomainError, match="at most 2 files"):
        document_upload(
            application=application,
            kind="identity",
            uploaded_files=[files.pdf_upload(), files.pdf_upload(), files.pdf_upload()],
            actor=application.applicant,
        )
    document = two_page_passport(application)
    with pytest.raises(DomainError, match="at most 2 files"):
        document_add_pages(
            document=document, uploaded_files=[files.png_upload()], actor=application.applicant
        )
    assert document.extra_pages.count() == 1


def test_the_limit_of_total_size(application, settings):
    settings.DOCUMENT_MAX_TOTAL_BYTES = len(files.pdf_bytes()) + 10
    with pytest.raises(DomainError, match="together"):
        two_page_passport(application)
    assert not Document.objects.exists()


def test_pages_are_added_until_the_document_is_verified(application):
    document = two_page_passport(application)
    document_reject(document=document, actor=officer(), reason="Page 3 is missing")
    document_add_pages(
        document=document,
        uploaded_files=[files.jpeg_upload("p3.jpg")],
        actor=application.applicant,
    )
    document.refresh_from_db()
    assert [page.number for page in document.pages] == [1, 2, 3]
    assert document.status == DocumentStatus.PENDING and document.rejection_reason == ""
    document_verify(document=document, actor=officer(username="second"))
    with pytest.raises(DomainError, match="already been verified"):
        document_add_pages(
            document=document, uploaded_files=[files.pdf_upload()], actor=application.applicant
        )


def test_a_bad_added_page_adds_nothing(application):
    document = two_page_passport(application)
    with pytest.raises(DomainError):
        document_add_pages(
            document=document,
            uploaded_files=[
                files.pdf_upload(),
                files.upload("x.png", files.truncated_png_bytes()),
            ],
            actor=application.applicant,
        )
    assert document.extra_pages.count() == 1


def test_replacing_a_document_replaces_all_its_pages(
    application, django_capture_on_commit_callbacks
):
    old = two_page_passport(application)
    old_names = [page.file.name for page in old.pages]
    with django_capture_on_commit_callbacks(execute=True):
        new = document_upload(
            application=application,
            kind="identity",
            uploaded_file=files.pdf_upload("new.pdf"),
            actor=application.applicant,
        )
    assert list(Document.objects.filter(application=application)) == [new]
    assert not DocumentPage.objects.exists()
    assert not any(storages["private"].exists(name) for name in old_names)


def test_staff_verification_covers_all_pages(application):
    document = two_page_passport(application)
    document_verify(document=document, actor=officer())
    identity = next(
        r for r in document_requirements(application=application) if r.kind == "identity"
    )
    assert identity.status == "verified" and identity.document.page_count == 2


def test_the_owner_downloads_each_page_another_user_cannot(client, application):
    document = two_page_passport(application)
    client.force_login(application.applicant)
    page2 = client.get(_url("document_page_download", pk=document.pk, number=2))
    assert page2.status_code == 200 and page2["Content-Type"] == "image/png"
    assert client.get(_url("document_page_download", pk=document.pk, number=3)).status_code == 404
    client.force_login(ApplicantProfileFactory().user)
    for number in (1, 2):
        url = _url("document_page_download", pk=document.pk, number=number)
        assert client.get(url).status_code == 404


def test_the_upload_page_takes_several_files_at_once_and_answers_json(client, application):
    client.force_login(application.applicant)
    response = client.post(
        _url("documents"),
        {"kind": "identity", "file": [files.pdf_upload("a.pdf"), files.png_upload("b.png")]},
        **JSON,
    )
    assert response.status_code == 200 and response.json()["ok"] is True
    document = Document.objects.get(application=application)
    assert document.page_count == 2
    page = client.get(_url("documents")).content.decode()
    assert "Page 2" in page and "multiple" in page and "data-upload-settings" in page
    assert 'data-max-bytes="' in page and "js/document-upload.js" in page
    refused = client.post(
        _url("documents"),
        {"kind": "photo", "file": [files.pdf_upload(), files.upload("x.pdf", files.elf_bytes())]},
        **JSON,
    )
    assert refused.status_code == 400 and "File 2" in refused.json()["errors"][0]


def test_pages_are_added_through_the_page_without_javascript(client, application):
    document = two_page_passport(application)
    client.force_login(application.applicant)
    response = client.post(
        _url("documents"),
        {"kind": "identity", "document": document.pk, "file": [files.jpeg_upload()]},
    )
    assert response.status_code == 302
    assert document.extra_pages.count() == 2


def test_the_desk_shows_every_page_of_one_document_with_one_verdict(client):
    offering, _other = two_programs()
    application = application_for(offering)
    document = stored_two_page_passport(application)
    client.force_login(officer(username="desk"))
    text = client.get(reverse("admin:admissions_document_changelist")).content.decode()
    assert text.count(f"/documents/{document.pk}/pages/2/?preview=1") >= 1
    assert text.count(f'data-document-action="verify" data-document-id="{document.pk}"') == 1


def test_adding_a_page_answers_the_documents_request():
    offering, _other = two_programs()
    application = application_for(
        offering, status=S.UNDER_REVIEW, profile=ApplicantProfileFactory(preferred_language="ru")
    )
    identity = DocumentFactory(application=application, kind="identity")
    documents_request(
        application=application, kinds=["identity"], note="Page 2, please.", actor=officer()
    )
    application.refresh_from_db()
    document_add_pages(
        document=identity, uploaded_files=[files.png_upload()], actor=application.applicant
    )
    documents_request_answer(application=application, actor=application.applicant)
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW


def test_the_application_paper_lists_every_page(monkeypatch):
    offering, _other = two_programs()
    application = application_for(offering)
    document = stored_two_page_passport(application)
    captured = {}

    def render(*, template, context, language):
        from django.template.loader import render_to_string

        captured["html"] = render_to_string(template, context)
        return b"%PDF-"

    monkeypatch.setattr("admissions.papers.printing.pdf_render", render)
    paper_application_pdf(application=application)
    for page in document.pages:
        assert page.sha256 in captured["html"]

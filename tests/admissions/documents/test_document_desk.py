"""The document desk: the queue of documents awaiting verification, verdicts answered in
place (JSON with the row's new cells), "verify all shown", previews through the same
permission-checked download view."""

from __future__ import annotations

import pytest
from django.urls import reverse

from admissions.enums import DocumentStatus
from tests.admissions.staff_helpers import (
    application_for,
    bulk_applications,
    committee,
    officer,
    reviewer,
    two_programs,
)
from tests.factories import ApplicationFactory, DocumentFactory

pytestmark = pytest.mark.django_db

DESK = "admin:admissions_document_changelist"
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def officer_client(client):
    client.force_login(officer(username="desk"))
    return client


def test_desk_opens_on_documents_awaiting_verification_of_submitted_applications(
    officer_client,
):
    offering, _other = two_programs()
    application = application_for(offering)
    pending = DocumentFactory(application=application, kind="identity")
    done = DocumentFactory(application=application, kind="photo", status=DocumentStatus.VERIFIED)
    draft = DocumentFactory(application=ApplicationFactory())
    response = officer_client.get(reverse(DESK))
    shown = [d.pk for d in response.context["cl"].result_list]
    assert shown == [pending.pk]
    everything = officer_client.get(reverse(DESK), {"verification": "all"}).context["cl"]
    assert {d.pk for d in everything.result_list} == {pending.pk, done.pk}
    assert draft.pk not in {d.pk for d in everything.result_list}


@pytest.mark.parametrize("rows", [5, 400])
def test_desk_query_budget_does_not_grow_with_rows(
    officer_client, django_assert_max_num_queries, rows
):
    offering, _other = two_programs()
    bulk_applications(rows, offering)
    with django_assert_max_num_queries(10):
        response = officer_client.get(reverse(DESK))
    assert len(response.context["cl"].result_list) == min(rows, 100)


@pytest.mark.parametrize("rows", [5, 400])
def test_application_list_budget_is_unchanged_by_the_desk(
    officer_client, django_assert_max_num_queries, rows
):
    offering, _other = two_programs()
    bulk_applications(rows, offering)
    # The list's own budget (its saved filters included); the desk adds nothing to it.
    with django_assert_max_num_queries(13):
        officer_client.get(reverse("admin:admissions_application_changelist"))


def test_verify_answers_json_with_the_new_cells(officer_client):
    document = DocumentFactory(application=application_for(two_programs()[0]))
    url = reverse("admin:admissions_document_verify", args=[document.pk])
    answer = officer_client.post(url, **JSON).json()
    assert answer["ok"] is True
    cells = answer["documents"][str(document.pk)]
    assert "document-badge--verified" in cells["status"]
    assert 'data-document-action="verify"' not in cells["verdict"]  # nothing left to verify
    document.refresh_from_db()
    assert document.status == DocumentStatus.VERIFIED


def test_reject_without_a_reason_answers_400_and_changes_nothing(officer_client):
    document = DocumentFactory(application=application_for(two_programs()[0]))
    url = reverse("admin:admissions_document_reject", args=[document.pk])
    answer = officer_client.post(url, {"reason": " "}, **JSON)
    assert answer.status_code == 400 and answer.json()["ok"] is False
    document.refresh_from_db()
    assert document.status == DocumentStatus.PENDING
    answer = officer_client.post(url, {"reason": "Blurred"}, **JSON).json()
    assert "Blurred" in answer["documents"][str(document.pk)]["status"]


def test_verify_all_shown_verifies_only_pending_documents_the_officer_may_see(officer_client):
    offering, _other = two_programs()
    application = application_for(offering)
    pending = [DocumentFactory(application=application, kind=k) for k in ("identity", "photo")]
    rejected = DocumentFactory(
        application=application, kind="education", status=DocumentStatus.REJECTED
    )
    url = reverse("admin:admissions_document_verify_shown")
    ids = [d.pk for d in [*pending, rejected]] + [999_999, "x"]
    answer = officer_client.post(url, {"shown_document": ids}, **JSON).json()
    assert set(answer["documents"]) == {str(d.pk) for d in pending}
    assert answer["message"] == "2 documents verified."
    rejected.refresh_from_db()
    assert rejected.status == DocumentStatus.REJECTED


def test_verify_action_on_selected_rows(officer_client):
    offering, _other = two_programs()
    documents = [DocumentFactory(application=application_for(offering)) for _ in range(2)]
    response = officer_client.post(
        reverse(DESK),
        {"action": "action_verify", "_selected_action": [d.pk for d in documents]},
    )
    assert response.status_code == 302
    for document in documents:
        document.refresh_from_db()
        assert document.status == DocumentStatus.VERIFIED


@pytest.mark.parametrize("role", [committee, lambda: reviewer(two_programs()[0].program)])
def test_the_desk_is_for_officers_only(client, role):
    document = DocumentFactory(application=application_for(two_programs()[0]))
    client.force_login(role())
    assert client.get(reverse(DESK)).status_code == 403
    for name in ("admin:admissions_document_verify", "admin:admissions_document_reject"):
        assert client.post(reverse(name, args=[document.pk]), **JSON).status_code == 403
    assert client.post(reverse("admin:admissions_document_verify_shown")).status_code == 403
    document.refresh_from_db()
    assert document.status == DocumentStatus.PENDING


def test_preview_is_inline_and_frameable_by_this_site_only(officer_client):
    document = DocumentFactory(application=application_for(two_programs()[0]))
    url = reverse("admissions:document_download", args=[document.pk])
    preview = officer_client.get(url, {"preview": "1"})
    assert preview.status_code == 200
    assert preview["Content-Disposition"].startswith("inline")
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    assert "default-src 'none'" in preview["Content-Security-Policy"]
    download = officer_client.get(url)
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Frame-Options"] == "DENY"
    assert "sandbox" in download["Content-Security-Policy"]
    # Other pages stay unframeable.
    assert officer_client.get(reverse(DESK))["X-Frame-Options"] == "DENY"


def test_preview_answers_404_to_whom_may_not_see_the_document(client):
    document = DocumentFactory(application=application_for(two_programs()[0]))
    client.force_login(reviewer(two_programs()[0].program))
    url = reverse("admissions:document_download", args=[document.pk])
    assert client.get(url, {"preview": "1"}).status_code == 404
    client.force_login(document.application.applicant)
    assert client.get(url, {"preview": "1"}).status_code == 200

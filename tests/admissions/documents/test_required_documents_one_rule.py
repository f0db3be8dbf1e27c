"""Which documents an application needs is one rule (documents/requirements.py): the
checklist, the submission, the decision guard and the admin's "documents complete" filter
agree, and all follow when the rule's data changes."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.urls import reverse

from admissions.applications.guards import guard_problems
from admissions.applications.lifecycle import Guard
from admissions.applications.services import application_missing
from admissions.documents import requirements
from admissions.documents.requirements import DocumentRule
from admissions.documents.services import document_requirements
from admissions.enums import ApplicationStatus as S
from admissions.enums import DocumentKind
from tests.admissions.staff_helpers import application_for, officer, two_programs
from tests.factories import DocumentFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:admissions_application_changelist"


def complete_in_admin(client) -> set[str]:
    response = client.get(reverse(CHANGELIST), {"documents": "complete"})
    return {a.reference for a in response.context["cl"].result_list}


def checklist_complete(application) -> bool:
    return all(
        r.status == "verified"
        for r in document_requirements(application=application)
        if r.required
    )


def test_admin_filter_and_checklist_agree_on_a_missing_photo(client):
    """The reported case: identity and education verified, no photo."""
    offering, _other = two_programs()
    application = application_for(offering, status=S.UNDER_REVIEW)
    for kind in ("identity", "education"):
        DocumentFactory(application=application, kind=kind, status="verified")
    client.force_login(officer())
    assert not checklist_complete(application)
    assert complete_in_admin(client) == set()
    DocumentFactory(application=application, kind="photo", status="verified")
    assert checklist_complete(application)
    assert complete_in_admin(client) == {application.reference}
    assert guard_problems(application=application, guards=(Guard.DOCUMENTS_VERIFIED,)) == []


def test_a_replaced_document_awaiting_verification_is_not_complete(client):
    offering, _other = two_programs()
    application = application_for(offering, status=S.UNDER_REVIEW)
    for kind in ("identity", "education", "photo"):
        DocumentFactory(application=application, kind=kind, status="verified")
    DocumentFactory(application=application, kind="photo", status="pending")  # the newer one
    client.force_login(officer())
    assert not checklist_complete(application)
    assert complete_in_admin(client) == set()


def test_every_place_follows_the_rule_data(client, monkeypatch, settings):
    # The rules change in code between reads (no data is written, as in a new release):
    # every list is rendered afresh, not served from the cache of signed-in pages.
    settings.PRIVATE_PAGE_CACHE_SECONDS = 0
    offering, _other = two_programs()
    application = application_for(offering, status=S.UNDER_REVIEW)
    for kind in ("identity", "education", "photo"):
        DocumentFactory(application=application, kind=kind, status="verified")
    client.force_login(officer())
    assert complete_in_admin(client) == {application.reference}
    # The office now wants an "other" document from everybody, and no photo.
    rules = tuple(r for r in requirements.DOCUMENT_RULES if r.kind != DocumentKind.PHOTO)
    monkeypatch.setattr(
        requirements, "DOCUMENT_RULES", (*rules, DocumentRule(kind="other", always=True))
    )
    by_kind = {r.kind: r for r in document_requirements(application=application)}
    assert by_kind["other"].required and not by_kind["photo"].required
    assert complete_in_admin(client) == set()
    assert "Other" in " ".join(
        guard_problems(application=application, guards=(Guard.DOCUMENTS_VERIFIED,))
    )
    assert any("Other" in str(m) for m in application_missing(application=application))
    DocumentFactory(application=application, kind="other", status="verified")
    assert complete_in_admin(client) == {application.reference}
    # A conditional rule: the photo only for English-taught choices (none here).
    monkeypatch.setattr(
        requirements,
        "DOCUMENT_RULES",
        (replace(rules[0]), DocumentRule(kind="photo", when_languages=frozenset({"ru"}))),
    )
    assert complete_in_admin(client) == {application.reference}

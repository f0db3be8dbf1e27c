"""Blind review: nothing that identifies the applicant reaches a blind reviewer, wherever
they look (list, search, change page and inlines, history, review page, queue, document
previews and their names, export). The rule is `admissions.permissions.PERSONAL_FIELDS`."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from admissions.applications.services import application_transition
from admissions.enums import ApplicationStatus as S
from admissions.models import Document
from admissions.permissions import PERSONAL_FIELDS, Personal, hidden_personal_fields
from tests.admissions.staff_helpers import committee, officer, reviewer
from tests.e2e.office import full_application, identifying_texts
from tests.factories import OfferingFactory, RubricCriterionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    offering = OfferingFactory()
    RubricCriterionFactory(cycle=offering.cycle)
    application = full_application(offering, 1, status=S.SUBMITTED)
    # The applicant's own move shows in the timeline: their account must not.
    application_transition(
        application=application, to_status=S.UNDER_REVIEW, actor=officer(username="officer")
    )
    return offering, application, identifying_texts(1, application)


def pages(application, program_id):
    return [
        reverse("admin:admissions_application_changelist"),
        reverse("admin:admissions_application_change", args=[application.pk]),
        reverse("admin:admissions_application_history", args=[application.pk]),
        reverse("admin:admissions_application_review", args=[application.pk]),
        f"{reverse('admin:admissions_application_review_queue')}?program={program_id}",
        reverse("admin:admissions_review_changelist"),
    ]


def test_a_blind_reviewer_sees_no_identifying_field_on_any_page(client, case):
    offering, application, secrets = case
    client.force_login(reviewer(offering.program, blind=True))
    for url in pages(application, offering.program_id):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        leaked = [text for text in secrets if text in html]
        assert not leaked, (url, leaked)
    # The same pages do show them to a reviewer who is not blind (the test can fail).
    client.force_login(reviewer(offering.program, username="sighted"))
    html = client.get(pages(application, offering.program_id)[3]).content.decode()
    assert "Уникальнова1" in html and application.education_institution in html


def test_a_blind_reviewer_cannot_search_by_an_identifying_field(client, case):
    offering, application, _secrets = case
    client.force_login(reviewer(offering.program, blind=True))
    changelist = reverse("admin:admissions_application_changelist")
    for term in ("Unikalnova1", "Уникальнова1", application.applicant.email):
        assert application.reference not in client.get(changelist, {"q": term}).content.decode()
    assert application.reference in client.get(changelist, {"q": application.reference}).text


def test_a_blind_reviewer_gets_no_identity_document_and_no_file_name(client, case):
    offering, application, _secrets = case
    client.force_login(reviewer(offering.program, blind=True))
    passport = Document.objects.get(application=application, kind="identity")
    photo = Document.objects.get(application=application, kind="photo")
    for document in (passport, photo):
        url = reverse("admissions:document_download", args=[document.pk])
        assert client.get(url).status_code == 404
    diploma = Document.objects.get(application=application, kind="education")
    response = client.get(reverse("admissions:document_download", args=[diploma.pk]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "Unikalnova" not in disposition and f"-{diploma.pk}.pdf" in disposition


def test_a_blind_reviewer_exports_no_identifying_column_or_value(client, case):
    offering, application, secrets = case
    client.force_login(reviewer(offering.program, blind=True))
    export = reverse("admin:admissions_application_export")
    csv = client.get(export, {"_format": "csv"}).content.decode("utf-8-sig")
    assert application.reference in csv
    assert not [text for text in secrets if text in csv]
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(export, {"_format": "xlsx"}).content))
    cells = " ".join(
        str(cell.value) for row in workbook.active.iter_rows() for cell in row if cell.value
    )
    assert application.reference in cells
    assert not [text for text in secrets if text in cells]


def test_every_category_is_hidden_from_a_blind_reviewer_and_shown_to_an_officer(case):
    offering, _application, _secrets = case
    blind = reviewer(offering.program, blind=True)
    assert hidden_personal_fields(blind) == frozenset(PERSONAL_FIELDS)
    assert hidden_personal_fields(officer(username="o2")) == frozenset()
    sighted = reviewer(offering.program, username="sighted")
    hidden = {PERSONAL_FIELDS[key] for key in hidden_personal_fields(sighted)}
    assert hidden == {Personal.NATIONAL_ID, Personal.CONTACT}
    assert {PERSONAL_FIELDS[key] for key in hidden_personal_fields(committee())} == {
        Personal.NATIONAL_ID
    }

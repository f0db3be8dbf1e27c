"""Pupils finishing school in the cycle's year apply with an expected graduation (the
certificate to be provided later, required before a decision); years beyond the cycle are
refused; exam results: up to six, dated within sensible bounds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from admissions.applications.services import (
    MAX_EXAMS,
    ExamInput,
    application_save_education,
    application_save_exams,
    application_submit,
    application_transition,
)
from admissions.documents.services import document_requirements, document_verify
from admissions.enums import ApplicationStatus as S
from admissions.errors import DomainError, GuardRefused
from admissions.models import Application, ExamResult
from tests.admissions.staff_helpers import officer
from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    CycleFactory,
    DocumentFactory,
    ReviewFactory,
    ready_application,
    steps_done,
)

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year


def step_url(step, language="en"):
    with translation.override(language):
        return reverse("admissions:application_step", kwargs={"step": step})


@pytest.fixture
def cycle():
    """A cycle whose applications close in July of next year: its year is next year."""
    now = timezone.now()
    return CycleFactory(
        opens_at=now - dt.timedelta(days=10),
        closes_at=now.replace(year=THIS_YEAR + 1, month=7, day=15),
    )


@pytest.fixture
def draft(client, cycle):
    user = ApplicantProfileFactory().user
    client.force_login(user)
    return ApplicationFactory(applicant=user, cycle=cycle, completed_steps=steps_done(2))


def education(**overrides):
    data = {
        "education_institution": "Школа-лицей № 8",
        "education_country": "KZ",
        "education_document_kind": "school_certificate",
        "education_document_number": "ЖОБ 0012345",
        "graduation_year": str(THIS_YEAR),
        "grade_average": "4.6",
        "grade_scale_max": "5",
    }
    data.update(overrides)
    return data


# --- Expected graduation: the form and the service ----------------------------------------
def test_a_pupil_graduating_in_the_cycles_year_applies_with_an_expected_graduation(client, draft):
    response = client.post(
        step_url("education"),
        education(
            graduation_year=str(THIS_YEAR + 1),
            graduation_expected="on",
            education_document_number="",
        ),
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    draft.refresh_from_db()
    assert draft.graduation_year == THIS_YEAR + 1
    assert draft.graduation_expected is True
    assert draft.education_document_number == ""
    assert "education" in draft.completed_steps


def test_a_year_beyond_the_cycle_is_refused_in_the_applicants_language(client, draft):
    response = client.post(
        step_url("education", "ru"),
        education(graduation_year=str(THIS_YEAR + 2), graduation_expected="on"),
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "позднее" in text and str(THIS_YEAR + 2) in text
    draft.refresh_from_db()
    assert draft.graduation_year is None and not draft.graduation_expected


def test_a_future_year_without_saying_it_is_expected_is_refused_with_the_hint(client, draft):
    response = client.post(step_url("education"), education(graduation_year=str(THIS_YEAR + 1)))
    assert response.status_code == 200
    assert "If you have not graduated yet, tick" in response.content.decode()
    draft.refresh_from_db()
    assert draft.graduation_year is None


def test_the_document_number_is_still_required_of_a_graduate(client, draft):
    response = client.post(step_url("education"), education(education_document_number=""))
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.education_institution == ""


@pytest.mark.parametrize(
    ("year", "expected", "message"),
    [
        (THIS_YEAR + 2, True, "later admission cycle"),
        (THIS_YEAR - 1, True, "has passed"),
        (THIS_YEAR + 1, False, "in the future"),
        (1900, False, "cannot be before 1950"),
    ],
)
def test_the_service_refuses_the_same_years(draft, year, expected, message):
    with pytest.raises(DomainError) as refused:
        application_save_education(
            application=draft, graduation_year=year, graduation_expected=expected
        )
    assert message in refused.value.message
    assert Application.objects.get(pk=draft.pk).graduation_year is None


def test_the_education_form_offers_the_bounds_to_the_browser(client, draft):
    text = client.get(step_url("education")).content.decode()
    assert f'max="{THIS_YEAR + 1}"' in text and 'min="1950"' in text
    assert 'name="graduation_expected"' in text


# --- The certificate: later, then required before a decision -------------------------------
def _expected_application():
    application = ready_application(
        documents=False, graduation_expected=True, education_document_number=""
    )
    for kind in ("identity", "photo"):
        DocumentFactory(application=application, kind=kind)
    return application


def test_submitting_without_the_certificate_when_graduation_is_expected():
    application = _expected_application()
    submitted = application_submit(
        application=application, actor=application.applicant, consent=True
    )
    assert submitted.status == S.SUBMITTED and submitted.reference
    education = next(
        r for r in document_requirements(application=submitted) if r.kind == "education"
    )
    assert education.status == "later" and not education.required and education.later
    assert str(education.status_label) == "To be provided later"


def test_a_graduate_still_needs_the_certificate_to_submit():
    application = ready_application(documents=False)
    for kind in ("identity", "photo"):
        DocumentFactory(application=application, kind=kind)
    with pytest.raises(DomainError) as refused:
        application_submit(application=application, actor=application.applicant, consent=True)
    assert (
        "Education certificate" in refused.value.message
        or "education" in str(refused.value.message).lower()
    )


def test_acceptance_waits_for_the_verified_certificate():
    application = _expected_application()
    application_submit(application=application, actor=application.applicant, consent=True)
    staff = officer()
    application_transition(application=application, to_status=S.UNDER_REVIEW, actor=staff)
    for document in application.documents.all():
        document_verify(document=document, actor=staff)
    ReviewFactory(application=application, score=Decimal("90"))
    application.exam_results.update(score=Decimal("135"), max_score=Decimal("140"))
    with pytest.raises(GuardRefused) as refused:
        application_transition(application=application, to_status=S.ACCEPTED, actor=staff)
    assert "Education certificate" in " ".join(refused.value.problems)
    certificate = DocumentFactory(application=application, kind="education")
    document_verify(document=certificate, actor=staff)
    event = application_transition(application=application, to_status=S.ACCEPTED, actor=staff)
    assert event.to_status == S.ACCEPTED


# --- Exams: up to six ------------------------------------------------------------------------
def exams_post(count, *, total=None):
    total = total if total is not None else max(count, MAX_EXAMS)
    data = {
        "exams-TOTAL_FORMS": str(total),
        "exams-INITIAL_FORMS": "0",
        "exams-MIN_NUM_FORMS": "0",
        "exams-MAX_NUM_FORMS": str(MAX_EXAMS),
    }
    for index in range(total):
        filled = index < count
        data[f"exams-{index}-exam"] = "ege" if filled else ""
        data[f"exams-{index}-subject"] = f"Subject {index + 1}" if filled else ""
        data[f"exams-{index}-score"] = "80" if filled else ""
        data[f"exams-{index}-max_score"] = "100" if filled else ""
        data[f"exams-{index}-taken_on"] = ""
    return data


def test_six_exam_results_are_saved(client, draft):
    draft.completed_steps = steps_done(3)
    draft.save()
    response = client.post(step_url("exams"), exams_post(6))
    assert response.status_code == 302
    assert ExamResult.objects.filter(application=draft).count() == 6


def test_a_seventh_exam_result_is_refused_by_the_form_and_the_service(client, draft):
    draft.completed_steps = steps_done(3)
    draft.save()
    response = client.post(step_url("exams"), exams_post(7))
    assert response.status_code == 200
    assert not ExamResult.objects.filter(application=draft).exists()
    exam = ExamInput(exam="ege", subject="Math", score=Decimal("80"), max_score=Decimal("100"))
    with pytest.raises(DomainError, match="at most 6"):
        application_save_exams(application=draft, exams=[exam] * 7)


def test_the_exams_page_holds_six_rows_and_the_add_button(client, draft):
    draft.completed_steps = steps_done(3)
    draft.save()
    text = client.get(step_url("exams")).content.decode()
    assert text.count("data-exam-row>") == MAX_EXAMS
    assert "data-exam-add" in text and "js/exam-rows.js" in text


def test_an_exam_date_decades_ago_is_refused(client, draft):
    draft.completed_steps = steps_done(3)
    draft.save()
    data = exams_post(1)
    data["exams-0-taken_on"] = "1950-06-01"
    response = client.post(step_url("exams"), data)
    assert response.status_code == 200
    assert "older than 30 years" in response.content.decode()
    assert not ExamResult.objects.filter(application=draft).exists()

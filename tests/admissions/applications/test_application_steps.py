"""The step-by-step application form: validation, saving, resuming, read-only after submit."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from admissions.applications.services import (
    ChoiceInput,
    ExamInput,
    application_draft_for,
    application_save_choices,
    application_save_exams,
    application_save_motivation,
)
from admissions.enums import ApplicationStatus
from admissions.errors import DeadlinePassed, DomainError
from admissions.models import Application, ApplicationChoice, ExamResult
from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    ChoiceFactory,
    CycleFactory,
    ExamResultFactory,
    LanguageFactory,
    OfferingFactory,
    ProgramFactory,
    steps_done,
)

pytestmark = pytest.mark.django_db

MOTIVATION = "Я хочу изучать международное право в Омске. " * 10


def step_url(step):
    return reverse("admissions:application_step", kwargs={"step": step})


@pytest.fixture
def cycle():
    return CycleFactory()


@pytest.fixture
def offerings(cycle):
    law = OfferingFactory(cycle=cycle, program=ProgramFactory(title="Law", languages=["ru", "kk"]))
    customs = OfferingFactory(
        cycle=cycle, program=ProgramFactory(title="Customs", languages=["en"])
    )
    return law, customs


@pytest.fixture
def applicant(client):
    user = ApplicantProfileFactory().user
    client.force_login(user)
    return user


@pytest.fixture
def draft(applicant, cycle):
    return ApplicationFactory(applicant=applicant, cycle=cycle, completed_steps=steps_done(1))


def choices_post(*rows, save_only=False):
    data = {
        "choices-TOTAL_FORMS": "3",
        "choices-INITIAL_FORMS": "0",
        "choices-MIN_NUM_FORMS": "3",
        "choices-MAX_NUM_FORMS": "3",
    }
    for index in range(3):
        offering, language = rows[index] if index < len(rows) else ("", "")
        data[f"choices-{index}-offering"] = offering
        data[f"choices-{index}-language"] = language
    if save_only:
        data["save_only"] = "1"
    return data


def exams_post(*rows):
    data = {
        "exams-TOTAL_FORMS": str(max(len(rows), 1)),
        "exams-INITIAL_FORMS": "0",
        "exams-MIN_NUM_FORMS": "0",
        "exams-MAX_NUM_FORMS": "6",
    }
    for index, (exam, subject, score, maximum) in enumerate(rows):
        data.update(
            {
                f"exams-{index}-exam": exam,
                f"exams-{index}-subject": subject,
                f"exams-{index}-score": score,
                f"exams-{index}-max_score": maximum,
            }
        )
    return data


def lang(code):
    return LanguageFactory(code=code).pk


# --- Draft and resuming -------------------------------------------------------------------
def test_continue_creates_one_draft_and_resumes_at_the_first_step_not_done(
    client, applicant, cycle
):
    response = client.get(reverse("admissions:application_continue"))
    assert response.url == step_url("personal")
    client.get(reverse("admissions:application_continue"))
    application = Application.objects.get(applicant=applicant)
    assert application.status == ApplicationStatus.DRAFT
    Application.objects.filter(pk=application.pk).update(completed_steps=steps_done(3))
    assert client.get(reverse("admissions:application_continue")).url == step_url("exams")
    Application.objects.filter(pk=application.pk).update(completed_steps=steps_done(5))
    assert client.get(reverse("admissions:application_continue")).url == reverse(
        "admissions:documents"
    )


def test_draft_for_returns_the_same_draft(applicant, cycle):
    first = application_draft_for(user=applicant, cycle=cycle)
    assert application_draft_for(user=applicant, cycle=cycle).pk == first.pk
    assert Application.objects.count() == 1


def test_steps_cannot_be_skipped(client, draft):
    response = client.get(step_url("exams"))
    assert response.status_code == 302
    assert response.url == reverse("admissions:application_continue")


def test_unknown_step_is_404(client, draft):
    assert client.get(step_url("nonsense")).status_code == 404


def test_personal_step_saves_the_profile_and_moves_on(client, cycle):
    from admissions.models import ApplicantProfile
    from tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    page = client.get(step_url("personal"))
    assert page.status_code == 200
    response = client.post(
        step_url("personal"),
        {
            "last_name_native": "Иванов",
            "first_name_native": "Иван",
            "patronymic_native": "",
            "last_name_latin": "Ivanov",
            "first_name_latin": "Ivan",
            "birth_date": "2005-03-04",
            "citizenship": "RU",
            "identifier_kind": "passport",
            "identifier": "AB1234567",
            "phone": "+79131234567",
            "preferred_language": "ru",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert response.url == step_url("programs")
    assert ApplicantProfile.objects.get(user=user).last_name_latin == "Ivanov"
    assert Application.objects.get(applicant=user).completed_steps == steps_done(1)


# --- Step 2: programs ---------------------------------------------------------------------
def test_programs_step_saves_ranked_choices(client, draft, offerings):
    law, customs = offerings
    response = client.post(
        step_url("programs"), choices_post((customs.pk, lang("en")), (law.pk, lang("kk")))
    )
    assert response.status_code == 302
    assert response.url == step_url("education")
    saved = list(draft.choices.order_by("priority").values_list("offering", "language__code"))
    assert saved == [(customs.pk, "en"), (law.pk, "kk")]
    draft.refresh_from_db()
    assert draft.completed_steps == steps_done(2)
    page = client.get(step_url("programs")).content.decode()
    assert f'value="{customs.pk}" selected' in page


def test_same_program_twice_is_refused_and_saved_choices_kept(client, draft, offerings):
    law, customs = offerings
    ChoiceFactory(application=draft, offering=customs, language=LanguageFactory(code="en"))
    response = client.post(
        step_url("programs"), choices_post((law.pk, lang("ru")), (law.pk, lang("kk")))
    )
    assert response.status_code == 200
    assert "already your choice no. 1" in response.content.decode()
    assert list(draft.choices.values_list("offering", flat=True)) == [customs.pk]


def test_language_the_program_is_not_taught_in_is_refused(client, draft, offerings):
    law, _customs = offerings
    response = client.post(step_url("programs"), choices_post((law.pk, lang("en"))))
    assert response.status_code == 200
    assert "is not taught in" in response.content.decode()
    assert not draft.choices.exists()


def test_no_program_chosen_is_refused(client, draft, offerings):
    response = client.post(step_url("programs"), choices_post())
    assert response.status_code == 200
    assert "Choose at least one program" in response.content.decode()


def test_closed_offering_is_not_selectable(client, draft, cycle):
    closed = OfferingFactory(cycle=cycle, deadline=timezone.now() - timedelta(hours=1))
    past = CycleFactory(
        opens_at=timezone.now() - timedelta(days=400),
        closes_at=timezone.now() - timedelta(days=300),
    )
    other_cycle = OfferingFactory(cycle=past)
    page = client.get(step_url("programs")).content.decode()
    assert closed.program.title not in page
    assert other_cycle.program.title not in page
    response = client.post(step_url("programs"), choices_post((closed.pk, lang("ru"))))
    assert response.status_code == 200
    assert "cannot be chosen" in response.content.decode()
    assert not draft.choices.exists()


def test_choice_service_refuses_what_the_form_refuses(draft, cycle, offerings):
    law, _customs = offerings
    ru, en = LanguageFactory(code="ru"), LanguageFactory(code="en")
    with pytest.raises(DomainError, match="more than once"):
        application_save_choices(
            application=draft,
            choices=[ChoiceInput(offering=law, language=ru), ChoiceInput(law, ru)],
        )
    with pytest.raises(DomainError, match="not taught"):
        application_save_choices(application=draft, choices=[ChoiceInput(law, en)])
    with pytest.raises(DomainError, match="not offered in this admission cycle"):
        application_save_choices(
            application=draft, choices=[ChoiceInput(OfferingFactory(cycle=CycleFactory()), ru)]
        )
    closed = OfferingFactory(cycle=cycle, deadline=timezone.now() - timedelta(minutes=1))
    with pytest.raises(DeadlinePassed):
        application_save_choices(application=draft, choices=[ChoiceInput(closed, ru)])
    with pytest.raises(DomainError, match="at most 3"):
        application_save_choices(
            application=draft,
            choices=[ChoiceInput(OfferingFactory(cycle=cycle), ru) for _ in range(4)],
        )
    assert not ApplicationChoice.objects.exists()


# --- Step 3: education --------------------------------------------------------------------
EDUCATION = {
    "education_institution": "Школа-лицей № 8",
    "education_country": "KZ",
    "education_document_kind": "school_certificate",
    "education_document_number": "ЖОБ 0012345",
    "graduation_year": "2025",
    "grade_average": "4.6",
    "grade_scale_max": "5",
}


def test_education_step_saves(client, draft):
    draft.completed_steps = steps_done(2)
    draft.save()
    response = client.post(step_url("education"), EDUCATION)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.education_institution == "Школа-лицей № 8"
    assert draft.grade_average == Decimal("4.6")
    assert draft.completed_steps == steps_done(3)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("grade_average", "6", "cannot exceed the maximum"),
        ("graduation_year", "2999", "please apply in a later admission cycle"),
        ("education_institution", "", "required"),
    ],
)
def test_education_bad_input_is_refused_and_nothing_saved(client, draft, field, value, message):
    draft.completed_steps = steps_done(2)
    draft.education_institution = "Kept"
    draft.save()
    response = client.post(step_url("education"), {**EDUCATION, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    draft.refresh_from_db()
    assert draft.education_institution == "Kept"
    assert draft.completed_steps == steps_done(2)


# --- Step 4: exams ------------------------------------------------------------------------
def test_exams_step_saves_results(client, draft):
    draft.completed_steps = steps_done(3)
    draft.save()
    response = client.post(
        step_url("exams"),
        exams_post(("unt", "History", "120", "140"), ("ielts", "English", "7.5", "9")),
    )
    assert response.status_code == 302
    assert sorted(draft.exam_results.values_list("exam", "score")) == [
        ("ielts", Decimal("7.50")),
        ("unt", Decimal("120.00")),
    ]


def test_score_above_the_maximum_is_refused_and_saved_results_kept(client, draft):
    draft.completed_steps = steps_done(4)
    draft.save()
    ExamResultFactory(application=draft, score=Decimal("90"), max_score=Decimal("140"))
    response = client.post(step_url("exams"), exams_post(("ege", "Russian", "101", "100")))
    assert response.status_code == 200
    assert "above the maximum" in response.content.decode()
    assert list(draft.exam_results.values_list("score", flat=True)) == [Decimal("90")]
    with pytest.raises(DomainError, match="above the maximum"):
        application_save_exams(
            application=draft,
            exams=[ExamInput("ege", "Russian", Decimal("101"), Decimal("100"))],
        )
    assert ExamResult.objects.count() == 1


def test_no_exam_is_refused(client, draft):
    draft.completed_steps = steps_done(3)
    draft.save()
    response = client.post(step_url("exams"), exams_post(("", "", "", "")))
    assert response.status_code == 200
    assert "at least one exam result" in response.content.decode()


def test_half_filled_exam_row_asks_for_the_rest(client, draft):
    draft.completed_steps = steps_done(3)
    draft.save()
    response = client.post(step_url("exams"), exams_post(("unt", "", "100", "")))
    assert response.status_code == 200
    assert response.content.decode().count("This field is required") == 2


# --- Step 5: motivation -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "message"),
    [("Too short.", "at least 300"), ("x" * 5001, "at most 5000")],
)
def test_motivation_length_limits(client, draft, text, message):
    draft.completed_steps = steps_done(4)
    draft.motivation = "kept"
    draft.save()
    response = client.post(step_url("motivation"), {"motivation": text})
    assert response.status_code == 200
    assert message in response.content.decode()
    draft.refresh_from_db()
    assert draft.motivation == "kept"


def test_motivation_html_is_kept_as_text_and_shown_escaped(client, draft):
    draft.completed_steps = steps_done(4)
    draft.save()
    hostile = "<script>alert('x')</script><b>bold</b> " + MOTIVATION
    response = client.post(
        step_url("motivation"), {"motivation": hostile, "scholarship_requested": "on"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.motivation.startswith("<script>")
    assert draft.scholarship_requested
    Application.objects.filter(pk=draft.pk).update(completed_steps=steps_done(6))
    page = client.get(step_url("review")).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    form_page = client.get(step_url("motivation")).content.decode()
    assert "<script>alert" not in form_page


def test_motivation_service_checks_the_limits(draft):
    with pytest.raises(DomainError):
        application_save_motivation(
            application=draft, scholarship_requested=False, motivation="short"
        )


# --- Read-only after submission ------------------------------------------------------------
@pytest.mark.parametrize(
    ("step", "data"),
    [
        ("programs", choices_post()),
        ("education", EDUCATION),
        ("exams", exams_post(("unt", "Maths", "1", "140"))),
        ("motivation", {"motivation": MOTIVATION}),
    ],
)
def test_steps_are_read_only_after_submission(client, applicant, cycle, offerings, step, data):
    application = ApplicationFactory(
        applicant=applicant,
        cycle=cycle,
        status=ApplicationStatus.SUBMITTED,
        reference="KZO-X-000001",
        submitted_at=timezone.now(),
        completed_steps=steps_done(7),
        motivation="original",
        education_institution="original",
    )
    ExamResultFactory(application=application, subject="original")
    response = client.post(step_url(step), data)
    assert response.status_code == 302
    assert response.url == step_url("review")
    application.refresh_from_db()
    assert application.motivation == "original"
    assert application.education_institution == "original"
    assert list(application.exam_results.values_list("subject", flat=True)) == ["original"]
    assert not application.choices.exists()
    review = client.get(step_url("review"))
    assert review.status_code == 200
    assert "can no longer be changed" in review.content.decode()
    assert 'name="consent"' not in review.content.decode()


def test_services_refuse_changes_after_submission(applicant, cycle, offerings):
    application = ApplicationFactory(
        applicant=applicant, cycle=cycle, status=ApplicationStatus.UNDER_REVIEW
    )
    with pytest.raises(DomainError, match="can no longer be changed"):
        application_save_motivation(
            application=application, scholarship_requested=True, motivation=MOTIVATION
        )


# --- Query budgets --------------------------------------------------------------------------
def _many(draft, cycle, count):
    for index in range(count):
        offering = OfferingFactory(cycle=cycle)
        if index < 3:
            ChoiceFactory(
                application=draft,
                offering=offering,
                priority=index + 1,
                language=LanguageFactory(code="ru"),
            )
        if index < 6:
            ExamResultFactory(application=draft)


@pytest.mark.parametrize("step", ["personal", "programs", "education", "exams", "motivation"])
@pytest.mark.parametrize("count", [1, 12])
def test_step_query_budget_is_the_same_for_few_and_many_rows(
    client, draft, cycle, django_assert_max_num_queries, step, count
):
    _many(draft, cycle, count)
    Application.objects.filter(pk=draft.pk).update(completed_steps=steps_done(6))
    with django_assert_max_num_queries(10):
        response = client.get(step_url(step))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 12])
def test_review_query_budget(client, draft, cycle, django_assert_max_num_queries, count):
    _many(draft, cycle, count)
    Application.objects.filter(pk=draft.pk).update(completed_steps=steps_done(6))
    # 13: the page reads the personal-data consent text in force (one query).
    with django_assert_max_num_queries(13):
        response = client.get(step_url("review"))
    assert response.status_code == 200

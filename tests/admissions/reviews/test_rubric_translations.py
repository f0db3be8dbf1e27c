"""The rubric speaks the reviewer's language: criteria are translated (kk/ru/en) in the review
form, the review's scores, the rubric admin (one tab per language) and the 0003 data step."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from admissions.enums import ApplicationStatus as S
from admissions.errors import DomainError
from admissions.models import RubricCriterion
from admissions.reviews.services import review_submit
from programs.selectors import cycle_get_open
from tests.admissions.staff_helpers import application_for, officer, reviewer, two_programs
from tests.factories import CycleFactory, ReviewFactory, RubricCriterionFactory, StaffFactory

pytestmark = pytest.mark.django_db

KNOWLEDGE = {"kk": "Пәнді білу", "ru": "Знание предмета", "en": "Subject knowledge"}


def url_in(language: str, name: str, *args) -> str:
    with translation.override(language):
        return reverse(name, args=args)


def translated_criterion(cycle, **kwargs):
    return RubricCriterionFactory(
        cycle=cycle,
        name_kk=KNOWLEDGE["kk"],
        name_ru=KNOWLEDGE["ru"],
        name_en=KNOWLEDGE["en"],
        description_kk="Бағдарлама пәнін қаншалықты білетіні.",
        description_ru="Насколько хорошо абитуриент знает предмет программы.",
        description_en="How well the applicant knows the program's subject.",
        **kwargs,
    )


@pytest.mark.parametrize(
    ("language", "names", "absent"),
    [
        ("kk", ["Академиялық үлгерім", "Тілді меңгеру", "Мотивация"], "Academic record"),
        ("ru", ["Академическая успеваемость", "Владение языком", "Мотивация"], "Academic record"),
        ("en", ["Academic record", "Language proficiency", "Motivation"], "Владение языком"),
    ],
)
def test_review_form_shows_the_seeded_rubric_in_the_page_language(client, language, names, absent):
    call_command("seed", stdout=io.StringIO())
    offering = cycle_get_open().offerings.select_related("program").first()
    application = application_for(offering, status=S.UNDER_REVIEW)
    client.force_login(reviewer(offering.program))

    page = client.get(url_in(language, "admin:admissions_application_review", application.pk))

    assert page.status_code == 200
    labels = [field.label for field in page.context["form"]][:3]
    assert labels == [names[2], names[0], names[1]]  # rubric order: position
    for name in names:
        assert name in page.text
    assert absent not in page.text


def test_review_form_shows_the_description_and_falls_back_to_russian(client):
    offering, _other = two_programs()
    described = translated_criterion(offering.cycle, position=1)
    # Only a Russian name: other languages fall back to it rather than showing nothing.
    russian_only = RubricCriterionFactory(
        cycle=offering.cycle, name_ru="Портфолио", name_en=None, name_kk=None, position=2
    )
    application = application_for(offering, status=S.UNDER_REVIEW)
    client.force_login(reviewer(offering.program))

    page = client.get(url_in("kk", "admin:admissions_application_review", application.pk))

    form = page.context["form"]
    assert form.fields[f"criterion_{described.pk}"].label == "Пәнді білу"
    assert (
        "Бағдарлама пәнін қаншалықты білетіні."
        in form.fields[f"criterion_{described.pk}"].help_text
    )
    assert form.fields[f"criterion_{russian_only.pk}"].label == "Портфолио"


def test_review_errors_name_the_criterion_in_the_active_language():
    offering, _other = two_programs()
    criterion = translated_criterion(offering.cycle)
    application = application_for(offering, status=S.UNDER_REVIEW)
    with translation.override("ru"), pytest.raises(DomainError) as refused:
        review_submit(
            application=application,
            reviewer=reviewer(offering.program),
            scores={criterion.pk: None},
        )
    assert "Знание предмета" in str(refused.value)


def test_review_page_lists_scores_by_criterion_in_the_page_language(client):
    offering, _other = two_programs()
    criterion = translated_criterion(offering.cycle)
    application = application_for(offering, status=S.UNDER_REVIEW)
    staff = officer()
    review = ReviewFactory(application=application, reviewer=StaffFactory(), score=Decimal("50"))
    review.scores.create(criterion=criterion, value=5)
    client.force_login(staff)

    for language in ("kk", "ru", "en"):
        page = client.get(url_in(language, "admin:admissions_review_change", review.pk))
        assert page.status_code == 200
        assert KNOWLEDGE[language] in page.text


def test_rubric_admin_edits_each_language_in_its_own_tab(client):
    offering, _other = two_programs()
    criterion = translated_criterion(offering.cycle)
    client.force_login(officer())

    page = client.get(url_in("ru", "admin:admissions_rubriccriterion_change", criterion.pk))

    assert page.status_code == 200
    for field in ("name_kk", "name_ru", "name_en", "description_kk", "description_ru"):
        assert f'name="{field}"' in page.text
    assert 'name="name"' not in page.text
    assert "jquery-ui-tabs.js" in page.text  # served locally, no CDN
    assert "code.jquery.com" not in page.text
    assert "modeltranslation" in page.text  # the tabs script and styles

    changelist = client.get(url_in("kk", "admin:admissions_rubriccriterion_changelist"))
    assert "Пәнді білу" in changelist.text
    client.force_login(reviewer(offering.program))
    read_only = client.get(url_in("kk", "admin:admissions_rubriccriterion_change", criterion.pk))
    assert read_only.status_code == 200  # a reviewer reads the rubric (view permission)
    assert "Пәнді білу" in read_only.text
    assert "Знание предмета" in read_only.text  # every language, read-only
    found = client.get(
        url_in("en", "admin:admissions_rubriccriterion_changelist"), {"q": "Знание"}
    )
    assert found.context["cl"].result_count == 1


def test_rubric_admin_saves_every_language(client):
    offering, _other = two_programs()
    client.force_login(officer())
    response = client.post(
        url_in("ru", "admin:admissions_rubriccriterion_add"),
        {
            "cycle": offering.cycle.pk,
            "name_kk": "Жобалық жұмыс",
            "name_ru": "Проектная работа",
            "name_en": "Project work",
            "description_kk": "Жоба сапасы.",
            "description_ru": "Качество проекта.",
            "description_en": "Quality of the project.",
            "weight": "0.5",
            "max_score": "10",
            "position": "4",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].errors
    saved = RubricCriterion.objects.get()
    assert (saved.name_kk, saved.name_ru, saved.name_en) == (
        "Жобалық жұмыс",
        "Проектная работа",
        "Project work",
    )
    assert saved.description_en == "Quality of the project."


def test_rubric_admin_refuses_a_criterion_without_a_russian_name(client):
    offering, _other = two_programs()
    client.force_login(officer())
    response = client.post(
        url_in("en", "admin:admissions_rubriccriterion_add"),
        {
            "cycle": offering.cycle.pk,
            "name_en": "Project work",
            "weight": "0.5",
            "max_score": "10",
            "position": "4",
        },
    )
    assert response.status_code == 200
    assert "name_ru" in response.context["adminform"].form.errors
    assert not RubricCriterion.objects.exists()


def _migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_migration_fills_every_language_of_existing_criteria(request):
    # Later migrations exist: leave the schema at the latest one for the tests that follow.
    request.addfinalizer(_migrate_to_latest)
    executor = MigrationExecutor(connection)
    before = [("admissions", "0002_verbose_names")]
    after = [("admissions", "0003_rubric_translations")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    cycle_model = old_apps.get_model("programs", "AdmissionCycle")
    criterion_model = old_apps.get_model("admissions", "RubricCriterion")
    cycle = cycle_model.objects.get(pk=CycleFactory().pk)
    seeded = criterion_model.objects.create(
        cycle=cycle,
        name="Academic record",
        description="Grades and achievements of the prior education, relevant to the program.",
    )
    edited = criterion_model.objects.create(
        cycle=cycle, name="Motivation", description="Our own wording."
    )
    custom = criterion_model.objects.create(cycle=cycle, name="Portfolio", description="")
    # After a round trip (0003 unapplied, then applied again) `name` holds the Russian text.
    russian = criterion_model.objects.create(
        cycle=cycle,
        name="Владение языком",
        description="Уровень владения выбранным языком обучения.",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new_apps = executor.loader.project_state(after).apps
    rows = {
        row["id"]: row
        for row in new_apps.get_model("admissions", "RubricCriterion").objects.values()
    }

    assert (
        rows[seeded.pk]["name_kk"],
        rows[seeded.pk]["name_ru"],
        rows[seeded.pk]["name_en"],
    ) == (
        "Академиялық үлгерім",
        "Академическая успеваемость",
        "Academic record",
    )
    assert rows[seeded.pk]["description_ru"].startswith("Оценки и достижения")
    assert rows[edited.pk]["name_ru"] == "Мотивация"
    assert {rows[edited.pk][f"description_{code}"] for code in ("kk", "ru", "en")} == {
        "Our own wording."
    }
    assert {rows[custom.pk][f"name_{code}"] for code in ("kk", "ru", "en")} == {"Portfolio"}
    assert {rows[custom.pk][f"description_{code}"] for code in ("kk", "ru", "en")} == {""}
    assert (rows[russian.pk]["name_kk"], rows[russian.pk]["name_en"]) == (
        "Тілді меңгеру",
        "Language proficiency",
    )
    assert rows[russian.pk]["description_en"] == "Command of the chosen language of instruction."

"""`manage.py seed`: the catalogue the portal starts with, and that a rerun changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone, translation

from admissions.models import RubricCriterion
from admissions.scholarships.awards import fund_accepts_applicant
from programs.models import AdmissionCycle, Field, Language, Offering, Program, ScholarshipFund
from programs.selectors import cycle_get_open
from tests.factories import CycleFactory

pytestmark = pytest.mark.django_db

KAZAKH_LETTERS = set("әғқңөұүһі")


def seed() -> str:
    out = StringIO()
    call_command("seed", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Every row (and every many-to-many link) the seed writes, with all its values."""
    state = {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Language, Field, Program, AdmissionCycle, Offering, ScholarshipFund)
    }
    state["RubricCriterion"] = list(RubricCriterion.objects.order_by("pk").values())
    state["Program.languages"] = list(
        Program.languages.through.objects.order_by("pk").values_list("program_id", "language_id")
    )
    return state


def test_second_run_changes_nothing():
    seed()
    first = snapshot()
    output = seed()
    assert snapshot() == first
    assert "nothing to change" in output


def test_rerun_restores_edited_catalogue_values():
    seed()
    Program.objects.filter(slug="customs-master").update(title_kk="edited")
    output = seed()
    assert Program.objects.get(slug="customs-master").title_kk == "Кеден ісі"
    assert "program customs-master: updated (title_kk)" in output


def test_seed_prints_progress():
    output = seed()
    assert "Languages" in output
    assert "program international-law-bachelor: created" in output
    assert "Seed complete" in output


def test_six_programs_with_titles_and_descriptions_in_three_languages():
    seed()
    programs = Program.objects.all()
    assert programs.count() == 6
    assert set(programs.values_list("level", flat=True)) == {"bachelor", "master"}
    for program in programs:
        titles = {program.title_kk, program.title_ru, program.title_en}
        assert len(titles) == 3, program.slug  # really translated, not copied
        for code in ("kk", "ru", "en"):
            assert len(getattr(program, f"description_{code}")) > 200, (program.slug, code)
        assert KAZAKH_LETTERS & set(program.description_kk), program.slug
        assert not program.is_dual_degree
        assert program.duration_years == (4 if program.level == "bachelor" else 2)
    titles_en = set(programs.values_list("title_en", flat=True))
    assert titles_en == {"International Law", "Kazakh Philology", "Customs"}


def test_languages_of_instruction_per_program():
    seed()

    def codes(slug):
        return {lang.code for lang in Program.objects.get(slug=slug).languages.all()}

    assert codes("international-law-master") == {"kk", "ru", "en"}
    assert codes("kazakh-philology-bachelor") == {"kk", "ru"}
    assert codes("customs-bachelor") == {"ru", "kk"}
    assert Language.objects.get(code="kk").name_kk == "Қазақ тілі"


def test_cycle_2025_keeps_its_announced_dates_and_200_scholarships():
    seed()
    cycle = AdmissionCycle.objects.get(code="2025")
    local_open = timezone.localtime(cycle.opens_at)
    assert (local_open.date().isoformat(), local_open.hour) == ("2025-09-01", 0)
    assert str(local_open.tzinfo) == "Asia/Omsk"
    assert cycle.closes_at < cycle.results_at
    assert cycle.offer_response_days == 7
    assert cycle.scholarship_total == 200
    funds = {fund.government.code: fund for fund in cycle.funds.all()}
    assert {code: fund.seats for code, fund in funds.items()} == {"KZ": 100, "RU": 100}
    assert funds["KZ"].name_en == "Government of the Republic of Kazakhstan"
    assert funds["RU"].name_kk == "Ресей Федерациясының Үкіметі"
    assert fund_accepts_applicant(funds["KZ"], "KZ")
    assert not fund_accepts_applicant(funds["KZ"], "RU")
    assert fund_accepts_applicant(funds["RU"], "RU")
    assert cycle.offerings.count() == 6
    assert cycle.offerings.aggregate(total=Sum("scholarship_seats"))["total"] >= 200


def test_next_cycle_opens_today_once():
    seed()
    seed()
    assert AdmissionCycle.objects.count() == 2
    open_cycle = cycle_get_open()
    assert open_cycle is not None
    assert open_cycle.code == "2026"
    assert timezone.localtime(open_cycle.opens_at).date() == timezone.localdate()
    assert 80 <= (open_cycle.closes_at - open_cycle.opens_at).days <= 100
    assert open_cycle.offerings.count() == 6
    assert open_cycle.funds.aggregate(total=Sum("seats"))["total"] == 200


def test_no_next_cycle_when_one_is_already_open():
    CycleFactory(code="2031")
    seed()
    assert set(AdmissionCycle.objects.values_list("code", flat=True)) == {"2025", "2031"}


def test_no_next_cycle_while_cycle_2025_is_open():
    with time_machine.travel(datetime(2025, 10, 1, 6, 0, tzinfo=UTC), tick=False):
        seed()
        assert list(AdmissionCycle.objects.values_list("code", flat=True)) == ["2025"]


def test_default_rubric_for_each_seeded_cycle_and_kept_when_edited():
    seed()
    for cycle in AdmissionCycle.objects.all():
        criteria = list(cycle.rubric.all())
        assert [c.name for c in criteria] == [
            "Motivation",
            "Academic record",
            "Language proficiency",
        ]
        assert sum(c.weight for c in criteria) == 1
    RubricCriterion.objects.filter(name_en="Motivation").update(max_score=20)
    seed()
    assert RubricCriterion.objects.count() == 6
    assert set(
        RubricCriterion.objects.filter(name_en="Motivation").values_list("max_score", flat=True)
    ) == {20}


def test_seeded_rubric_is_written_in_kazakh_russian_and_english():
    seed()
    criteria = list(RubricCriterion.objects.filter(cycle__code="2025"))
    assert [(c.name_kk, c.name_ru, c.name_en) for c in criteria] == [
        ("Мотивация", "Мотивация", "Motivation"),
        ("Академиялық үлгерім", "Академическая успеваемость", "Academic record"),
        ("Тілді меңгеру", "Владение языком", "Language proficiency"),
    ]
    for criterion in criteria:
        kk, ru, en = criterion.description_kk, criterion.description_ru, criterion.description_en
        assert kk and ru and en
        assert len({kk, ru, en}) == 3
        assert set(kk.lower()) & KAZAKH_LETTERS, kk
        assert set(ru.lower()) & set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя"), ru
        assert not set(ru.lower()) & KAZAKH_LETTERS, ru
        assert en.isascii(), en
        assert kk.endswith(".") and ru.endswith(".") and en.endswith(".")  # one sentence each
        # The untranslated attribute follows the active language.
        with translation.override("kk"):
            assert criterion.name == criterion.name_kk
        with translation.override("ru"):
            assert criterion.description == ru

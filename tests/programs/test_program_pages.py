"""A program page answers an applicant's questions: the documents its level requires (from
the one rule, admissions/documents/requirements.py), the entrance exams and their scales,
the pass mark on each exam's own scale, funded / scholarship / paid places and the admissions
office's contacts; a change of any of these reaches the cached page; the query count stays
flat."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from admissions.documents import requirements
from admissions.enums import DocumentKind
from admissions.models import AdmissionsOffice
from programs.models import Exam, OfferingExam
from tests.factories import CycleFactory, LanguageFactory, OfferingFactory, ProgramFactory

pytestmark = pytest.mark.django_db


def page(client, program, language="en") -> str:
    response = client.get(f"/{language}/programs/{program.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def exam(code="unt", name="UNT", max_score="140", **names) -> Exam:
    return Exam.objects.create(
        code=code, name=name, name_en=name, max_score=Decimal(max_score), **names
    )


def office(**overrides) -> AdmissionsOffice:
    values = {
        "name_en": "Admissions office, KazNU branch in Omsk",
        "name_ru": "Приёмная комиссия филиала КазНУ в Омске",
        "address_en": "55a Mira Avenue, Omsk",
        "address_ru": "пр. Мира, 55а, Омск",
        "phone": "+7 3812 67-04-52",
        "email": "priem@kaznu-omsk.example",
        "opening_hours_en": "Mon–Fri 9:00–18:00",
        **overrides,
    }
    return AdmissionsOffice.objects.create(**values)


@pytest.fixture
def offering():
    program = ProgramFactory(level="bachelor", slug="law-b", title_en="International Law")
    program.languages.set([LanguageFactory(code="ru"), LanguageFactory(code="en")])
    return OfferingFactory(
        program=program, cycle=CycleFactory(), seats=50, scholarship_seats=45, paid_seats=25
    )


def test_documents_of_the_level_come_from_the_one_rule(client, offering):
    master = ProgramFactory(level="master", slug="law-m")
    master.languages.set([LanguageFactory(code="kk")])
    OfferingFactory(program=master, cycle=offering.cycle)
    bachelor_page, master_page = page(client, offering.program), page(client, master)
    transcript = str(DocumentKind.TRANSCRIPT.label)
    certificate = str(DocumentKind.LANGUAGE_CERTIFICATE.label)
    for always in (DocumentKind.IDENTITY, DocumentKind.EDUCATION, DocumentKind.PHOTO):
        assert str(always.label) in bachelor_page and str(always.label) in master_page
    assert transcript in master_page and transcript not in bachelor_page
    # Required only for English-taught studies, and said so.
    condition = '<span class="text-body-secondary">(for the language of instruction: English)'
    assert f"{certificate} {condition}" in bachelor_page
    assert certificate not in master_page  # taught in Kazakh only


def test_a_changed_document_rule_changes_the_page(client, offering, monkeypatch):
    monkeypatch.setattr(
        requirements,
        "DOCUMENT_RULES",
        (
            *requirements.DOCUMENT_RULES[:3],
            requirements.DocumentRule(kind="transcript", always=True),
        ),
    )
    assert str(DocumentKind.TRANSCRIPT.label) in page(client, offering.program)


def test_exams_their_scales_and_the_pass_mark_on_each_scale(client, offering):
    OfferingExam.objects.create(
        offering=offering, exam=exam(), minimum_score=Decimal("65"), position=1
    )
    OfferingExam.objects.create(
        offering=offering, exam=exam("ielts", "IELTS", "9"), minimum_score=None, position=2
    )
    content = page(client, offering.program)
    assert "UNT" in content and "out of 140" in content
    assert "IELTS" in content and "out of 9" in content
    assert "65" in content
    # Pass mark 50 of 100 (the ranking scale) is 70 of 140 on the UNT's own scale.
    assert "70 of 140 (50 of 100)" in content
    assert "4.5 of 9 (50 of 100)" in content
    assert "UNT: 70 of 140" in content


def test_pass_mark_follows_the_offering(client, offering):
    offering.pass_mark = Decimal("60")
    offering.save()
    OfferingExam.objects.create(offering=offering, exam=exam())
    assert "84 of 140 (60 of 100)" in page(client, offering.program)


def test_funded_scholarship_and_paid_places(client, offering):
    content = page(client, offering.program)
    assert (
        '<span class="stat-value">50</span><span class="stat-label">funded places</span>'
        in content
    )
    assert (
        '<span class="stat-value">45</span><span class="stat-label">scholarship places</span>'
        in (content)
    )
    assert (
        '<span class="stat-value">25</span><span class="stat-label">paid places</span>' in content
    )


@pytest.mark.parametrize(
    ("language", "name", "address"),
    [
        ("en", "Admissions office, KazNU branch in Omsk", "55a Mira Avenue, Omsk"),
        ("ru", "Приёмная комиссия филиала КазНУ в Омске", "пр. Мира, 55а, Омск"),
    ],
)
def test_the_office_contacts_are_on_the_program_page_and_in_the_footer(
    client, offering, language, name, address
):
    office()
    content = page(client, offering.program, language)
    assert content.count(name) == 2  # the aside and the footer
    assert address in content
    assert 'href="tel:+73812670452"' in content
    assert 'href="mailto:priem@kaznu-omsk.example"' in content


def test_without_an_office_the_page_has_no_empty_contacts(client, offering):
    content = page(client, offering.program)
    assert "office-contacts" not in content
    assert "Questions? The admissions office" not in content


def test_a_changed_exam_or_office_reaches_the_cached_page(
    client, offering, django_assert_num_queries
):
    required = OfferingExam.objects.create(offering=offering, exam=exam())
    office()
    first = page(client, offering.program)
    assert "out of 140" in first
    with django_assert_num_queries(0):  # served from the page cache
        page(client, offering.program)
    required.exam.max_score = Decimal("150")
    required.exam.save()
    assert "out of 150" in page(client, offering.program)
    required.minimum_score = Decimal("75")
    required.save()
    assert "75" in page(client, offering.program)
    contacts = AdmissionsOffice.objects.get()
    contacts.phone = "+7 3812 99-99-99"
    contacts.save()
    assert "+7 3812 99-99-99" in page(client, offering.program)
    required.delete()
    assert "out of 150" not in page(client, offering.program)


def test_a_minimum_above_the_exams_maximum_is_refused(offering):
    with pytest.raises(ValidationError, match="cannot exceed"):
        OfferingExam(offering=offering, exam=exam(), minimum_score=Decimal("141")).full_clean()


@pytest.mark.parametrize("count", [1, 8])
def test_program_page_query_count_is_flat(client, offering, django_assert_max_num_queries, count):
    office()
    for index in range(count):
        OfferingExam.objects.create(
            offering=offering, exam=exam(f"exam-{index}", f"Exam {index}"), position=index
        )
    with django_assert_max_num_queries(8):
        content = page(client, offering.program)
    assert f"Exam {count - 1}" in content

"""Numbers, dates, plurals and agreement follow the page's language: decimal comma and
narrow no-break space in kk and ru, lower-case Kazakh months inside dates, one style per
kind of date on pages and in mail, singular nouns after numerals in Kazakh, Russian
adjectives agreeing with their noun, exam names with local abbreviations."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.template.defaultfilters import filesizeformat, floatformat
from django.urls import reverse
from django.utils import formats, timezone, translation

from admissions.documents.labels import document_kind_word
from admissions.enums import ExamKind
from admissions.templatetags.mail_tags import local_date, local_datetime
from tests.factories import OfferingFactory

NNBSP = "\u202f"  # narrow no-break space


@pytest.mark.parametrize(
    ("language", "grade", "size", "big"),
    [
        ("kk", "4,60", "10,0 МБ", f"1{NNBSP}234{NNBSP}567"),
        ("ru", "4,60", "10,0 МБ", f"1{NNBSP}234{NNBSP}567"),
        ("en", "4.60", "10.0 MB", "1,234,567"),
    ],
)
def test_numbers_are_written_the_local_way(language, grade, size, big):
    with translation.override(language):
        assert formats.localize(Decimal("4.60")) == grade
        assert floatformat(Decimal("4.6"), 2) == grade
        assert filesizeformat(10 * 1024 * 1024) == size.replace(" ", "\xa0")
        assert formats.number_format(1234567, force_grouping=True) == big


@pytest.mark.parametrize(
    ("language", "date", "moment"),
    [
        ("kk", "28 ақпан 2027 ж.", "28 ақпан 2027 ж., 18:00"),
        ("ru", "28 февраля 2027 г.", "28 февраля 2027 г., 18:00"),
        ("en", "28 February 2027", "28 February 2027, 18:00"),
    ],
)
def test_one_date_style_per_kind_on_pages_and_in_mail(language, date, moment):
    when = timezone.make_aware(datetime(2027, 2, 28, 18, 0))  # Omsk time
    with translation.override(language):
        assert formats.date_format(when.date(), "DATE_FORMAT") == date
        assert formats.date_format(timezone.localtime(when), "DATETIME_FORMAT") == moment
        # Mail gets ISO strings; they come out exactly as on the pages.
        assert local_date(when.isoformat()) == date
        assert local_datetime(when.isoformat()) == moment


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "seats", "scholarships", "paid"),
    [
        ("kk", "қаржыландырылатын орын", "стипендиялық орын", "ақылы орын"),
        ("ru", "финансируемых мест", "стипендиальных мест", "платных мест"),
    ],
)
def test_nouns_after_numerals_on_the_program_page(client, language, seats, scholarships, paid):
    offering = OfferingFactory(seats=50, scholarship_seats=45, paid_seats=25)
    with translation.override(language):
        url = reverse("programs:detail", kwargs={"slug": offering.program.slug})
    page = client.get(url).content.decode()
    assert f">{seats}<" in page and f">{scholarships}<" in page and f">{paid}<" in page
    assert "орындар" not in page


def test_russian_words_agree_with_the_document_kind():
    with translation.override("ru"):
        assert document_kind_word("photo", "required") == "обязательна"
        assert document_kind_word("identity", "required") == "обязателен"
        assert document_kind_word("other", "optional") == "необязательно"
        assert document_kind_word("transcript", "verified") == "Проверена"
    with translation.override("kk"):
        assert document_kind_word("photo", "required") == "міндетті"


@pytest.mark.parametrize(
    ("language", "abbreviation"), [("kk", "(ҰБТ)"), ("ru", "(ЕНТ)"), ("en", "(UNT/ENT)")]
)
def test_exam_abbreviations_are_local(language, abbreviation):
    with translation.override(language):
        assert str(ExamKind.UNT.label).endswith(abbreviation)

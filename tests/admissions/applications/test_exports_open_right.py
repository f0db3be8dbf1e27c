"""Exports that open right in a spreadsheet: the separator of the staff member's language,
typed XLSX cells, one column per choice, exams, documents and ranking score, and no
formula ever executed from an applicant's text."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from admissions.applications.exports import neutralise_formula
from tests.admissions.staff_helpers import application_for, officer, two_programs
from tests.factories import (
    ApplicantProfileFactory,
    DocumentFactory,
    ExamResultFactory,
    ReviewFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

EXPORT = "admin:admissions_application_export"
ATTACK = "=cmd|'/Ccalc'!A0"
PHONE = "+7 701 123 4567"  # how the profile writes +77011234567


@pytest.fixture
def alice():
    offering, other = two_programs()
    application = application_for(
        offering,
        profile=ApplicantProfileFactory(
            user=UserFactory(email=f"{ATTACK}@example.org"),
            last_name_native="Сейтқали",
            first_name_native="Айгерім; Ай",  # a separator inside a value
            patronymic_native="+SUM(1,2)",
            phone="+77011234567",
            birth_date=dt.date(2007, 3, 9),
        ),
    )
    from tests.factories import ChoiceFactory, LanguageFactory

    ChoiceFactory(
        application=application, offering=other, priority=2, language=LanguageFactory(code="en")
    )
    ExamResultFactory(
        application=application, exam="unt", subject="@Math", score=120, max_score=140
    )
    ReviewFactory(application=application, score=Decimal("80.00"))
    DocumentFactory(application=application, kind="identity")
    application.submitted_at = dt.datetime(2026, 7, 1, 6, 30, tzinfo=dt.UTC)
    application.save(update_fields=["submitted_at"])
    return application


def export(client, language, export_format, **params):
    client.force_login(officer())
    with translation.override(language):
        url = reverse(EXPORT)
    return client.get(url, {"_format": export_format, **params})


@pytest.mark.parametrize(("language", "delimiter"), [("ru", ";"), ("kk", ";"), ("en", ",")])
def test_csv_has_one_column_per_field_with_the_languages_separator(
    client, alice, language, delimiter
):
    response = export(client, language, "csv")
    assert response.content.startswith("\ufeff".encode())
    text = response.content.decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert len(header) > 10
    assert rows and all(len(row) == len(header) for row in rows)
    record = dict(zip(header, rows[0], strict=True))
    with translation.override(language):
        first_name = translation.gettext("First name")
        submitted = translation.gettext("Submitted")
    assert record[first_name] == "Айгерім; Ай"
    assert record[submitted] == "2026-07-01 12:30"
    # Every field is a quoted string (the phone too).
    assert f'"{PHONE}"{delimiter}' in text


def test_csv_numbers_use_the_decimal_mark_of_the_language(client, alice):
    ru = dict(zip(*parse_csv(export(client, "ru", "csv"), ";"), strict=True))
    en = dict(zip(*parse_csv(export(client, "en", "csv"), ","), strict=True))
    with translation.override("ru"):
        review = translation.gettext("Review mean")
    assert ru[review] == "80,00"
    assert en["Review mean"] == "80.00"


def parse_csv(response, delimiter):
    header, first, *_rest = list(
        csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=delimiter)
    )
    return header, first


def test_csv_columns_per_choice_exams_documents_and_ranking_score(client, alice):
    header, row = parse_csv(export(client, "en", "csv"), ",")
    record = dict(zip(header, row, strict=True))
    offerings = [c.offering for c in alice.choices.order_by("priority")]
    assert record["Program, priority 1"] == f"{offerings[0].program} (ru)"
    assert record["Program, priority 2"] == f"{offerings[1].program} (en)"
    assert record["Program, priority 3"] == ""
    assert record["Exam results"] == "Unified National Testing (UNT/ENT) @Math: 120/140"
    assert record["Exam score"] == "85.71"
    # 0.70 * 85.71 + 0.30 * 80 (the cycle's weights)
    assert record["Ranking score"] == "84.00"
    assert record["Documents"] == "Awaiting verification"
    assert record["Citizenship"] == "Kazakhstan"
    assert record["Date of birth"] == "2007-03-09"


def test_csv_neutralises_formulas_in_every_column_but_keeps_phone_numbers(client, alice):
    header, row = parse_csv(export(client, "en", "csv"), ",")
    record = dict(zip(header, row, strict=True))
    assert record["E-mail"] == f"'{ATTACK}@example.org"
    assert record["Patronymic"] == "'+SUM(1,2)"
    assert record["Phone"] == PHONE
    for value in row:
        assert not value.startswith(("=", "@", "\t", "\r")), value
        assert not value.startswith(("+", "-")) or value == PHONE, value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("+77011234567", "+77011234567"),
        ("+7 (701) 123-45-67", "+7 (701) 123-45-67"),
        ("-12.5", "-12.5"),
        ("Сейтқали", "Сейтқали"),
        ("", ""),
    ],
)
def test_neutralise_formula(value, expected):
    assert neutralise_formula(value) == expected


def workbook(response):
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    return header, dict(zip(header, sheet[2], strict=True))


def test_xlsx_has_date_and_number_cells(client, alice):
    _header, cells = workbook(export(client, "ru", "xlsx"))
    with translation.override("ru"):
        submitted = cells[translation.gettext("Submitted")]
        birth = cells[translation.gettext("Date of birth")]
        score = cells[translation.gettext("Ranking score")]
        exam = cells[translation.gettext("Exam score")]
    assert submitted.is_date and submitted.value == dt.datetime(2026, 7, 1, 12, 30)
    assert birth.is_date and birth.value.date() == dt.date(2007, 3, 9)
    assert score.data_type == "n" and score.value == pytest.approx(84.0)
    assert exam.data_type == "n" and exam.value == pytest.approx(85.71)


def test_xlsx_never_writes_a_formula_and_keeps_phones_as_text(client, alice):
    _header, cells = workbook(export(client, "en", "xlsx"))
    assert all(cell.data_type != "f" for cell in cells.values())
    email = cells["E-mail"]
    assert email.value == f"{ATTACK}@example.org"  # as typed...
    assert email.data_type == "s" and email.quotePrefix  # ...as text, never evaluated
    assert cells["Patronymic"].quotePrefix
    phone = cells["Phone"]
    assert phone.value == PHONE and phone.data_type == "s"


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_export_queries_stay_fixed_from_5_to_400_rows(client, export_format):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.admissions.staff_helpers import bulk_applications
    from tests.factories import OfferingFactory

    offering = OfferingFactory()
    client.force_login(officer())
    url = reverse(EXPORT)
    counts = []
    client.get(url, {"_format": export_format})  # reads the list filters' options, kept after
    for added in (5, 395):
        bulk_applications(added, offering, prefix=f"Q{added}")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"_format": export_format})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]

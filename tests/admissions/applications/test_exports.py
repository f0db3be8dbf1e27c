"""Export of the filtered changelist to CSV and XLSX, without what the role may not see."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from tests.admissions.staff_helpers import application_for, officer, reviewer, two_programs
from tests.factories import ApplicantProfileFactory

pytestmark = pytest.mark.django_db

EXPORT = "admin:admissions_application_export"


DELIMITERS = {"en": ",", "ru": ";", "kk": ";"}


def parse(response, language="en"):
    assert response.status_code == 200
    if response["Content-Type"].startswith("text/csv"):
        assert response["Content-Disposition"].endswith('.csv"')
        text = response.content.decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text), delimiter=DELIMITERS[language]))
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [
        ["" if cell is None else str(cell) for cell in row]
        for row in sheet.iter_rows(values_only=True)
    ]


@pytest.fixture
def data():
    mine, other = two_programs()
    alice = application_for(
        mine,
        profile=ApplicantProfileFactory(
            last_name_native="Алиева", last_name_latin="Aliyeva", identifier="IDALIYEVA1"
        ),
        scholarship_requested=True,
    )
    bob = application_for(
        other,
        profile=ApplicantProfileFactory(
            last_name_native="Бобров", last_name_latin="Bobrov", identifier="IDBOBROV22"
        ),
    )
    return mine, other, alice, bob


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_officer_exports_the_filtered_list_with_all_columns(client, data, export_format):
    mine, _other, alice, bob = data
    client.force_login(officer())
    with translation.override("en"):
        url = reverse(EXPORT)
    rows = parse(client.get(url, {"_format": export_format, "program": mine.program.pk}))
    header, *body = rows
    assert header[:2] == ["Reference", "Last name"]
    assert {
        "Identifier number",
        "E-mail",
        "Phone",
        "Status",
        "Review mean",
        "Ranking score",
    } <= set(header)
    assert len(body) == 1
    record = dict(zip(header, body[0], strict=True))
    assert record["Reference"] == alice.reference
    assert record["Last name"] == "Алиева"
    assert record["Identifier number"] == "IDALIYEVA1"
    assert record["E-mail"] == alice.applicant.email
    assert record["Status"] == "Submitted"
    assert record["Scholarship requested"] == "yes"
    assert bob.reference not in str(rows)
    # The search box is honoured too.
    rows = parse(client.get(url, {"_format": export_format, "q": "Bobrov"}))
    assert [row[0] for row in rows[1:]] == [bob.reference]


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_reviewer_export_has_no_national_id_or_contact_data(client, data, export_format):
    mine, _other, alice, bob = data
    client.force_login(reviewer(mine.program))
    with translation.override("en"):
        rows = parse(client.get(reverse(EXPORT), {"_format": export_format}))
    header, *body = rows
    assert "Identifier number" not in header and "E-mail" not in header and "Phone" not in header
    flat = str(rows)
    assert "IDALIYEVA1" not in flat and alice.applicant.email not in flat
    assert "Алиева" in flat  # not blind
    assert [row[0] for row in body] == [alice.reference]  # only their program
    assert bob.reference not in flat


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_blind_reviewer_export_has_no_names(client, data, export_format):
    mine, _other, alice, _bob = data
    client.force_login(reviewer(mine.program, blind=True))
    with translation.override("en"):
        rows = parse(client.get(reverse(EXPORT), {"_format": export_format}))
    flat = str(rows)
    assert "Алиева" not in flat and "Aliyeva" not in flat
    assert "Last name" not in rows[0]
    assert rows[1][0] == alice.reference


def test_headers_are_in_the_staff_members_language(client, data):
    client.force_login(officer())
    for language in ("en", "ru", "kk"):
        with translation.override(language):
            url = reverse(EXPORT)
            expected = translation.gettext("Reference")
        assert url.startswith(f"/{language}/")
        rows = parse(client.get(url, {"_format": "csv"}), language)
        assert rows[0][0] == expected


def test_unknown_format_is_404(client, data):
    client.force_login(officer())
    assert client.get(reverse(EXPORT), {"_format": "pdf"}).status_code == 404


def test_export_refused_to_staff_without_a_role(client, data):
    from tests.factories import StaffFactory

    client.force_login(StaffFactory())
    assert client.get(reverse(EXPORT), {"_format": "csv"}).status_code == 403


# --- django-import-export: the resource, the language, the file formats, the query budget ---


def resource_columns(user):
    from admissions.applications.exports import ApplicationExportResource

    with translation.override("en"):
        return ApplicationExportResource(user=user).get_export_headers()


def test_resource_columns_follow_the_role(data):
    mine, _other, _alice, _bob = data
    everything = resource_columns(officer())
    assert everything[:5] == [
        "Reference",
        "Last name",
        "First name",
        "Patronymic",
        "Name (Latin letters)",
    ]
    assert {"Identifier", "Identifier number", "E-mail", "Phone"} <= set(everything)
    seeing = resource_columns(reviewer(mine.program))
    assert "Last name" in seeing
    assert not {"Identifier", "Identifier number", "E-mail", "Phone"} & set(seeing)
    blind = resource_columns(reviewer(mine.program, blind=True))
    assert not {"Last name", "First name", "Patronymic", "Name (Latin letters)"} & set(blind)
    assert "Date of birth" not in blind
    assert blind[0] == "Reference" and "Program, priority 1" in blind


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_headers_and_values_in_russian_under_ru(client, data, export_format):
    mine, _other, alice, _bob = data
    client.force_login(officer())
    with translation.override("ru"):
        url = reverse(EXPORT)
    assert url.startswith("/ru/")
    header, *body = parse(
        client.get(url, {"_format": export_format, "program": mine.program.pk}), "ru"
    )
    assert header[:2] == ["Номер заявки", "Фамилия"]
    assert {
        "Номер идентификатора",
        "Электронная почта",
        "Статус",
        "Средний балл рецензий",
        "Рейтинговый балл",
    } <= set(header)
    record = dict(zip(header, body[0], strict=True))
    assert record["Номер заявки"] == alice.reference
    assert record["Запрошена стипендия"] == "да"


def test_csv_starts_with_a_byte_order_mark(client, data):
    client.force_login(officer())
    response = client.get(reverse(EXPORT), {"_format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())


def test_xlsx_is_a_workbook_openpyxl_reads(client, data):
    _mine, _other, alice, bob = data
    client.force_login(officer())
    with translation.override("ru"):
        response = client.get(reverse(EXPORT), {"_format": "xlsx"})
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert sheet.title == "Заявки"
    references = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert references == {alice.reference, bob.reference}


def test_values_score_programs_and_omsk_time(client, data):
    import datetime as dt

    from tests.factories import ChoiceFactory, LanguageFactory, ReviewFactory

    mine, other, alice, _bob = data
    ChoiceFactory(
        application=alice, offering=other, priority=2, language=LanguageFactory(code="en")
    )
    ReviewFactory(application=alice, score=80)
    ReviewFactory(application=alice, score=91)
    alice.submitted_at = dt.datetime(2025, 7, 1, 6, 30, tzinfo=dt.UTC)
    alice.save(update_fields=["submitted_at"])
    client.force_login(officer())
    with translation.override("en"):
        url = reverse(EXPORT)
    header, *body = parse(client.get(url, {"_format": "csv", "program": mine.program.pk}))
    record = dict(zip(header, body[0], strict=True))
    from admissions.scholarships.scoring import application_ranking_score

    assert record["Review mean"] == "85.50"
    # The ranking's own formula, not the review mean under another name.
    ranking = application_ranking_score(application=alice)
    assert float(record["Ranking score"]) == float(ranking) != 85.5
    assert record["Program, priority 1"] == f"{mine.program} (ru)"
    assert record["Program, priority 2"] == f"{other.program} (en)"
    assert record["Program, priority 3"] == ""
    assert record["Submitted"] == "2025-07-01 12:30"  # Asia/Omsk, UTC+6
    assert record["Identifier"] == alice.applicant.applicant_profile.get_identifier_kind_display()


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_export_queries_do_not_grow_with_the_rows(client, export_format):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.admissions.staff_helpers import bulk_applications
    from tests.factories import OfferingFactory

    offering = OfferingFactory()
    client.force_login(officer())
    url = reverse(EXPORT)

    def queries_and_rows():
        with CaptureQueriesContext(connection) as queries:
            rows = parse(client.get(url, {"_format": export_format}))
        return len(queries), len(rows) - 1

    bulk_applications(3, offering, prefix="FEW")
    queries_and_rows()  # the first export also reads the list filters' options, kept after
    few, rows = queries_and_rows()
    assert rows == 3
    bulk_applications(57, offering, prefix="MANY")
    many, rows = queries_and_rows()
    assert rows == 60
    assert many == few


def test_the_export_reads_neither_the_lists_page_nor_its_count(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.admissions.staff_helpers import bulk_applications
    from tests.factories import OfferingFactory

    client.force_login(officer())
    bulk_applications(60, OfferingFactory())
    with CaptureQueriesContext(connection) as queries:
        rows = parse(client.get(reverse(EXPORT), {"_format": "csv"}))
    assert len(rows) == 61  # the header and every application, not a page of fifty
    sqls = [query["sql"].upper() for query in queries.captured_queries]
    assert not [sql for sql in sqls if "COUNT(" in sql or "LIMIT 50" in sql]

"""Public pages in kk/ru/en: home, program list with filters, detail, 404s, language switch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from tests.factories import (
    CycleFactory,
    FieldFactory,
    FundFactory,
    LanguageFactory,
    OfferingFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("seed", stdout=StringIO())


def html(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    ("language", "titles"),
    [
        ("kk", ["Халықаралық құқық", "Қазақ филологиясы", "Кеден ісі"]),
        ("ru", ["Международное право", "Казахская филология", "Таможенное дело"]),
        ("en", ["International Law", "Kazakh Philology", "Customs"]),
    ],
)
def test_program_list_shows_titles_in_the_page_language(client, seeded, language, titles):
    response = client.get(f"/{language}/programs/")
    assert response.status_code == 200
    content = html(response)
    assert f'<html lang="{language}">' in content
    for title in titles:
        assert content.count(title) >= 2  # bachelor's and master's


def test_program_list_shows_six_programs(client, seeded):
    response = client.get("/en/programs/")
    assert len(response.context["programs"]) == 6
    assert html(response).count('class="card h-100 program-card') == 6


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "level=master",
            {"international-law-master", "kazakh-philology-master", "customs-master"},
        ),
        ("field=customs", {"customs-bachelor", "customs-master"}),
        ("language=en", {"international-law-bachelor", "international-law-master"}),
        ("level=bachelor&field=kazakh-philology&language=kk", {"kazakh-philology-bachelor"}),
        ("level=master&field=customs&language=en", set()),
    ],
)
def test_program_list_filters(client, seeded, query, expected):
    response = client.get(f"/en/programs/?{query}")
    assert response.status_code == 200
    assert {program.slug for program in response.context["programs"]} == expected


def test_filter_form_has_labels_and_keeps_choices(client, seeded):
    content = html(client.get("/en/programs/?level=master"))
    for name in ("level", "field", "language"):
        assert f'<label class="form-label fw-semibold" for="id_{name}">' in content
    assert '<option value="master" selected>' in content


def test_empty_result_says_so(client, seeded):
    content = html(client.get("/en/programs/?level=master&field=customs&language=en"))
    assert "No program matches these filters." in content


def test_unknown_filter_values_are_ignored_not_an_error(client, seeded):
    response = client.get("/en/programs/?level=doctor&field=astrology&language=de")
    assert response.status_code == 200
    assert len(response.context["programs"]) == 6


def test_an_unknown_filter_value_drops_only_that_filter(client, seeded):
    response = client.get("/en/programs/?level=master&field=astrology")
    assert response.status_code == 200
    assert {program.slug for program in response.context["programs"]} == {
        "international-law-master",
        "kazakh-philology-master",
        "customs-master",
    }


def test_inactive_programs_are_not_listed_nor_shown(client):
    ProgramFactory(slug="hidden", title="Hidden program", is_active=False)
    assert "Hidden program" not in html(client.get("/en/programs/"))
    assert client.get("/en/programs/hidden/").status_code == 404


def _program_rows(count: int) -> None:
    languages = [LanguageFactory(code=code) for code in ("kk", "ru", "en")]
    fields = [FieldFactory() for _ in range(3)]
    for index in range(count):
        ProgramFactory(field=fields[index % 3], languages=languages[: 1 + index % 3])


@pytest.mark.parametrize("count", [1, 30])
def test_program_list_query_budget_does_not_grow(client, django_assert_max_num_queries, count):
    _program_rows(count)
    CycleFactory()
    with django_assert_max_num_queries(6):
        response = client.get("/en/programs/?language=kk")
    assert response.status_code == 200
    assert len(response.context["programs"]) == count


@pytest.mark.parametrize("count", [1, 30])
def test_home_query_budget_does_not_grow(client, django_assert_max_num_queries, count):
    _program_rows(count)
    cycle = CycleFactory()
    FundFactory(cycle=cycle)
    # The scholarship figures are read once (the "scholarships left" card reuses them), and
    # the footer's office contacts once, then kept in the cache (each test starts empty).
    with django_assert_max_num_queries(5):
        response = client.get("/en/")
    assert response.status_code == 200
    assert "Scholarships left" in response.text


def test_program_detail_shows_facts_and_open_offering(client, seeded):
    response = client.get("/en/programs/international-law-bachelor/")
    assert response.status_code == 200
    content = html(response)
    assert "<h1" in content and "International Law" in content
    assert "public and private international law" in content
    assert "4 years" in content
    assert "Kazakh, Russian, English" in content
    offering = response.context["offerings"][0]
    assert offering.cycle.is_open
    assert f'<span class="stat-value">{offering.seats}</span>' in content
    assert f'<span class="stat-value">{offering.scholarship_seats}</span>' in content


def test_program_detail_in_kazakh(client, seeded):
    content = html(client.get("/kk/programs/kazakh-philology-master/"))
    assert "Қазақ филологиясы" in content
    assert "Магистратура бағдарламасы" in content
    assert "Қазақ тілі, Орыс тілі" in content


def test_detail_deadline_is_shown_in_omsk_time(client):
    # 2030-03-01 12:00 UTC is 18:00 in Omsk (UTC+6).
    closes = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
    cycle = CycleFactory(
        opens_at=closes - timedelta(days=60),
        closes_at=closes,
        results_at=closes + timedelta(days=10),
    )
    offering = OfferingFactory(cycle=cycle)
    with time_machine.travel(closes - timedelta(days=1), tick=False):
        content = html(client.get(f"/en/programs/{offering.program.slug}/"))
    assert "1 March 2030, 18:00" in content


def test_program_without_open_offering_says_it_is_not_open(client):
    program = ProgramFactory()
    content = html(client.get(f"/en/programs/{program.slug}/"))
    assert "This program is not open for applications right now." in content


def test_home_explains_the_branch_dates_and_scholarships(client):
    opens = datetime(2030, 1, 31, 18, 0, tzinfo=UTC)  # 1 February 2030, 00:00 in Omsk
    cycle = CycleFactory(
        name_en="Admission 2030",
        opens_at=opens,
        closes_at=opens + timedelta(days=90),
        results_at=opens + timedelta(days=100),
        scholarship_total=200,
    )
    FundFactory(cycle=cycle, government="KZ", name_en="Government of Kazakhstan", seats=100)
    FundFactory(cycle=cycle, government="RU", name_en="Government of Russia", seats=100)
    with time_machine.travel(opens + timedelta(days=1), tick=False):
        content = html(client.get("/en/"))
    assert "first branch of a Kazakh university in Russia" in content
    assert "Dostoevsky Omsk State University" in content
    assert "1 February 2030, 00:00" in content
    assert '<span class="scholarship-total">200</span>' in content
    assert "Government of Kazakhstan" in content and "Government of Russia" in content
    assert reverse("account_signup") in content


def test_home_for_a_signed_in_applicant_links_to_the_dashboard(client, django_user_model):
    user = django_user_model.objects.create_user("ayan", "ayan@example.org", "x" * 12)
    client.force_login(user)
    with translation.override("en"):
        dashboard = reverse("admissions:dashboard")
    assert f'href="{dashboard}"' in html(client.get("/en/"))


def test_home_when_no_cycle_is_open(client, seeded):
    with time_machine.travel(datetime(2040, 1, 1, tzinfo=UTC), tick=False):
        response = client.get("/en/")
    assert response.status_code == 200
    assert "Applications are closed" in html(response)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_home_renders_in_each_language(client, seeded, language):
    response = client.get(f"/{language}/")
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html(response)


def test_language_switch_keeps_the_page(client, seeded):
    response = client.post(
        "/en/i18n/setlang/",
        {"language": "kk", "next": "/en/programs/customs-master/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/kk/programs/customs-master/"
    assert "Кеден ісі" in html(client.get(response["Location"]))


def test_language_switch_works_whatever_the_cookie_says(client, seeded):
    client.cookies["django_language"] = "ru"
    response = client.post(
        "/en/i18n/setlang/",
        {"language": "kk", "next": "/en/programs/customs-master/"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert response["Location"] == "/kk/programs/customs-master/"


def test_language_switch_keeps_the_filters(client, seeded):
    response = client.post(
        "/en/i18n/setlang/", {"language": "ru", "next": "/en/programs/?level=master"}
    )
    assert response["Location"] == "/ru/programs/?level=master"


def test_language_switcher_posts_the_current_path(client, seeded):
    content = html(client.get("/en/programs/customs-master/"))
    assert 'name="next" value="/en/programs/customs-master/"' in content
    assert 'action="/en/i18n/setlang/"' in content


def test_unknown_program_is_the_site_404_in_the_active_language(client):
    response = client.get("/kk/programs/no-such-program/")
    assert response.status_code == 404
    content = html(response)
    assert '<html lang="kk">' in content
    assert 'class="error-code"' in content
    assert 'href="/kk/programs/"' in content  # links stay in the page's language


def test_unknown_language_prefix_is_the_site_404(client):
    response = client.get("/de/programs/")
    assert response.status_code == 404
    content = html(response)
    assert 'class="error-code"' in content
    assert '<html lang="ru">' in content  # the default language


def test_server_error_page_renders_without_a_request():
    from django.template.loader import render_to_string

    content = render_to_string("500.html")
    assert "500" in content and "Something went wrong" in content

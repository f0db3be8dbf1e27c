"""A published ranking marks the signed-in applicant's own row, for them only: not for
anonymous visitors (whose page stays cached and the same for everybody), nor for another
applicant. The main menu links to the rankings in every language."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from admissions.enums import ApplicationStatus
from admissions.models import RankingSnapshot
from admissions.scholarships.ranking import ranking_publish
from tests.admissions.scholarship_data import closed_cycle, make_offering
from tests.factories import ApplicationFactory, ChoiceFactory, ExamResultFactory, StaffFactory

pytestmark = pytest.mark.django_db

MARK = 'class="table-primary own-row" id="your-row" aria-current="true"'


def ranked(offering, score, reference):
    application = ApplicationFactory(
        cycle=offering.cycle, status=ApplicationStatus.ACCEPTED, reference=reference
    )
    ChoiceFactory(application=application, offering=offering)
    ExamResultFactory(application=application, score=score, max_score=100)
    return application


@pytest.fixture
def published():
    cycle = closed_cycle()
    offering = make_offering(cycle, slug="law", scholarship_seats=1)
    first = ranked(offering, 90, "KZO-2025-000001")
    second = ranked(offering, 80, "KZO-2025-000002")
    snapshot = ranking_publish(offering=offering)
    return snapshot, first, second


def page(client, snapshot, language="en"):
    with translation.override(language):
        url = reverse("rankings:detail", args=[snapshot.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def own_row(content: str) -> str:
    start = content.index('id="your-row"')
    return content[start : content.index("\n", start)]  # a row is one line


def test_the_owner_sees_their_row_marked_for_eyes_and_screen_readers(client, published):
    snapshot, _first, second = published
    client.force_login(second.applicant)
    content = page(client, snapshot)
    assert content.count(MARK) == 1 and content.count('id="your-row"') == 1
    row = own_row(content)
    assert "KZO-2025-000002" in row and ">You<" in row
    assert "Your application is number 2 in this list." in content
    assert 'href="#your-row"' in content


def test_anonymous_visitors_see_no_mark_even_after_the_owner_looked(client, published):
    snapshot, first, _second = published
    anonymous = page(client, snapshot)  # stored in the page cache
    client.force_login(first.applicant)
    assert MARK in page(client, snapshot)
    client.logout()
    for content in (anonymous, page(client, snapshot)):
        assert MARK not in content and "your-row" not in content and ">You<" not in content
        assert "KZO-2025-000001" in content


def test_another_applicant_sees_no_mark(client, published):
    snapshot, _first, _second = published
    stranger = ApplicationFactory(
        cycle=snapshot.offering.cycle, status=ApplicationStatus.ACCEPTED, reference="KZO-2025-9"
    )
    client.force_login(stranger.applicant)
    content = page(client, snapshot)
    assert MARK not in content and "your-row" not in content


def test_a_signed_in_visitor_without_an_application_sees_no_mark(client, published):
    snapshot, _first, _second = published
    client.force_login(StaffFactory())
    assert MARK not in page(client, snapshot)


@pytest.mark.parametrize("rows", [1, 300])
def test_the_marked_page_keeps_its_query_budget(client, django_assert_max_num_queries, rows):
    cycle = closed_cycle()
    offering = make_offering(cycle, slug="law", scholarship_seats=1)
    owner = ApplicationFactory(cycle=cycle, reference="KZO-2025-000000")
    snapshot = RankingSnapshot.objects.create(
        offering=offering,
        rows=[
            {"rank": i + 1, "reference": f"KZO-2025-{i:06d}", "score": "80.00"}
            for i in range(rows)
        ],
    )
    client.force_login(owner.applicant)
    # Session, user, snapshot, its two neighbours, the owner's references, and the
    # office's contacts in the footer (read once, then cached; each test starts empty).
    with django_assert_max_num_queries(7):
        content = page(client, snapshot)
    assert MARK in content


@pytest.mark.parametrize(
    ("language", "label"), [("en", "Rankings"), ("ru", "Рейтинги"), ("kk", "Рейтингтер")]
)
def test_the_main_menu_links_to_the_rankings(client, language, label):
    with translation.override(language):
        home, rankings = reverse("programs:home"), reverse("rankings:list")
    content = client.get(home).content.decode()
    menu = content[content.index('id="nav-main"') :]
    assert f'href="{rankings}">{label}</a>' in menu
    listing = client.get(rankings).content.decode()
    assert f'href="{rankings}" aria-current="page">{label}</a>' in listing

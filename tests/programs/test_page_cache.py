"""The public pages are cached whole for anonymous visitors, per language, and made stale
by any change of what they show."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from admissions.models import RankingSnapshot
from programs import page_cache
from programs.page_cache import public_pages_version
from tests.admissions.scholarship_data import closed_cycle, make_offering
from tests.factories import CycleFactory, OfferingFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def program():
    return ProgramFactory(title="Customs", slug="customs-b", languages=["ru", "en"])


def test_a_second_visit_is_served_from_the_cache_without_queries(
    client, program, django_assert_num_queries
):
    first = client.get("/en/programs/customs-b/")
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = Client().get("/en/programs/customs-b/")
    assert second.status_code == 200
    strip = lambda response: TOKEN.sub("", response.content.decode())  # noqa: E731
    assert strip(second) == strip(first)
    assert "Customs" in strip(second)


def test_the_cached_page_carries_a_fresh_working_csrf_token(program):
    Client().get("/en/programs/customs-b/")  # fills the cache
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/en/programs/customs-b/")
    token = TOKEN.search(page.content.decode()).group(1)
    assert "__csrf_token_placeholder__" not in page.content.decode()
    assert "csrftoken" in page.cookies
    switched = visitor.post(
        "/en/i18n/setlang/",
        {"language": "ru", "next": "/en/programs/customs-b/", "csrfmiddlewaretoken": token},
    )
    assert switched.status_code == 302
    assert switched["Location"] == "/ru/programs/customs-b/"


def test_each_language_has_its_own_page(client, program):
    english = client.get("/en/programs/").content.decode()
    russian = client.get("/ru/programs/").content.decode()
    assert '<html lang="en">' in english
    assert '<html lang="ru">' in russian
    assert '<html lang="ru">' in client.get("/ru/programs/").content.decode()


def test_saving_a_program_makes_its_pages_stale(client, program):
    assert "Customs" in client.get("/en/programs/customs-b/").content.decode()
    program.title = "Customs and Trade"
    program.save()
    assert "Customs and Trade" in client.get("/en/programs/customs-b/").content.decode()
    assert "Customs and Trade" in client.get("/en/programs/").content.decode()


def test_a_new_offering_makes_the_pages_stale(client, program):
    CycleFactory(code="2026")  # open now
    client.get("/en/programs/customs-b/")
    before = public_pages_version()
    OfferingFactory(program=program, cycle=CycleFactory(code="2027"))
    assert public_pages_version() > before


def test_a_new_publication_marks_the_older_ranking_page(client):
    offering = make_offering(closed_cycle(), slug="law-b", scholarship_seats=5)
    older = RankingSnapshot.objects.create(offering=offering, rows=[])
    url = f"/en/rankings/{older.pk}/"
    assert "A newer ranking was published" not in client.get(url).content.decode()
    RankingSnapshot.objects.create(offering=offering, rows=[])
    assert "A newer ranking was published" in client.get(url).content.decode()


def test_counting_a_submission_keeps_the_cache(program):
    cycle = CycleFactory(code="2026")
    before = public_pages_version()
    cycle.reference_counter += 1
    cycle.save(update_fields=["reference_counter"])
    assert public_pages_version() == before
    cycle.name = "Admissions 2026"
    cycle.save()
    assert public_pages_version() > before


def test_signed_in_visitors_get_their_own_page(client, program):
    Client().get("/en/")  # the anonymous page is cached
    client.force_login(UserFactory())
    html = client.get("/en/").content.decode()
    assert "Continue my application" in html
    assert "Continue my application" not in Client().get("/en/").content.decode()


def test_a_visitor_with_a_flash_message_is_not_served_a_cached_page(client, program):
    client.get("/en/programs/")
    client.cookies["messages"] = "anything"
    # The view runs (and reads the catalogue) instead of the cache answering.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get("/en/programs/")
    assert len(queries) > 0


def test_the_process_copy_is_dropped_when_the_data_changes(client, program, settings):
    settings.PUBLIC_PAGE_LOCAL_BYTES = 10 * 1024 * 1024
    settings.PUBLIC_PAGE_VERSION_CHECK_SECONDS = 3600
    page_cache._local.clear()
    try:
        assert "Customs" in client.get("/en/programs/customs-b/").content.decode()
        assert page_cache._local.pages  # kept in this process
        program.title = "Customs Affairs"
        program.save()
        assert not page_cache._local.pages
        assert "Customs Affairs" in client.get("/en/programs/customs-b/").content.decode()
    finally:
        page_cache._local.clear()


def test_the_process_copy_is_bounded(settings):
    settings.PUBLIC_PAGE_LOCAL_BYTES = 100
    local = page_cache.LocalPages()
    for number in range(5):
        local.put(f"page-{number}", ("text/html", b"x" * 40))
    assert list(local.pages) == ["page-3", "page-4"]
    assert local.size == 80
    local.put("huge", ("text/html", b"x" * 101))
    assert "huge" not in local.pages


def test_with_the_cache_server_down_pages_are_served_and_data_saved(client, program, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    assert client.get("/en/programs/customs-b/").status_code == 200
    program.title = "Customs Law"
    program.save()  # the invalidation fails quietly
    assert "Customs Law" in client.get("/en/programs/customs-b/").content.decode()


def test_a_page_is_stored_in_parts_around_the_token_and_served_whole(program):
    from django.core.cache import cache

    Client().get("/en/programs/customs-b/")  # fills the cache
    (key,) = [k for k in cache._cache if "public-page:" in k]  # locmem's own keys
    content_type, parts = cache.get(key.split(":", 2)[-1])
    assert content_type.startswith("text/html") and len(parts) == 2  # one token, one cut
    served = Client().get("/en/programs/customs-b/").content
    token = TOKEN.search(served.decode()).group(1)
    assert served == token.encode().join(parts)


def test_a_page_stored_with_a_placeholder_by_an_earlier_release_gets_a_token(settings):
    from django.test import RequestFactory

    settings.PUBLIC_PAGE_LOCAL_BYTES = 0
    request = RequestFactory().get("/en/")
    body = b'<input name="csrfmiddlewaretoken" value="__csrf_token_placeholder__">'
    response = page_cache.page_respond(request, ("text/html", body))
    token = TOKEN.search(response.content.decode()).group(1)
    assert len(token) == 64 and b"placeholder" not in response.content

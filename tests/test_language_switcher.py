"""The language switcher keeps the page, a 404 page included."""

import pytest

pytestmark = pytest.mark.django_db


def test_switching_language_on_a_missing_page_shows_the_404_in_the_chosen_language(client):
    page = client.get("/kk/no-such-page/?x=1")
    assert page.status_code == 404
    html = page.content.decode()
    assert 'name="next" value="/no-such-page/?x=1"' in html

    response = client.post("/kk/i18n/setlang/", {"language": "en", "next": "/no-such-page/?x=1"})
    assert response.status_code == 302
    followed = client.get(response.url)
    assert followed.status_code == 404
    assert '<html lang="en">' in followed.content.decode()
    assert "Page not found" in followed.content.decode()


def test_switching_language_on_a_page_keeps_the_page(client):
    html = client.get("/kk/programs/?level=master").content.decode()
    assert 'name="next" value="/kk/programs/?level=master"' in html
    response = client.post(
        "/kk/i18n/setlang/", {"language": "ru", "next": "/kk/programs/?level=master"}
    )
    assert response.url == "/ru/programs/?level=master"

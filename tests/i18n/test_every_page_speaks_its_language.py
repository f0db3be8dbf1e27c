"""Every page in kk, ru and en is in that language only (see tests/i18n/language_check.py
for what that means, and tests/i18n/pages.py for how the pages are listed)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from tests.i18n.language_check import language_offences, visible_text
from tests.i18n.pages import MULTILINGUAL, pages
from tests.i18n.world import APPLICANT_DATA

pytestmark = pytest.mark.django_db

LANGUAGES = ("kk", "ru", "en")


class Clients:
    """One signed-in client per user (signing in once per user, not per page)."""

    def __init__(self):
        self._clients: dict[object, Client] = {}

    def __call__(self, user) -> Client:
        key = getattr(user, "pk", None)
        if key not in self._clients:
            client = Client()
            if user is not None:
                client.force_login(user)
            self._clients[key] = client
        return self._clients[key]


def _fetch(clients, page, fallback_user):
    client = clients(page.user)
    response = getattr(client, page.method)(page.url, page.data or {})
    redirected_to_login = response.status_code == 302 and "/login/" in response.get("Location", "")
    if redirected_to_login and page.user is None and page.method == "get":
        response = clients(fallback_user).get(page.url)
    return response


def _offences_of(response, language: str) -> list[str]:
    content = response.content.decode()
    if response.get("Content-Type", "").startswith("text/html"):
        text = visible_text(content, language)
    else:  # the admin's JavaScript catalogue: its messages are shown by scripts
        text = content
    return language_offences(text, language, APPLICANT_DATA)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_is_in_its_language_only(world, language):
    clients = Clients()
    problems, checked = [], 0
    for page in pages(world, language):
        response = _fetch(clients, page, world.draft.applicant)
        if response.status_code == 403:
            continue  # nobody may open it (e.g. adding an application by hand)
        if response.status_code >= 400:
            problems.append(f"{page.label} [{page.name}]: HTTP {response.status_code}")
            continue
        if response.status_code != 200 or response.streaming:
            continue  # a redirect (its target is a page of its own) or a file download
        checked += 1
        if page.name in MULTILINGUAL:
            continue
        offences = _offences_of(response, language)
        if offences:
            problems.append(f"{page.label} [{page.name}]: {offences[:5]}")
    assert checked > 100
    assert not problems, f"{len(problems)} pages in another language:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_account_messages_are_in_the_language_and_name_no_username(world, language):
    """Sign-up, log-in and log-out leave messages in the page's language, naming the person
    by e-mail, never by the username generated for them."""
    client = Client()
    with translation.override(language):
        from django.urls import reverse

        signup, login, logout = (
            reverse("account_signup"),
            reverse("account_login"),
            reverse("account_logout"),
        )
    email = f"new-{language}@example.org"
    shown = []
    response = client.post(
        signup,
        {"email": email, "password1": "a-long-password-2026", "password2": "a-long-password-2026"},
        follow=True,
    )
    shown.append(response)
    shown.append(client.post(logout, follow=True))
    response = client.post(
        login, {"login": email, "password": "a-long-password-2026"}, follow=True
    )
    shown.append(response)
    from django.contrib.auth import get_user_model

    username = get_user_model().objects.get(email=email).username
    for response in shown:
        assert response.status_code == 200
        text = visible_text(response.content.decode(), language)
        assert not language_offences(text, language, APPLICANT_DATA), text
        # allauth derives the username from the address; it must not show on its own.
        assert username not in response.content.decode().replace(email, "")
    assert email in visible_text(shown[-1].content.decode(), language)  # "signed in as <e-mail>"

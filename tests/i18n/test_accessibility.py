"""axe-core (bundled with axe-playwright-python, injected from the package: no CDN) in
Debian's Chromium finds no serious or critical violation on the public pages, every
application step, the dashboard and the offer pages, in kk, ru and en."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from admissions.applications.steps import STEPS
from admissions.enums import ApplicationStatus as S
from tests.browser_fixtures import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEVERE = {"serious", "critical"}
LANGUAGES = ("kk", "ru", "en")
PUBLIC = (
    "programs:home",
    "programs:list",
    "rankings:list",
    "account_login",
    "account_signup",
    "account_reset_password",
)
DASHBOARD_STATUSES = (S.DRAFT, S.SUBMITTED, S.DOCUMENTS_REQUESTED, S.ACCEPTED, S.REJECTED)


def _session_cookie(user, live_server_url: str) -> dict:
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    return {"name": "sessionid", "value": cookie.value, "url": live_server_url}


def _pages(world, language: str) -> list[tuple[str, object]]:
    """(path, user or None) of each page axe looks at in `language`."""
    with translation.override(language):
        offering = world.draft.choices.first().offering
        pages = [(reverse(name), None) for name in PUBLIC]
        pages += [
            (reverse("programs:detail", kwargs={"slug": offering.program.slug}), None),
            (reverse("rankings:detail", kwargs={"pk": world.snapshot.pk}), None),
        ]
        pages += [(step.url, world.draft.applicant) for step in STEPS]
        pages += [
            (reverse("admissions:dashboard"), world.by_status[status].applicant)
            for status in DASHBOARD_STATUSES
        ]
        pages += [
            (
                reverse("admissions:award_detail", kwargs={"pk": award.pk}),
                award.application.applicant,
            )
            for award in world.awards[:2]
        ]
    return pages


def test_no_serious_accessibility_violation_in_any_language(live_server, browser):
    from axe_playwright_python.sync_playwright import Axe

    from tests.i18n.world import build_world

    world = build_world()  # once for the three languages: the slow part is the browser
    axe = Axe()
    problems = []
    contexts = {}
    pages = [(language, *page) for language in LANGUAGES for page in _pages(world, language)]
    for language, path, user in pages:
        key = getattr(user, "pk", None)
        if key not in contexts:
            contexts[key] = browser.new_context(viewport={"width": 1280, "height": 900})
            if user is not None:
                contexts[key].add_cookies([_session_cookie(user, live_server.url)])
            contexts[key].new_page()
        page = contexts[key].pages[0]
        page.goto(live_server.url + path)
        assert page.url.endswith(path), f"{path} redirected to {page.url}"
        violations = axe.run(page).response["violations"]
        for violation in violations:
            if violation["impact"] in SEVERE:
                targets = [node["target"] for node in violation["nodes"]][:3]
                problems.append(f"{path}: {violation['id']} ({violation['impact']}) {targets}")
        save_screenshot(page, f"axe-{language}-{path.strip('/').replace('/', '-')}")
    for context in contexts.values():
        context.close()
    assert not problems, "\n".join(problems)

"""The admin site's sidebar: built only for the pages that show it, then kept a minute per
user and language, each user seeing only the models they may open."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import AdminSite
from django.urls import reverse

from config.admin_site import sidebar_cache_key
from tests.admissions.staff_helpers import application_for, officer, reviewer, two_programs

pytestmark = pytest.mark.django_db


@pytest.fixture
def builds(monkeypatch):
    """How many times the list of apps and models was built."""
    calls = []
    build = AdminSite._build_app_dict

    def counted(site, request, label=None):
        calls.append(label)
        return build(site, request, label)

    monkeypatch.setattr(AdminSite, "_build_app_dict", counted)
    return calls


def test_a_page_without_the_sidebar_never_builds_it(client, builds):
    client.force_login(officer())
    response = client.get(reverse("admin:admissions_application_changelist"))
    assert response.status_code == 200
    assert 'id="nav-sidebar"' not in response.text
    assert builds == []


def test_the_sidebar_is_built_once_then_read_from_the_cache(client, builds):
    application = application_for(two_programs()[0])
    user = officer()
    client.force_login(user)
    url = reverse("admin:admissions_application_change", args=[application.pk])
    first = client.get(url).text
    assert builds == [None]
    second = client.get(url).text
    assert builds == [None]  # not built again
    assert 'id="nav-sidebar"' in first and 'id="nav-sidebar"' in second
    changelist = reverse("admin:admissions_application_changelist")
    assert f'href="{changelist}"' in second
    # The current model is still marked on each page (from the request, not the cache).
    assert 'class="model-application current-model"' in second
    # Another language is another entry.
    client.get(url.replace("/en/", "/ru/"))
    assert builds == [None, None]


def test_each_user_has_their_own_sidebar(client):
    from django.core.cache import cache

    first, _second = two_programs()
    application = application_for(first)
    url = reverse("admin:admissions_application_change", args=[application.pk])
    staff = officer()
    client.force_login(staff)
    client.get(url)
    reviewing = reviewer(first.program)
    client.force_login(reviewing)
    page = client.get(url).text
    officer_models = {
        m["object_name"] for a in cache.get(sidebar_cache_key(staff, "en")) for m in a["models"]
    }
    reviewer_models = {
        m["object_name"]
        for a in cache.get(sidebar_cache_key(reviewing, "en"))
        for m in a["models"]
    }
    assert reviewer_models < officer_models  # the reviewer may open fewer models
    for name in officer_models - reviewer_models:
        assert f"model-{name.lower()}" not in page


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
@pytest.mark.parametrize("role", ["officer", "reviewer"])
def test_the_sidebar_is_the_markup_of_djangos_template(language, role):
    import re

    from django.contrib import admin
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.utils import translation

    from config.admin_site import sidebar_html

    def squeezed(html: str) -> str:
        return re.sub(r"\s*(<[^>]+>)\s*", r"\1", re.sub(r"\s+", " ", str(html))).strip()

    first, _second = two_programs()
    application = application_for(first)
    user = officer() if role == "officer" else reviewer(first.program)
    with translation.override(language):
        pages = [
            reverse("admin:admissions_application_change", args=[application.pk]),
            reverse("admin:admissions_application_dashboard"),
            reverse("admin:index"),
        ]
        for path in pages:
            request = RequestFactory().get(path)
            request.user = user
            apps = admin.site.get_app_list(request)
            djangos = render_to_string(
                "admin/app_list.html",
                {"app_list": apps, "show_changelinks": False, "request": request},
            )
            assert squeezed(sidebar_html(apps, request.path)) == squeezed(djangos)
        assert "current-model" in sidebar_html(apps, pages[0])
        assert 'aria-current="page"' in sidebar_html(apps, pages[0])
        assert sidebar_html([], pages[0]) == squeezed(render_to_string("admin/app_list.html", {}))

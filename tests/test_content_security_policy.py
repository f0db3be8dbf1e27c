"""Content-Security-Policy on every HTML page, and no page that needs an inline script.

The crawl walks the URL configuration: every named route without parameters, as a visitor,
an applicant and a superuser, plus every admin change list, add form and change form (with one
object of each model), the application steps and the two-factor pages.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    DocumentFactory,
    StaffFactory,
    confirm_email,
)

pytestmark = pytest.mark.django_db

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
# Data blocks are never executed, so CSP does not need to allow them.
DATA_TYPES = ("application/json", "application/ld+json")
# Routes that only act on POST or leave the site; crawling them proves nothing about CSP.
SKIPPED = {"set_language", "account_logout", "healthz"}


def _routes(patterns, prefix="") -> list[str]:
    names = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names += _routes(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern) and entry.name and not entry.pattern.converters:
            names.append(prefix + entry.name)
    return names


def _parameterless_urls() -> list[str]:
    urls = []
    with translation.override("en"):
        for name in sorted(set(_routes(get_resolver().url_patterns))):
            if name.split(":")[-1] in SKIPPED:
                continue
            try:
                urls.append(reverse(name))
            except Exception:
                continue
    return urls


def _admin_urls() -> list[str]:
    urls = []
    with translation.override("en"):
        for model in admin.site._registry:
            prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
            urls.append(reverse(f"{prefix}_changelist"))
            urls.append(reverse(f"{prefix}_add"))
            instance = model._default_manager.order_by("pk").first()
            if instance is not None:
                urls.append(reverse(f"{prefix}_change", args=[instance.pk]))
    return urls


def _inline_scripts(html: str) -> list[str]:
    found = []
    for attributes, body in SCRIPT.findall(html):
        if "src=" in attributes:
            continue
        script_type = re.search(r'type=["\']([^"\']+)', attributes)
        if script_type and script_type.group(1).lower() in DATA_TYPES:
            continue
        found.append(body.strip()[:80])
    return found


def _check(client: Client, url: str, problems: list[str]) -> bool:
    response = client.get(url)
    if response.status_code in (301, 302) or response.status_code >= 500:
        if response.status_code >= 500:
            problems.append(f"{url}: HTTP {response.status_code}")
        return False
    if "text/html" not in response.get("Content-Type", ""):
        return False
    policy = response.get("Content-Security-Policy", "")
    script_src = re.search(r"script-src ([^;]*)", policy)
    if not script_src:
        problems.append(f"{url}: no script-src in CSP {policy!r}")
    elif "unsafe-inline" in script_src.group(1) or "unsafe-eval" in script_src.group(1):
        problems.append(f"{url}: unsafe script-src {script_src.group(1)!r}")
    inline = _inline_scripts(response.content.decode())
    if inline:
        problems.append(f"{url}: inline script {inline}")
    return True


def test_every_crawled_page_has_a_strict_policy_and_no_inline_script():
    applicant = ApplicantProfileFactory().user
    confirm_email(applicant)
    application = ApplicationFactory(applicant=applicant)
    DocumentFactory(application=application)
    superuser = StaffFactory(is_superuser=True)

    visitor, signed_in, staff = Client(), Client(), Client()
    signed_in.force_login(applicant)
    staff.force_login(superuser)

    problems: list[str] = []
    checked = 0
    for url in _parameterless_urls():
        for client in (visitor, signed_in, staff):
            checked += _check(client, url, problems)
    with translation.override("en"):
        steps = [
            reverse("admissions:application_step", kwargs={"step": step})
            for step in ("personal", "programs", "education", "exams", "motivation", "review")
        ]
    for url in steps:
        checked += _check(signed_in, url, problems)
    for url in _admin_urls():
        checked += _check(staff, url, problems)
    assert not problems, "\n".join(problems)
    assert checked > 60  # the crawl did reach the pages


def test_policy_header_is_on_error_pages_and_the_admin_login():
    with translation.override("en"):
        login = reverse("admin:login")
    response = Client().get(login)
    assert "script-src 'self'" in response["Content-Security-Policy"]
    response = Client().get("/en/no-such-page/")
    assert response.status_code == 404
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_document_downloads_keep_their_own_sandbox_policy(client):
    document = DocumentFactory()
    client.force_login(document.application.applicant)
    with translation.override("en"):
        url = reverse("admissions:document_download", kwargs={"pk": document.pk})
    response = client.get(url)
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"

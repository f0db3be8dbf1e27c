"""The applications list renders its rows without per-row widget and URL work, with the
same markup as Django's: checkbox, links that keep the list's filters, program labels."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils.html import escape

from admissions.enums import ApplicationStatus as S
from admissions.models import Application
from tests.admissions.staff_helpers import application_for, officer, two_programs

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:admissions_application_changelist"


@pytest.fixture
def officer_client(client):
    client.force_login(officer())
    return client


def test_row_checkbox_is_the_markup_djangos_widget_renders():
    programs = two_programs()
    application = application_for(programs[0], status=S.SUBMITTED)
    model_admin = admin.site._registry[Application]
    assert model_admin.action_checkbox(application) == admin.ModelAdmin.action_checkbox(
        model_admin, application
    )


def test_row_links_keep_the_lists_filters(officer_client):
    programs = two_programs()
    application = application_for(programs[0], status=S.SUBMITTED)
    html = officer_client.get(reverse(CHANGELIST), {"status": "submitted"}).content.decode()
    change = reverse("admin:admissions_application_change", args=[application.pk])
    assert f'href="{change}?_changelist_filters=status%3Dsubmitted"' in html
    unfiltered = officer_client.get(reverse(CHANGELIST)).content.decode()
    assert f'href="{change}"' in unfiltered


def test_rows_show_the_translated_program_label(officer_client):
    programs = two_programs()
    for _ in range(3):
        application_for(programs[0], status=S.SUBMITTED)
    html = officer_client.get(reverse(CHANGELIST)).content.decode()
    label = re.escape(escape(str(programs[0].program)))
    assert len(re.findall(rf"<div>1\. {label} <small>", html)) == 3


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_rows_are_the_markup_djangos_cells_write(officer_client, language):
    from django.contrib.admin.templatetags.admin_list import items_for_result

    from admissions.applications.admin.changelist import result_rows
    from admissions.models import Review
    from tests.factories import ApplicationFactory, StaffFactory

    first, second = two_programs()
    reviewed = application_for(first, status=S.UNDER_REVIEW, scholarship_requested=True)
    Review.objects.create(application=reviewed, reviewer=StaffFactory(), score=81)
    Review.objects.create(application=reviewed, reviewer=StaffFactory(), score=86)
    held = application_for(second, status=S.REJECTED)
    Application.objects.filter(pk=held.pk).update(released_status=S.UNDER_REVIEW)
    ApplicationFactory(cycle=first.cycle)  # a draft: no reference, no profile
    url = reverse(CHANGELIST).replace("/en/", f"/{language}/")
    response = officer_client.get(url, {"cycle": "all", "o": "1"})
    cl = response.context["cl"]
    assert len(cl.result_list) == 3
    from django.utils import translation

    with translation.override(language):
        ours = [str(row[0]) for row in result_rows(cl)]
        djangos = ["".join(items_for_result(cl, row, None)) for row in cl.result_list]
    assert ours == djangos
    assert all(row in response.content.decode() for row in ours)
    assert "83" in ours[[a.pk for a in cl.result_list].index(reviewed.pk)]


def test_the_actions_menu_is_djangos_in_each_language(officer_client, settings):
    from django.contrib.admin import helpers

    from admissions.applications.admin.forms import KeptSelect

    settings.PRIVATE_PAGE_CACHE_SECONDS = 0  # each view rendered, not read from the cache
    programs = two_programs()
    application_for(programs[0], status=S.SUBMITTED)
    for language in ["en", "ru", "kk", "en"]:  # the last one is read from what is kept
        url = reverse(CHANGELIST).replace("/en/", f"/{language}/")
        response = officer_client.get(url)
        form = response.context["action_form"]
        assert isinstance(form.fields["action"].widget, KeptSelect)
        djangos = helpers.ActionForm(auto_id=None)
        djangos.fields["action"].choices = form.fields["action"].choices
        assert str(form["action"]) == str(djangos["action"])
        assert str(djangos["action"]) in response.text

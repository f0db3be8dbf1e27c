"""The application page written without Django's per-field templates and formsets shows
what Django's would: the same fieldsets and inline tables (classes, labels, links, icons,
escaped contents, rows in the same order), in each language and for each role."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from admissions.admin.readonly import ReadOnlyCell, readonly_contents
from admissions.applications.admin.inlines import ReadOnlyInline
from admissions.enums import ApplicationStatus as S
from admissions.enums import DocumentStatus
from admissions.models import Application, DocumentRequest, StatusEvent
from tests.admissions.staff_helpers import application_for, officer, reviewer, two_programs
from tests.factories import DocumentFactory, DocumentPageFactory, ExamResultFactory, ReviewFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "ru", "kk"]


def squeezed(html: str) -> str:
    """`html` without the whitespace between tags (the template's indentation)."""
    html = re.sub(r"\s+", " ", str(html))
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", html).strip()


@pytest.fixture
def application():
    offering, _other = two_programs()
    staff = officer()
    application = application_for(
        offering,
        status=S.UNDER_REVIEW,
        motivation="Law <b>and</b>\norder",
        education_country="KZ",
    )
    ExamResultFactory(application=application, subject="History <i>of</i> Kazakhstan")
    ExamResultFactory(application=application, subject="Mathematics")
    verified = DocumentFactory(
        application=application,
        kind="education",
        status=DocumentStatus.VERIFIED,
        verified_by=staff,
    )
    DocumentPageFactory(document=verified, original_name="page <2>.png")
    DocumentFactory(application=application, kind="identity", original_name="passport.pdf")
    ReviewFactory(application=application, reviewer=staff, comment="Fine,\nreally.")
    for to_status in (S.SUBMITTED, S.UNDER_REVIEW):
        StatusEvent.objects.create(
            application=application, from_status=S.DRAFT, to_status=to_status, actor=staff
        )
    DocumentRequest.objects.create(application=application, kinds=["education"], note="Again.")
    return application


def page_of(client, user, application, language):
    client.force_login(user)
    url = reverse("admin:admissions_application_change", args=[application.pk])
    response = client.get(url.replace("/en/", f"/{language}/"))
    assert response.status_code == 200
    return response


def users(application):
    program = application.choices.get().offering.program
    return {
        "officer": officer(),
        "reviewer": reviewer(program),
        "blind reviewer": reviewer(program, blind=True),
    }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ["officer", "reviewer", "blind reviewer"])
def test_the_fieldsets_are_the_markup_of_djangos_template(client, application, language, role):
    response = page_of(client, users(application)[role], application, language)
    adminform = response.context["adminform"]
    with translation.override(language):
        djangos = [
            render_to_string(
                "admin/includes/fieldset.html",
                {
                    "fieldset": fieldset,
                    "heading_level": 2,
                    "prefix": "fieldset",
                    "id_prefix": 0,
                    "id_suffix": index,
                },
            )
            for index, fieldset in enumerate(adminform)
        ]
    ours = response.context["readonly_fieldsets"]
    assert [squeezed(html) for html in ours] == [squeezed(html) for html in djangos]
    assert "Law &lt;b&gt;and&lt;/b&gt;<br>order" in response.text  # escaped, lines kept


def djangos_rows(model_admin, inline, request, obj) -> list[tuple[str, list[tuple[str, str]]]]:
    """The rows Django's inline formset shows: (the row's object, [(cell class, contents)])."""
    formset = inline.get_formset(request, obj)(instance=obj, queryset=inline.get_queryset(request))
    inline_admin_formset = helpers.InlineAdminFormSet(
        inline,
        formset,
        list(inline.get_fieldsets(request, obj)),
        {},
        list(inline.get_readonly_fields(request, obj)),
        model_admin=model_admin,
        has_add_permission=False,
        has_change_permission=False,
        has_delete_permission=False,
        has_view_permission=True,
    )
    headers = [(field["name"], str(field["label"])) for field in inline_admin_formset.fields()]
    rows = [
        (
            str(inline_form.original),
            [
                (field.field["name"], str(field.contents()))
                for fieldset in inline_form
                for line in fieldset
                for field in line
            ],
        )
        for inline_form in inline_admin_formset
    ]
    return headers, rows


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ["officer", "reviewer", "blind reviewer"])
def test_the_inline_tables_show_what_djangos_formsets_show(application, language, role):
    request = RequestFactory().get(f"/{language}/admin/")
    request.user = users(application)[role]
    model_admin = admin.site._registry[Application]
    obj = model_admin.get_queryset(request).get(pk=application.pk)
    inlines = [
        inline
        for inline in model_admin.get_inline_instances(request, obj)
        if isinstance(inline, ReadOnlyInline)
    ]
    assert len(inlines) == len(model_admin.inlines) - (role != "officer")  # the timeline
    with translation.override(language):
        for inline in inlines:
            table = inline.table(request, obj)
            headers, rows = djangos_rows(model_admin, inline, request, obj)
            # A display function's header has no class name in Django's template.
            assert [
                ("" if callable(name) else name, label) for name, label in headers
            ] == table.columns
            assert len(table.rows) == len(rows)
            for (original, cells), (djangos_original, djangos_cells) in zip(
                table.rows, rows, strict=True
            ):
                assert original == djangos_original
                assert cells == "".join(
                    f'<td class="field-{name}"><p>{contents}</p></td>'
                    for name, contents in djangos_cells
                )


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_field_with_choices_shows_djangos_label(application, language):
    application.refresh_from_db()
    model_admin = admin.site._registry[Application]
    with translation.override(language):
        for name in ("education_country", "status", "education_document_kind"):
            for value in (getattr(application, name), "??"):
                setattr(application, name, value)
                cell = ReadOnlyCell(name, application, model_admin, "—")
                assert readonly_contents(cell) == super(ReadOnlyCell, cell).contents()
            application.refresh_from_db()

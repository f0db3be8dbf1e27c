"""The submitted application as a PDF: in the applicant's language with the bundled font,
with everything the applicant sent, downloadable by its owner and permitted staff only."""

from __future__ import annotations

import datetime
import io
import re
import time

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from admissions.enums import ApplicationStatus
from admissions.models import Application
from admissions.papers.rendering import PAPER_FONT_FAMILY
from tests.admissions.staff_helpers import committee, officer, reviewer
from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    ChoiceFactory,
    DocumentFactory,
    ExamResultFactory,
    LanguageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def submitted_application(*, language="kk", **fields) -> Application:
    profile = ApplicantProfileFactory(
        preferred_language=language,
        last_name_native="Сейтқали",
        first_name_native="Әсел",
        identifier_kind="iin",
        identifier="000101500009",
    )
    application = ApplicationFactory(
        applicant=profile.user,
        status=ApplicationStatus.SUBMITTED,
        reference="KZO-2099-000042",
        submitted_at=timezone.now(),
        consent_version="2025-09",
        consent_given_at=timezone.now(),
        education_institution="Алматы қаласының №1 мектебі",
        motivation="Мен халықаралық құқықты оқығым келеді.",
        scholarship_requested=True,
        **fields,
    )
    ChoiceFactory(application=application, language=LanguageFactory(code="kk"))
    ExamResultFactory(application=application, subject="Қазақстан тарихы")
    DocumentFactory(application=application, kind="identity", original_name="төлқұжат.pdf")
    return application


def pdf_of(response) -> pypdf.PdfReader:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return pypdf.PdfReader(io.BytesIO(response.content))


def text_of(reader: pypdf.PdfReader) -> str:
    """The text of every page, whitespace collapsed (table cells wrap words onto lines)."""
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def font_names(reader: pypdf.PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def download(client, application):
    return client.get(reverse("papers:application_pdf", args=[application.pk]))


def test_kazakh_pdf_holds_the_reference_and_kazakh_letters_in_the_bundled_font(client):
    application = submitted_application(language="kk")
    client.force_login(application.applicant)
    response = download(client, application)
    reader = pdf_of(response)
    text = text_of(reader)
    assert "KZO-2099-000042" in text
    assert "қ" in text and "ө" in text and "ә" in text.lower()
    # Kazakh labels of the paper itself, not only the applicant's own words.
    assert "Оқуға қабылдау туралы өтініш" in text
    # Every font embedded is the one bundled with the project (named by its @font-face),
    # never a system font: "+" separates the subset tag from the font's name.
    bundled = re.sub(r"\s", "-", PAPER_FONT_FAMILY)
    names = {name.split("+", 1)[-1] for name in font_names(reader)}
    assert names == {bundled, f"{bundled}-Bold"}
    assert 'filename="KZO-2099-000042-application.pdf"' in response["Content-Disposition"]
    assert {"private", "no-store"} <= {v.strip() for v in response["Cache-Control"].split(",")}


def test_pdf_holds_data_choices_documents_submission_time_and_consent_version(client):
    application = submitted_application(language="ru")
    application.submitted_at = datetime.datetime(2099, 3, 1, 10, 45, tzinfo=datetime.UTC)
    application.save(update_fields=["submitted_at"])
    client.force_login(application.applicant)
    text = text_of(pdf_of(download(client, application)))
    for expected in (
        "KZO-2099-000042",
        "Сейтқали",
        "000101500009",
        "Алматы қаласының №1 мектебі",
        "Қазақстан тарихы",
        "төлқұжат.pdf",
        "2025-09",
        "Мен халықаралық құқықты оқығым келеді.",
        application.choices.get().offering.program.title,
    ):
        assert expected in text, expected
    # Russian labels, submission time in Omsk time.
    assert "Заявление о приёме" in text
    # Submitted at 10:45 UTC: 16:45 in Omsk.
    assert "1 марта 2099 г., 16:45" in text


def link_targets(reader: pypdf.PdfReader) -> list[str]:
    """The URIs of the PDF's link annotations (the clickable verification link)."""
    targets = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action and "/URI" in action:
                targets.append(str(action["/URI"]))
    return targets


def test_pdf_carries_a_verification_link_that_opens_the_public_page(client, settings):
    settings.SITE_URL = "https://admissions.example.org"
    application = submitted_application(language="en")
    client.force_login(application.applicant)
    reader = pdf_of(download(client, application))
    [link] = {u for u in link_targets(reader) if "/verify/" in u}  # one box per line
    assert link.startswith("https://admissions.example.org/en/verify/")
    # The printed text shows the same address (wrapped over lines).
    assert link.split("/verify/")[1][:20] in text_of(reader)
    client.logout()
    page = client.get(link.removeprefix("https://admissions.example.org"))
    assert page.status_code == 200
    assert "KZO-2099-000042" in page.content.decode()


def test_rendering_takes_one_render_and_well_under_a_second(client):
    application = submitted_application(language="kk")
    client.force_login(application.applicant)
    download(client, application)  # warm up: font loading, template compilation
    started = time.perf_counter()
    assert download(client, application).status_code == 200
    assert time.perf_counter() - started < 3


def test_someone_elses_application_is_404(client):
    application = submitted_application()
    client.force_login(UserFactory())
    assert download(client, application).status_code == 404


def test_a_draft_has_no_paper(client):
    application = ApplicationFactory(applicant=ApplicantProfileFactory().user)
    client.force_login(application.applicant)
    assert download(client, application).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(client):
    application = submitted_application()
    response = download(client, application)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_officer_downloads_in_the_applicants_language(client):
    application = submitted_application(language="kk")
    client.force_login(officer())
    text = text_of(pdf_of(download(client, application)))
    assert "KZO-2099-000042" in text and "Оқуға қабылдау туралы өтініш" in text


def test_staff_who_may_not_see_national_ids_get_404(client):
    application = submitted_application()
    program = application.choices.get().offering.program
    for user in (reviewer(program), committee(), UserFactory(is_staff=True)):
        client.force_login(user)
        assert download(client, application).status_code == 404

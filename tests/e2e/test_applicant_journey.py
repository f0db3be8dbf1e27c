"""The whole applicant journey in headless Chromium: sign up, confirm the e-mail by the link
from the mail, fill in every step, upload documents, submit, see the reference.

Run in two languages and both widths. With SCREENSHOT_DIR set, a PNG of every page is saved.
"""

import random
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from admissions.demo import iin_generate
from admissions.enums import ApplicationStatus
from admissions.models import Application, OutgoingMail
from tests import files
from tests.browser_fixtures import VIEWPORTS, horizontal_overflow, save_screenshot
from tests.factories import CycleFactory, OfferingFactory, ProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOTIVATION = (
    "Менің арманым — халықаралық құқықты оқып, Қазақстан мен Ресей арасындағы "
    "ынтымақтастыққа үлес қосу. <script>alert('x')</script> "
) * 4


def _url(name: str, language: str, **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


class Journey:
    def __init__(self, page, language, width):
        self.page, self.language, self.width = page, language, width

    def shot(self, name: str) -> None:
        assert horizontal_overflow(self.page) <= 0, f"{name} scrolls sideways at {self.width}"
        assert self.page.locator("h1").count() == 1
        save_screenshot(self.page, f"journey-{self.language}-{self.width}-{name}")

    def next(self) -> None:
        self.page.click("button[name=save_next]")
        self.page.wait_for_load_state()


@pytest.mark.parametrize(("language", "width"), [("kk", "desktop"), ("en", "mobile")])
def test_sign_up_apply_upload_and_submit(live_server, browser, language, width, tmp_path):
    cycle = CycleFactory()
    law = OfferingFactory(
        cycle=cycle, program=ProgramFactory(title="International Law", languages=["kk", "ru"])
    )
    philology = OfferingFactory(
        cycle=cycle, program=ProgramFactory(title="Kazakh Philology", languages=["kk"])
    )
    w, h = VIEWPORTS[width]
    context = browser.new_context(viewport={"width": w, "height": h})
    page = context.new_page()
    journey = Journey(page, language, width)
    email = f"journey-{language}@example.org"

    # Sign up, then confirm by the link from the mail in the outbox.
    page.goto(live_server.url + _url("account_signup", language))
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", "Omsk-Almaty-2025!")
    page.fill("input[name=password2]", "Omsk-Almaty-2025!")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    mail = OutgoingMail.objects.get(template="account_confirmation", recipient=email)
    confirm_url = mail.context["confirm_url"]
    assert f"/{language}/" in confirm_url
    page.goto(confirm_url if confirm_url.startswith("http") else live_server.url + confirm_url)
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    # Step 1: personal data.
    page.goto(live_server.url + _url("admissions:application_continue", language))
    assert page.url.endswith("/application/personal/")
    journey.shot("1-personal")
    iin = iin_generate(random.Random(4), birth_date=date(2006, 5, 17), female=True)
    page.fill("[name=last_name_native]", "Жұмабаева")
    page.fill("[name=first_name_native]", "Әсем")
    page.fill("[name=last_name_latin]", "Zhumabaeva")
    page.fill("[name=first_name_latin]", "Asem")
    page.fill("[name=birth_date]", "2006-05-17")
    page.select_option("[name=citizenship]", "KZ")
    page.select_option("[name=identifier_kind]", "iin")
    page.fill("[name=identifier]", iin)
    page.fill("[name=phone]", "+77011234567")
    page.select_option("[name=preferred_language]", language)
    journey.next()

    # Step 2: programs. First try the same program twice: refused, with a message.
    assert page.url.endswith("/application/programs/")
    journey.shot("2-programs")
    kk = str(law.program.languages.get(code="kk").pk)
    page.select_option("[name=choices-0-offering]", str(law.pk))
    page.select_option("[name=choices-0-language]", kk)
    page.select_option("[name=choices-1-offering]", str(law.pk))
    page.select_option("[name=choices-1-language]", kk)
    journey.next()
    assert page.locator(".invalid-feedback, .text-danger, .alert-danger").count() >= 1
    journey.shot("2-programs-error")
    page.select_option("[name=choices-1-offering]", str(philology.pk))
    journey.next()

    # Step 3: prior education.
    assert page.url.endswith("/application/education/")
    journey.shot("3-education")
    page.fill("[name=education_institution]", "Абай атындағы № 1 лицей")
    page.select_option("[name=education_country]", "KZ")
    page.select_option("[name=education_document_kind]", "school_certificate")
    page.fill("[name=education_document_number]", "ЖОБ 0012345")
    page.fill("[name=graduation_year]", "2024")
    page.fill("[name=grade_average]", "4.8")
    page.fill("[name=grade_scale_max]", "5")
    journey.next()

    # Step 4: exams; a score above the maximum is refused first.
    assert page.url.endswith("/application/exams/")
    page.select_option("[name=exams-0-exam]", "unt")
    page.fill("[name=exams-0-subject]", "Қазақстан тарихы")
    page.fill("[name=exams-0-score]", "150")
    page.fill("[name=exams-0-max_score]", "140")
    journey.next()
    assert page.locator(".invalid-feedback").count() >= 1
    journey.shot("4-exams-error")
    page.fill("[name=exams-0-score]", "121")
    journey.next()

    # Step 5: scholarship and motivation.
    assert page.url.endswith("/application/motivation/")
    journey.shot("5-motivation")
    page.check("[name=scholarship_requested]")
    page.fill("[name=motivation]", MOTIVATION)
    journey.next()

    # Step 6: documents.
    assert "/application/documents/" in page.url
    for kind, name, content in (
        ("identity", "passport.pdf", files.pdf_bytes()),
        ("education", "attestat.pdf", files.pdf_bytes()),
        ("photo", "photo.png", files.png_bytes()),
    ):
        path = tmp_path / name
        path.write_bytes(content)
        page.set_input_files(f"#file-{kind}", str(path))
        # The page's script sends the file with a progress bar, then loads the page again.
        with page.expect_navigation():
            page.locator(f"#doc-{kind} button[type=submit]").click()
        page.wait_for_load_state()
    journey.shot("6-documents")
    page.click("button[name=continue]")
    page.wait_for_load_state()

    # Step 7: review, consent, submit (twice: the second click changes nothing).
    assert page.url.endswith("/application/review/")
    assert "<script>alert" in page.inner_text("#motivation-text")  # shown as text
    journey.shot("7-review")
    page.check("#id_consent")
    page.click("main form button[type=submit].btn-lg")
    page.wait_for_load_state()

    application = Application.objects.get(applicant__email=email)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.reference.startswith(f"KZO-{cycle.code}-")
    assert page.url.endswith(_url("admissions:dashboard", language))
    assert page.inner_text("#application-reference") == application.reference
    journey.shot("8-dashboard")
    assert OutgoingMail.objects.filter(template="application_submitted").count() == 1
    assert list(application.choices.values_list("offering", flat=True)) == [
        law.pk,
        philology.pk,
    ]
    context.close()

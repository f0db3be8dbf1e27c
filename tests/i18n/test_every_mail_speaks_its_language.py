"""An applicant who only ever used one language's pages gets every mail in that language,
with links under its prefix, greeted by the name written for it: whatever language the
staff work in. Every mail template is covered (the flow below produces each one), and each
mail passes the same language check as the pages."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from admissions.applications.services import (
    application_deadline,
    application_transition,
    drafts_remind,
)
from admissions.documents.requests import documents_request, documents_request_answer
from admissions.enums import ApplicationStatus as S
from admissions.enums import DocumentStatus
from admissions.models import Application, OutgoingMail, Review
from admissions.notifications.digest import staff_digest_send
from admissions.notifications.outbox import mail_render
from admissions.scholarships.awards import award_accept, award_offer, awards_expire, awards_remind
from programs.models import AdmissionCycle
from tests.admissions.staff_helpers import officer
from tests.factories import (
    ChoiceFactory,
    DocumentFactory,
    ExamResultFactory,
    LanguageFactory,
    confirm_email,
    profile_form_data,
)
from tests.i18n.language_check import language_offences, visible_text
from tests.i18n.world import APPLICANT_DATA, completed_application_fields

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "emails"
EVERY_MAIL = {path.name.removesuffix(".subject.txt") for path in TEMPLATES.glob("*.subject.txt")}
LINK = re.compile(r"https?://[^\s\"'<>)]+")
PASSWORD = "a-long-password-2026"
NOTES = {
    "kk": "Паспорттың анығырақ көшірмесін жүктеңіз.",
    "ru": "Загрузите, пожалуйста, более чёткий скан паспорта.",
    "en": "Please upload a clearer scan of your passport.",
}
STAFF_NAME = "Ерлан"


def _url(language: str, name: str, **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def _confirm(client: Client, email: str) -> None:
    """Open the confirmation link of the mail just sent (it signs the person in)."""
    mail = OutgoingMail.objects.filter(template="account_confirmation", recipient=email).last()
    response = client.post(mail.context["confirm_url"].removeprefix(settings.SITE_URL))
    assert response.status_code == 302
    if "_auth_user_id" not in client.session:
        client.force_login(get_user_model().objects.get(email=email))


def _sign_up(language: str, email: str) -> Client:
    """Sign up and fill the first step on `language`'s pages, keeping every default the
    form offers (the preferred language above all)."""
    client = Client()
    response = client.post(
        _url(language, "account_signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    _confirm(client, email)
    personal = _url(language, "admissions:application_step", step="personal")
    form = client.get(personal).context["form"]
    offered = form.initial["preferred_language"]
    assert offered == language  # the language of the page where the person signed up
    response = client.post(personal, profile_form_data(preferred_language=offered))
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def _complete(application: Application) -> None:
    offering = application.cycle.offerings.order_by("pk").first()
    Application.objects.filter(pk=application.pk).update(**completed_application_fields())
    ChoiceFactory(
        application=application, offering=offering, priority=1, language=LanguageFactory(code="kk")
    )
    ExamResultFactory(application=application)
    for kind in ("identity", "education", "photo"):
        DocumentFactory(application=application, kind=kind)
    confirm_email(application.applicant)


def _everything_happens_to(language: str) -> tuple[Application, object]:
    """The whole life of an application whose applicant only uses `language`; staff act
    in Russian. Returns the application and a staff member who reads `language`."""
    out = io.StringIO()
    call_command("seed", stdout=out)
    call_command("setup_roles", stdout=out)
    client = _sign_up(language, f"applicant-{language}@example.org")
    application = Application.objects.get(applicant__email=f"applicant-{language}@example.org")
    _complete(application)
    review = _url(language, "admissions:application_step", step="review")
    response = client.post(review, {"consent": "on"})
    assert response.status_code == 302, visible_text(response.content.decode(), language)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    staff = officer(email=f"officer-{language}@example.org", first_name=STAFF_NAME)
    staff_client = Client()
    staff_client.force_login(staff)
    # The officer works on Russian pages but reads mail in `language`, set on their page.
    response = staff_client.post(_url("ru", "admin:auth_user_my_language"), {"language": language})
    assert response.status_code == 302
    # Decisions reach the applicant at once (not held until the results time), so the
    # offer and its mails follow in this one test.
    AdmissionCycle.objects.filter(pk=application.cycle_id).update(
        release_decisions_immediately=True
    )
    application.refresh_from_db()
    # The decision's guards: documents verified, the review the cycle asks for.
    application.documents.update(status=DocumentStatus.VERIFIED)
    Review.objects.create(application=application, reviewer=staff, score=Decimal("80"))
    with translation.override("ru"):
        application_transition(application=application, to_status=S.UNDER_REVIEW, actor=staff)
        # What the officer types is theirs: written in the applicant's language.
        documents_request(
            application=application, kinds=["identity"], note=NOTES[language], actor=staff
        )
    # The applicant uploads what was asked and says so: the officer is mailed.
    DocumentFactory(application=application, kind="identity", status=DocumentStatus.VERIFIED)
    documents_request_answer(application=application, actor=application.applicant)
    with translation.override("ru"):
        application_transition(application=application, to_status=S.ACCEPTED, actor=staff)
        application.refresh_from_db()
        fund = application.cycle.funds.get(government="KZ")
        offering = application.choices.get().offering
        award = award_offer(application=application, fund=fund, offering=offering, actor=staff)
        awards_remind(now=award.respond_by - timedelta(hours=12))
        awards_expire(now=award.respond_by + timedelta(seconds=1))
        award = award_offer(application=application, fund=fund, offering=offering, actor=staff)
    award_accept(award=award, actor=application.applicant)
    # A second applicant on the same pages leaves a draft near the deadline...
    _sign_up(language, f"late-{language}@example.org")
    late = Application.objects.get(applicant__email=f"late-{language}@example.org")
    _complete(late)
    late.refresh_from_db()
    Application.objects.filter(pk=late.pk).update(status=S.DRAFT)
    drafts_remind(now=application_deadline(application=late) - timedelta(days=2))
    # ...forgets a password, and somebody tries an unknown address.
    for email in (f"applicant-{language}@example.org", f"unknown-{language}@example.org"):
        client.logout()
        client.post(_url(language, "account_reset_password"), {"email": email})
    with translation.override("ru"):
        staff_digest_send(now=timezone.now())
        call_command(
            "send_test_notification",
            f"test-{language}@example.org",
            "--language",
            language,
            stdout=out,
        )
    return application, staff


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_every_mail_is_in_the_language_of_the_pages_the_applicant_used(language):
    _everything_happens_to(language)
    mails = list(OutgoingMail.objects.order_by("pk"))
    assert {mail.template for mail in mails} >= EVERY_MAIL - {"base"}
    problems = []
    for mail in mails:
        if mail.language != language:
            problems.append(f"{mail.template} to {mail.recipient}: language {mail.language}")
            continue
        subject, text, html = mail_render(mail)
        shown = f"{subject}\n{text}\n{visible_text(html, language)}"
        offences = language_offences(shown, language, APPLICANT_DATA | {STAFF_NAME})
        if offences:
            problems.append(f"{mail.template}: {offences[:5]}")
        for link in LINK.findall(text) + LINK.findall(html):
            if link.startswith(settings.SITE_URL) and not link.startswith(
                f"{settings.SITE_URL.rstrip('/')}/{language}/"
            ):
                problems.append(f"{mail.template}: link {link} is not under /{language}/")
        if mail.template in {"application_submitted", "status_changed", "scholarship_offered"}:
            expected, unexpected = (
                ("Aigerim", "Айгерім") if language == "en" else ("Айгерім", "Aigerim")
            )
            if expected not in text or unexpected in text:
                problems.append(f"{mail.template}: greets without {expected}")
    assert not problems, "\n".join(problems)

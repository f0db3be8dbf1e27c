"""The language a person uses is the language they get: sign-up page, explicit choices,
staff's own setting; English mail greets with the Latin name."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from admissions.applications.services import application_notify
from admissions.models import OutgoingMail, UserLanguage
from admissions.notifications.digest import staff_digest_send
from admissions.notifications.outbox import mail_render
from admissions.selectors import applicant_language
from tests.admissions.staff_helpers import application_for, officer, two_programs
from tests.factories import ApplicantProfileFactory, ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-password-2026"


def _url(language, name, **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_sign_up_page_language_becomes_the_language_of_mail(client, language):
    client.post(
        _url(language, "account_signup"),
        {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    preference = UserLanguage.objects.get(user__email="new@example.org")
    assert preference.language == language
    confirmation = OutgoingMail.objects.get(template="account_confirmation")
    assert confirmation.language == language
    assert f"/{language}/accounts/confirm-email/" in confirmation.context["confirm_url"]
    # The profile form (also the application's first step) offers that language.
    client.post(confirmation.context["confirm_url"].removeprefix(settings.SITE_URL))
    form = client.get(_url(language, "admissions:profile")).context["form"]
    assert form.initial["preferred_language"] == language


def test_switching_language_while_signed_in_is_an_explicit_choice(client):
    profile = ApplicantProfileFactory(preferred_language="kk")
    client.force_login(profile.user)
    client.post(_url("kk", "set_language"), {"language": "ru", "next": "/kk/"})
    profile.refresh_from_db()
    assert profile.preferred_language == "ru"
    assert applicant_language(profile.user) == "ru"


def test_switching_language_anonymously_records_nothing(client):
    client.post(_url("kk", "set_language"), {"language": "en", "next": "/kk/"})
    assert not UserLanguage.objects.exists()


def test_a_later_sign_up_default_never_overrides_a_choice():
    from admissions.applicants.services import user_language_set

    user = UserFactory()
    user_language_set(user=user, language="en")
    user_language_set(user=user, language="kk", explicit=False)
    assert applicant_language(user) == "en"


@pytest.mark.parametrize(("language", "name"), [("en", "Aigerim"), ("kk", "Айгерім")])
def test_mail_greets_with_the_name_written_for_its_language(language, name):
    profile = ApplicantProfileFactory(preferred_language=language)
    application = ApplicationFactory(applicant=profile.user, reference="KZO-2026-000001")
    application_notify(application=application, template="application_submitted", key="k")
    _subject, text, html = mail_render(OutgoingMail.objects.get())
    assert name in text and name in html
    other = "Айгерім" if language == "en" else "Aigerim"
    assert other not in text


def test_staff_get_the_digest_in_their_own_language_without_usernames(client):
    mine, _other = two_programs()
    morning = datetime(2025, 10, 1, 8, 0, tzinfo=ZoneInfo("Asia/Omsk"))
    application_for(mine, submitted_at=morning - timedelta(hours=3))
    kazakh = officer(username="officer-7", email="kk@example.org", first_name="Ерлан")
    english = officer(username="officer-8", email="en@example.org")
    client.force_login(kazakh)
    response = client.post(_url("ru", "admin:auth_user_my_language"), {"language": "kk"})
    assert response.status_code == 302
    UserLanguage.objects.create(user=english, language="en")
    staff_digest_send(now=morning)
    mails = {mail.recipient: mail for mail in OutgoingMail.objects.filter(template="staff_digest")}
    assert (mails["kk@example.org"].language, mails["en@example.org"].language) == ("kk", "en")
    for mail in mails.values():
        subject, text, html = mail_render(mail)
        assert "officer-" not in subject + text + html
    assert "Ерлан" in mail_render(mails["kk@example.org"])[1]


def test_the_staff_language_page_shows_the_current_choice(client):
    staff = officer()
    UserLanguage.objects.create(user=staff, language="en")
    client.force_login(staff)
    page = client.get(_url("kk", "admin:auth_user_my_language"))
    assert page.status_code == 200
    assert page.context["form"].initial["language"] == "en"

"""Accounts (django-allauth): every mail goes through the outbox, in the user's language."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from admissions.models import OutgoingMail
from admissions.selectors import email_is_confirmed
from tests.factories import ApplicantProfileFactory, UserFactory, confirm_email

pytestmark = pytest.mark.django_db

PASSWORD = "Kazakh-steppe-2025!"


def _url(name, language="ru", **kwargs):
    with translation.override(language):
        return reverse(name, kwargs=kwargs or None)


def _signup(client, django_capture_on_commit_callbacks, email="aigerim@example.org", lang="kk"):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            _url("account_signup", lang),
            {"email": email, "password1": PASSWORD, "password2": PASSWORD},
        )


def _link(text: str) -> str:
    return re.search(r"https?://\S+", text).group(0)


def test_signup_queues_one_confirmation_mail_in_the_page_language(
    client, django_capture_on_commit_callbacks
):
    response = _signup(client, django_capture_on_commit_callbacks, lang="kk")
    assert response.status_code == 302
    outbox = OutgoingMail.objects.get()
    assert outbox.template == "account_confirmation"
    assert outbox.language == "kk"
    assert outbox.recipient == "aigerim@example.org"
    assert outbox.context["confirm_url"].startswith("http")
    assert "/kk/accounts/confirm-email/" in outbox.context["confirm_url"]
    # Sent by the (eager) outbox task, exactly once.
    outbox.refresh_from_db()
    assert outbox.state == "sent"
    assert len(mail.outbox) == 1
    assert outbox.context["confirm_url"] in mail.outbox[0].body


def test_confirmation_link_from_the_mail_confirms_the_address(
    client, django_capture_on_commit_callbacks
):
    _signup(client, django_capture_on_commit_callbacks, lang="ru")
    user = EmailAddress.objects.get(email="aigerim@example.org").user
    assert not email_is_confirmed(user)
    link = _link(mail.outbox[0].body)
    page = client.get(link)
    assert page.status_code == 200
    assert 'method="post"' in page.content.decode()
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="aigerim@example.org").verified
    assert email_is_confirmed(user)


def test_unconfirmed_user_may_log_in_by_email(client):
    user = UserFactory(email="ivan@example.org")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    response = client.post(
        _url("account_login"),
        {"login": "ivan@example.org", "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert not email_is_confirmed(user)


def test_wrong_password_does_not_log_in(client):
    UserFactory(email="ivan@example.org")
    response = client.post(
        _url("account_login"), {"login": "ivan@example.org", "password": "wrong-password-1"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_password_reset_mail_goes_through_the_outbox_and_the_link_works(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="ivan@example.org")
    confirm_email(user)
    ApplicantProfileFactory(user=user, preferred_language="en")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("account_reset_password", "ru"), {"email": user.email})
    assert response.status_code == 302
    outbox = OutgoingMail.objects.get(template="password_reset")
    # The profile's language wins over the page language, link prefix included.
    assert outbox.language == "en"
    assert "/en/accounts/password/reset/key/" in outbox.context["reset_url"]
    assert len(mail.outbox) == 1
    link = _link(mail.outbox[0].body)
    page = client.get(link, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    new_password = "Omsk-Irtysh-river-42"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_each_reset_request_is_a_separate_mail(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="ivan@example.org")
    confirm_email(user)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(_url("account_reset_password"), {"email": user.email})
    assert OutgoingMail.objects.filter(template="password_reset").count() == 2


def test_other_allauth_messages_become_a_pre_rendered_notice(
    client, django_capture_on_commit_callbacks
):
    # A reset asked for an unknown address tells that address no account uses it.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("account_reset_password", "en"), {"email": "nobody@example.org"})
    notice = OutgoingMail.objects.get(template="account_notice")
    assert notice.recipient == "nobody@example.org"
    assert notice.language == "en"
    assert notice.context["subject"]
    assert "nobody@example.org" in notice.context["text"] or notice.context["text"]
    notice.refresh_from_db()
    assert notice.state == "sent"
    assert mail.outbox[-1].subject == notice.context["subject"]
    assert notice.idempotency_key.startswith("account_notice:unknown_account:")


def test_signup_with_a_taken_address_answers_like_a_new_one_and_mails_the_owner(
    client, django_capture_on_commit_callbacks
):
    """No account enumeration: the page cannot tell a taken address from a new one."""
    owner = UserFactory(email="taken@example.org")
    ApplicantProfileFactory(user=owner, preferred_language="kk")
    new = _signup(Client(), django_capture_on_commit_callbacks, email="new@example.org")
    taken = _signup(client, django_capture_on_commit_callbacks, email="taken@example.org")
    assert taken.status_code == new.status_code == 302
    assert taken["Location"] == new["Location"]
    assert "_auth_user_id" not in client.session
    assert get_user_model().objects.filter(email="taken@example.org").count() == 1
    notice = OutgoingMail.objects.get(recipient="taken@example.org")
    assert notice.template == "account_notice"
    assert notice.language == "kk"  # the owner's language, not the page's
    assert notice.state == "sent"
    assert "taken@example.org" in notice.context["text"]
    assert "/accounts/password/reset/" in notice.context["text"]
    assert "Someone (hopefully you)" not in notice.context["text"]  # translated
    assert notice.context["subject"]


def test_password_change_page_and_email_page_render_for_a_logged_in_user(client):
    user = UserFactory(email="ivan@example.org")
    confirm_email(user)
    client.force_login(user)
    for name in ("account_change_password", "account_email"):
        response = client.get(_url(name, "en"))
        assert response.status_code == 200
        assert "<h1" in response.content.decode()


def test_change_of_email_sends_a_confirmation_to_the_new_address(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="ivan@example.org")
    confirm_email(user)
    ApplicantProfileFactory(user=user, preferred_language="kk")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("account_email", "ru"), {"email": "new@example.org", "action_add": ""}
        )
    assert response.status_code == 302
    outbox = OutgoingMail.objects.get(template="account_confirmation")
    assert outbox.recipient == "new@example.org"
    assert outbox.language == "kk"
    assert "/kk/" in outbox.context["confirm_url"]


def test_password_change_works(client):
    user = UserFactory(email="ivan@example.org")
    client.force_login(user)
    response = client.post(
        _url("account_change_password"),
        {
            "oldpassword": "correct-horse-battery-staple",
            "password1": "Omsk-Irtysh-river-42",
            "password2": "Omsk-Irtysh-river-42",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Omsk-Irtysh-river-42")


@pytest.mark.parametrize(
    "name",
    ["account_login", "account_signup", "account_reset_password"],
)
@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_account_pages_use_the_site_layout(client, name, language):
    response = client.get(_url(name, language))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert 'id="main"' in html  # base.html
    assert "<label" in html


def test_password_change_sends_a_notice_in_the_profile_language(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="ivan@example.org")
    confirm_email(user)
    ApplicantProfileFactory(user=user, preferred_language="kk")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _url("account_change_password", "en"),
            {
                "oldpassword": "correct-horse-battery-staple",
                "password1": "Omsk-Irtysh-river-42",
                "password2": "Omsk-Irtysh-river-42",
            },
        )
    notice = OutgoingMail.objects.get(template="account_notice")
    assert notice.language == "kk"
    assert notice.recipient == "ivan@example.org"
    assert notice.idempotency_key.startswith("account_notice:password_changed:")
    assert "example.com" not in notice.context["text"]
    assert "<" not in mail.outbox[-1].subject


def test_notice_html_body_escapes_the_pre_rendered_text(django_capture_on_commit_callbacks):
    from admissions.notifications.outbox import notification_queue

    with django_capture_on_commit_callbacks(execute=True):
        notification_queue(
            recipient="ivan@example.org",
            template="account_notice",
            context={"subject": "Notice", "text": "Browser: <script>alert(1)</script>"},
            language="en",
            key="test-notice",
        )
    html = mail.outbox[-1].alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<script>alert(1)</script>" in mail.outbox[-1].body


def test_resending_the_confirmation_later_queues_a_new_mail(
    client, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _signup(client, django_capture_on_commit_callbacks, lang="ru")
        # Sign-up answers "check your mail" without signing in; the applicant signs in.
        client.post(
            _url("account_login", "ru"), {"login": "aigerim@example.org", "password": PASSWORD}
        )
    later = start + timedelta(minutes=5)
    with (
        time_machine.travel(later, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(
            _url("account_email", "ru"), {"email": "aigerim@example.org", "action_send": ""}
        )
    mails = OutgoingMail.objects.filter(template="account_confirmation")
    assert mails.count() == 2
    assert len({m.idempotency_key for m in mails}) == 2

"""The outbox in the admin: list, read the message as sent, re-send failed mail."""

from __future__ import annotations

import pytest
from django.core import mail as django_mail
from django.urls import reverse
from django.utils import translation

from admissions.enums import MailState
from admissions.models import OutgoingMail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST_QUERY_BUDGET = 8


def make_mail(number: int, **fields) -> OutgoingMail:
    defaults = {
        "recipient": f"applicant{number}@example.org",
        "template": "test_notification",
        "language": "kk",
        "idempotency_key": f"admin-test-{number}",
        "user": UserFactory(),
    }
    return OutgoingMail.objects.create(**{**defaults, **fields})


def admin_url(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(f"admin:admissions_outgoingmail_{name}", args=args)


@pytest.mark.parametrize("rows", [1, 30])
def test_changelist_stays_within_one_query_budget(
    admin_client, django_assert_max_num_queries, rows
):
    for number in range(rows):
        make_mail(number, state=MailState.SENT if number % 2 else MailState.FAILED)
    with django_assert_max_num_queries(CHANGELIST_QUERY_BUDGET):
        response = admin_client.get(admin_url("changelist"), {"state__exact": "failed"})
    assert response.status_code == 200
    assert b"applicant0@example.org" in response.content


def test_changelist_searches_by_recipient(admin_client):
    make_mail(1)
    make_mail(2)
    response = admin_client.get(admin_url("changelist"), {"q": "applicant2@"})
    assert b"applicant2@example.org" in response.content
    assert b"applicant1@example.org" not in response.content


def test_detail_shows_the_message_as_sent_without_running_it(admin_client):
    mail = make_mail(
        1,
        state=MailState.SENT,
        subject="Сынақ хат",
        body_text="Hello <b>there</b>",
        body_html='<p>Hi</p><script>alert("x")</script>',
    )
    response = admin_client.get(admin_url("change", mail.pk))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Сынақ хат" in content
    assert "Hello &lt;b&gt;there&lt;/b&gt;" in content
    assert '<iframe sandbox="" srcdoc="&lt;p&gt;Hi&lt;/p&gt;&lt;script&gt;' in content
    assert '<script>alert("x")</script>' not in content
    assert 'name="_save"' not in content  # read-only


def test_resend_action_queues_failed_mail_again_and_leaves_sent_mail_alone(
    admin_client, django_capture_on_commit_callbacks
):
    failed = make_mail(1, state=MailState.FAILED, attempts=6, last_error="SMTP down")
    sent = make_mail(2, state=MailState.SENT)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            admin_url("changelist"),
            {"action": "resend_failed", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert b"1 failed mail was queued again." in response.content
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.state, failed.attempts) == (MailState.SENT, 1)
    assert sent.state == MailState.SENT
    assert [message.to for message in django_mail.outbox] == [["applicant1@example.org"]]


def test_staff_without_permission_cannot_see_the_outbox(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(admin_url("changelist")).status_code == 403


@pytest.mark.parametrize("template", ["password_reset", "account_confirmation"])
def test_detail_hides_one_time_account_links_from_staff(admin_client, template):
    link = "http://127.0.0.1:8000/en/accounts/password/reset/key/secret-token/"
    mail = make_mail(
        2,
        template=template,
        state=MailState.SENT,
        context={"reset_url": link, "confirm_url": link},
        body_text=f"Reset: {link}",
        body_html=f'<a href="{link}">reset</a>',
    )
    response = admin_client.get(admin_url("change", mail.pk))
    assert response.status_code == 200
    assert "secret-token" not in response.content.decode()

"""Every mail ends with the admissions office's contacts (in the mail's language) and carries
a Reply-To to the office, so a reply reaches a person: the office's reply-to address
entered in the admin wins over the ADMISSIONS_REPLY_TO setting."""

from __future__ import annotations

import pytest

from admissions.models import AdmissionsOffice
from admissions.notifications.outbox import mail_render, notification_queue
from admissions.notifications.tasks import mail_send

pytestmark = pytest.mark.django_db


def office(**overrides) -> AdmissionsOffice:
    values = {
        "name_en": "Admissions office, KazNU branch in Omsk",
        "name_kk": "ҚазҰУ Омбы филиалының қабылдау комиссиясы",
        "address_en": "55a Mira Avenue, Omsk",
        "address_kk": "Мира даңғылы, 55а, Омбы",
        "phone": "+7 3812 67-04-52",
        "email": "priem@kaznu-omsk.example",
        **overrides,
    }
    return AdmissionsOffice.objects.create(**values)


def queue(key="office-1", language="en"):
    return notification_queue(
        recipient="applicant@example.org",
        template="test_notification",
        context={"requested_at": "2025-09-15T04:00:00+00:00"},
        language=language,
        key=key,
    )


def deliver(smtp_server, mail):
    assert mail_send.apply(args=(mail.pk,)).result == "sent"
    return smtp_server.wait_for(1)[0]


def test_reply_to_is_the_offices_reply_address_over_the_setting(
    smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.ADMISSIONS_REPLY_TO = "from-settings@kaznu-omsk.example"
    office(reply_to="answers@kaznu-omsk.example")
    with django_capture_on_commit_callbacks(execute=False):
        mail = queue()
    message = deliver(smtp_server, mail)
    assert message["Reply-To"] == "answers@kaznu-omsk.example"


def test_reply_to_falls_back_to_the_offices_e_mail_then_to_the_setting(
    smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.ADMISSIONS_REPLY_TO = "from-settings@kaznu-omsk.example"
    with django_capture_on_commit_callbacks(execute=False):
        first = queue("office-a")
    assert deliver(smtp_server, first)["Reply-To"] == "from-settings@kaznu-omsk.example"
    smtp_server.clear()
    office()
    with django_capture_on_commit_callbacks(execute=False):
        second = queue("office-b")
    assert deliver(smtp_server, second)["Reply-To"] == "priem@kaznu-omsk.example"


def test_without_office_or_setting_there_is_no_reply_to(
    smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.ADMISSIONS_REPLY_TO = ""
    with django_capture_on_commit_callbacks(execute=False):
        mail = queue()
    assert deliver(smtp_server, mail)["Reply-To"] is None


@pytest.mark.parametrize(
    ("language", "name", "address"),
    [
        ("en", "Admissions office, KazNU branch in Omsk", "55a Mira Avenue, Omsk"),
        ("kk", "ҚазҰУ Омбы филиалының қабылдау комиссиясы", "Мира даңғылы, 55а, Омбы"),
    ],
)
def test_the_mail_footer_has_the_contacts_in_the_mails_language_and_no_do_not_reply(
    language, name, address
):
    office()
    _subject, text, html = mail_render(queue(language=language))
    for body in (text, html):
        assert name in body
        assert address in body
        assert "+7 3812 67-04-52" in body
        assert "priem@kaznu-omsk.example" in body
        assert "do not reply" not in body.lower()
    assert 'href="mailto:priem@kaznu-omsk.example"' in html


def test_a_changed_office_is_in_the_next_mail():
    contacts = office()
    mail_render(queue("first"))  # read once and cached
    contacts.phone = "+7 3812 11-22-33"
    contacts.save()
    _subject, text, _html = mail_render(queue("second"))
    assert "+7 3812 11-22-33" in text


def test_without_an_office_the_footer_says_nothing_about_replies():
    _subject, text, html = mail_render(queue())
    assert "do not reply" not in text.lower() and "do not reply" not in html.lower()
    assert "A reply reaches the admissions office" not in text
    assert "Phone:" not in text

"""Every e-mail template renders in every language, with every variable it uses."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.utils import translation

from admissions.models import AdmissionsOffice, OutgoingMail
from admissions.notifications.outbox import mail_render
from admissions.templatetags.mail_tags import local_datetime, status_label

MISSING = "@@MISSING-VARIABLE@@"

DIGEST = {
    "name": "Reviewer One",
    "date": "2025-10-01",
    "new_count": 1,
    "new_references": ["KZO-2025-000101"],
    "documents_count": 2,
    "reviews_owed_count": 1,
    "reviews_owed_references": ["KZO-2025-000103"],
    "is_officer": True,
    "is_reviewer": True,
    "blind": False,
}
APPLICATION = {"application_id": 1, "reference": "KZO-2025-000123", "name": "Айгерім"}
OFFER = {
    "fund": "Government of Kazakhstan",
    "program": "International Law (bachelor's)",
    "respond_by": "2025-10-05T12:00:00+00:00",
    "offer_url": "https://admissions.example.org/kk/applicant/offer/1/",
}
# What the applicant must do next, as `application_notify` adds it to the status mails.
NEXT_STEPS = [
    {"title": "Hand in your original documents", "instructions": "Room 108", "due": "2025-10-01"},
    {"title": "Tell us when you arrive", "instructions": "", "due": ""},
]
# The context each notification is queued with (the contract with the code that queues it).
CONTEXTS = {
    "test_notification": {"requested_at": "2025-09-15T04:00:00+00:00"},
    "application_submitted": {**APPLICATION, "status": "submitted", "next_steps": []},
    "status_changed": {
        **APPLICATION,
        "status": "under_review",
        "from_status": "submitted",
        "to_status": "under_review",
        "note": "",
        "next_steps": NEXT_STEPS,
    },
    "documents_requested": {
        **APPLICATION,
        "status": "documents_requested",
        "from_status": "under_review",
        "to_status": "documents_requested",
        "note": "Please upload a clearer scan of your diploma.",
        "requested_kinds": ["education", "transcript"],
        "next_steps": [],
    },
    "documents_uploaded": {
        "application_id": 1,
        "reference": "KZO-2025-000123",
        "requested_kinds": ["education"],
        "requested_at": "2025-09-15T04:00:00+00:00",
    },
    "account_confirmation": {"confirm_url": "https://admissions.example.org/kk/accounts/c/x/"},
    "account_notice": {
        "subject": "Your password was changed",
        "text": "Your password was changed on <date> & time.",
    },
    "password_reset": {"reset_url": "https://admissions.example.org/kk/accounts/r/x/"},
    "draft_reminder": {
        "days_left": 3,
        "deadline": "2025-09-30T18:00:00+00:00",
        "reference": "",
        "name": "",
    },
    "scholarship_offered": {**APPLICATION, **OFFER},
    "offer_accepted": {**APPLICATION, **OFFER, "next_steps": NEXT_STEPS},
    "offer_expiring": {**APPLICATION, **OFFER},
    "offer_expired": {**APPLICATION, **OFFER},
    "staff_digest": DIGEST,
}
LANGUAGES = [code for code, _name in django_settings.LANGUAGES]


@pytest.fixture
def strict_templates(settings):
    templates = [dict(engine) for engine in settings.TEMPLATES]
    templates[0]["OPTIONS"] = {**templates[0]["OPTIONS"], "string_if_invalid": MISSING}
    settings.TEMPLATES = templates


def test_every_template_file_exists_for_every_notification():
    folder = django_settings.BASE_DIR / "templates" / "emails"
    names = {path.name.split(".")[0] for path in folder.glob("*.*") if path.stem[0] != "_"}
    assert names - {"base"} == set(CONTEXTS)
    for name in CONTEXTS:
        for suffix in ("subject.txt", "txt", "html"):
            assert (folder / f"{name}.{suffix}").is_file(), f"{name}.{suffix}"


@pytest.mark.django_db
@pytest.mark.parametrize("with_office", [False, True], ids=["no-office", "office"])
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("template", sorted(CONTEXTS))
def test_template_renders_with_no_missing_variable(
    template, language, with_office, strict_templates
):
    if with_office:  # the footer of every mail: the office's contacts (read when sent)
        AdmissionsOffice.objects.create(
            name="Admissions office",
            address="55a Mira Avenue, Omsk",
            phone="+7 3812 67-04-52",
            email="priem@kaznu-omsk.example",
        )
    mail = OutgoingMail(
        pk=1, template=template, language=language, context=CONTEXTS[template], idempotency_key="k"
    )
    subject, text, html = mail_render(mail)
    for part in (subject, text, html):
        assert MISSING not in part
    assert subject and "\n" not in subject and len(subject) < 200
    assert f'<html lang="{language}">' in html
    assert f"/{language}/" in text  # links carry the recipient's language
    assert "&amp;" not in text and "&lt;" not in text and "&#x27;" not in subject


def test_status_labels_are_rendered_in_the_active_language():
    with translation.override("en"):
        assert status_label("under_review") == "Under review"
    assert status_label("no_such_status") == "no_such_status"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "15 September 2025, 10:00"),
        ("ru", "15 сентября 2025 г., 10:00"),
        ("kk", "15 қыркүйек 2025 ж., 10:00"),
    ],
)
def test_iso_dates_are_shown_in_omsk_time(language, expected):
    with translation.override(language):
        assert local_datetime("2025-09-15T04:00:00+00:00") == expected
        assert local_datetime("2025-09-15T04:00:00Z") == expected


def test_kazakh_dates_use_kazakh_month_names_in_omsk_time():
    with translation.override("kk"):
        shown = local_datetime("2025-09-15T04:00:00+00:00")
    assert shown == "15 қыркүйек 2025 ж., 10:00"  # month in lower case inside a date


def test_unparseable_dates_are_shown_as_given():
    assert local_datetime("soon") == "soon"
    assert local_datetime(None) == ""

"""The applicant's profile: form rules, the save service and the page."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from admissions.applicants.forms import ApplicantProfileForm
from admissions.applicants.services import profile_save
from admissions.enums import ApplicationStatus
from admissions.errors import DomainError
from admissions.models import ApplicantProfile
from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    UserFactory,
    profile_form_data,
)

pytestmark = pytest.mark.django_db


def _data(**overrides):
    return profile_form_data(**overrides)


def _url(language="ru"):
    with translation.override(language):
        return reverse("admissions:profile")


def test_valid_profile_form_and_save_creates_the_profile():
    user = UserFactory()
    form = ApplicantProfileForm(_data(), user=user)
    assert form.is_valid(), form.errors
    profile = profile_save(user=user, data=form.cleaned_data)
    assert profile.pk
    assert profile.identifier == "060315601239"
    assert profile.phone.as_e164 == "+77011234567"
    assert profile.preferred_language == "kk"


def test_snils_is_stored_as_digits():
    user = UserFactory()
    form = ApplicantProfileForm(
        _data(citizenship="RU", identifier_kind="snils", identifier="112-233-445 95"), user=user
    )
    assert form.is_valid(), form.errors
    assert profile_save(user=user, data=form.cleaned_data).identifier == "11223344595"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        (
            {"birth_date": (date.today() + timedelta(days=1)).isoformat()},
            "birth_date",
            "birth_date_future",
        ),
        (
            {"birth_date": (date.today() - timedelta(days=14 * 365)).isoformat()},
            "birth_date",
            "too_young",
        ),
        ({"phone": "12345"}, "phone", None),
        ({"phone": "+7 000"}, "phone", None),
        ({"last_name_latin": "Сейтқали"}, "last_name_latin", "latin_only"),
        ({"first_name_latin": "Aigerim1"}, "first_name_latin", "latin_only"),
        ({"first_name_latin": "<script>"}, "first_name_latin", "latin_only"),
        ({"first_name_native": "<b>Айгерім</b>"}, "first_name_native", "name_characters"),
        ({"identifier": "060315601238"}, "identifier", "iin_check_digit"),
        ({"identifier": "061315601239"}, "identifier", "iin_date"),
        ({"identifier": "06031560123"}, "identifier", "iin_length"),
        (
            {"identifier_kind": "snils", "identifier": "112-233-445 96"},
            "identifier",
            "snils_check_number",
        ),
        ({"identifier_kind": "passport", "identifier": "N 1"}, "identifier", "passport_format"),
        ({"identifier": "000101500120"}, "identifier", "iin_birth_date"),
    ],
)
def test_bad_profile_input_is_refused_with_a_field_error(overrides, field, code):
    form = ApplicantProfileForm(_data(**overrides), user=UserFactory())
    assert not form.is_valid()
    assert field in form.errors
    if code:
        assert form.has_error(field, code)


def test_latin_names_may_have_hyphens_apostrophes_and_spaces():
    form = ApplicantProfileForm(
        _data(last_name_latin="O'Neil-Smith", first_name_latin="Anna Maria"), user=UserFactory()
    )
    assert form.is_valid(), form.errors


def test_exactly_fifteen_years_old_is_accepted():
    today = timezone.localdate()
    try:
        born = today.replace(year=today.year - 15)
    except ValueError:  # 29 February
        born = today.replace(year=today.year - 15, day=28)
    form = ApplicantProfileForm(
        _data(birth_date=born.isoformat(), identifier_kind="passport", identifier="N1234567"),
        user=UserFactory(),
    )
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_bad_input_on_the_page_shows_errors_in_the_page_language_and_saves_nothing(
    client, language
):
    user = UserFactory()
    client.force_login(user)
    response = client.post(_url(language), _data(identifier="060315601238"))
    assert response.status_code == 200
    form = response.context["form"]
    with translation.override(language):
        from django.utils.translation import gettext

        expected = gettext(
            "This IIN is not valid: its check digit does not match. Please check it."
        )
    assert expected in form.errors["identifier"]
    assert f'<html lang="{language}">' in response.content.decode()
    assert not ApplicantProfile.objects.filter(user=user).exists()


def test_bad_input_keeps_the_saved_profile(client):
    profile = ApplicantProfileFactory(first_name_latin="Aigerim")
    client.force_login(profile.user)
    client.post(_url(), _data(first_name_latin="Айгерим"))
    profile.refresh_from_db()
    assert profile.first_name_latin == "Aigerim"


def test_profile_page_get_and_post(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(_url("en")).status_code == 200
    response = client.post(_url("en"), _data())
    assert response.status_code == 302
    assert ApplicantProfile.objects.get(user=user).first_name_latin == "Aigerim"


def test_profile_page_requires_login(client):
    response = client.get(_url())
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_free_text_is_shown_escaped(client):
    profile = ApplicantProfileFactory(first_name_native="<script>alert(1)</script>")
    client.force_login(profile.user)
    html = client.get(_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_identity_is_frozen_while_an_application_is_considered():
    profile = ApplicantProfileFactory()
    ApplicationFactory(applicant=profile.user, status=ApplicationStatus.UNDER_REVIEW)
    with pytest.raises(DomainError):
        profile_save(user=profile.user, data={"last_name_latin": "Other"})
    profile.refresh_from_db()
    assert profile.last_name_latin == "Seitkali"
    # Contact details stay editable.
    profile_save(user=profile.user, data={"phone": "+79131234567", "preferred_language": "en"})
    profile.refresh_from_db()
    assert profile.preferred_language == "en"


def test_identity_fields_are_disabled_in_the_form_when_frozen(client):
    profile = ApplicantProfileFactory()
    ApplicationFactory(applicant=profile.user, status=ApplicationStatus.SUBMITTED)
    client.force_login(profile.user)
    posted = _data(
        last_name_latin="Hacked",
        identifier_kind="passport",
        identifier=profile.identifier,
        preferred_language="en",
    )
    response = client.post(_url(), posted)
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.last_name_latin == "Seitkali"  # disabled field: posted value ignored
    assert profile.preferred_language == "en"


def test_withdrawn_or_draft_applications_do_not_freeze_the_identity():
    profile = ApplicantProfileFactory()
    ApplicationFactory(applicant=profile.user, status=ApplicationStatus.WITHDRAWN)
    profile_save(user=profile.user, data={"last_name_latin": "Other"})
    profile.refresh_from_db()
    assert profile.last_name_latin == "Other"

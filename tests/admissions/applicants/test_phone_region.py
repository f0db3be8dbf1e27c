"""Phones are read in the applicant's country (Kazakhstan or Russia, both +7): the
domestic form is accepted and stored in E.164, and a refusal shows a +7 example in the
page's language."""

import pytest
from django.urls import reverse
from django.utils import translation

from admissions.applicants.forms import ApplicantProfileForm, phone_region
from admissions.models import ApplicantProfile
from tests.factories import UserFactory, profile_form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("citizenship", "typed", "stored"),
    [
        ("KZ", "8 701 123 45 67", "+77011234567"),
        ("KZ", "8 (701) 123-45-67", "+77011234567"),
        ("RU", "8 912 123 45 67", "+79121234567"),
        ("RU", "+7 912 123-45-67", "+79121234567"),
        ("UZ", "+998 90 123 45 67", "+998901234567"),
    ],
)
def test_domestic_and_international_forms_are_stored_as_e164(citizenship, typed, stored):
    identifier = {"identifier_kind": "passport", "identifier": "N12345678"}
    data = profile_form_data(citizenship=citizenship, phone=typed, **identifier)
    form = ApplicantProfileForm(data, user=UserFactory())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"].as_e164 == stored


def test_the_region_follows_the_citizenship_and_defaults_to_kazakhstan():
    assert (phone_region("KZ"), phone_region("RU"), phone_region("UZ"), phone_region("")) == (
        "KZ",
        "RU",
        "KZ",
        "KZ",
    )


def test_the_profile_page_stores_a_phone_typed_the_kazakh_way(client):
    user = UserFactory()
    client.force_login(user)
    with translation.override("kk"):
        url = reverse("admissions:profile")
    response = client.post(url, profile_form_data(phone="8 701 123 45 67"))
    assert response.status_code == 302
    assert str(ApplicantProfile.objects.get(user=user).phone.as_e164) == "+77011234567"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("kk", "Дұрыс телефон нөмірін енгізіңіз"),
        ("ru", "Введите корректный номер телефона"),
        ("en", "Enter a valid phone number"),
    ],
)
def test_a_wrong_phone_is_refused_in_the_page_language_with_a_plus_7_example(
    client, language, words
):
    client.force_login(UserFactory())
    with translation.override(language):
        url = reverse("admissions:profile")
    response = client.post(url, profile_form_data(phone="8 701 12"))
    page = response.content.decode()
    assert words in page
    assert "+7 701 123 45 67" in page
    assert "+1212" not in page and "+12125552368" not in page

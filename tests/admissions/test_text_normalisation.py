"""One input rule everywhere: NFC and stripped before validation; identifiers without the
spaces, dashes and full-width digits people type."""

from __future__ import annotations

import unicodedata

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from admissions.applicants.forms import ApplicantProfileForm
from admissions.applications.forms import MotivationForm
from admissions.text import normalise_email, normalise_identifier_text, normalise_text
from tests.factories import ApplicantProfileFactory, StaffFactory, UserFactory, profile_form_data

pytestmark = pytest.mark.django_db

DECOMPOSED_YOLKINA = "Е\u0308лкина"  # Е + COMBINING DIAERESIS, as some keyboards type it


def test_the_rule_itself():
    assert normalise_text(f"  {DECOMPOSED_YOLKINA}\u00a0") == "Ёлкина"
    assert normalise_text("Ai\u200bgerim") == "Aigerim"
    assert normalise_text(None) == ""
    assert normalise_email(" Aigerim@Example.ORG ") == "aigerim@example.org"
    assert normalise_identifier_text("147 258 369 88") == "14725836988"
    assert normalise_identifier_text("\uff11\uff14\uff17-258\u2013369\u00a088") == "14725836988"


def test_decomposed_surname_is_accepted_as_letters_and_stored_composed():
    assert not unicodedata.is_normalized("NFC", DECOMPOSED_YOLKINA)
    form = ApplicantProfileForm(
        profile_form_data(last_name_native=DECOMPOSED_YOLKINA), user=UserFactory()
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["last_name_native"] == "Ёлкина"


def test_snils_with_spaces_is_accepted_by_the_profile_form():
    form = ApplicantProfileForm(
        profile_form_data(citizenship="RU", identifier_kind="snils", identifier="147 258 369 88"),
        user=UserFactory(),
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["identifier"] == "14725836988"


def test_free_text_is_normalised_too():
    text = "  Мен Ёлкина" + " сөз" * 60 + "  "
    decomposed = unicodedata.normalize("NFD", text)
    form = MotivationForm({"motivation": decomposed})
    form.is_valid()
    if "motivation" in form.cleaned_data:
        assert form.cleaned_data["motivation"] == unicodedata.normalize("NFC", text).strip()
    assert form.data["motivation"] == unicodedata.normalize("NFC", text).strip()


def test_sign_up_e_mail_is_normalised_and_passwords_are_left_alone(client):
    password = "  Kazakh steppe 2025!  "  # leading and trailing spaces are part of it
    with translation.override("en"):
        signup, login = reverse("account_signup"), reverse("account_login")
    response = client.post(
        signup,
        {"email": "  Zhanar@Example.org\u00a0", "password1": password, "password2": password},
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="zhanar@example.org")
    assert EmailAddress.objects.filter(user=user, email="zhanar@example.org").exists()
    client.logout()
    assert client.post(login, {"login": "zhanar@example.org", "password": password.strip()})
    assert "_auth_user_id" not in client.session
    response = client.post(login, {"login": " ZHANAR@example.org ", "password": password})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_admin_search_finds_a_composed_name_typed_decomposed(client):
    profile = ApplicantProfileFactory(last_name_native="Ёлкина")
    from tests.factories import ApplicationFactory

    ApplicationFactory(applicant=profile.user)
    client.force_login(StaffFactory(is_superuser=True))
    with translation.override("en"):
        url = reverse("admin:admissions_application_changelist")
    response = client.get(url, {"q": f" {DECOMPOSED_YOLKINA} "})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 1

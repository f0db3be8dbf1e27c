"""Country names come from CLDR (Babel) in the page's language, in the nominative, sorted
by that language's alphabet; every country list of the portal uses them."""

import pytest
from django.urls import reverse
from django.utils import translation

from config.countries import ALPHABETS, alphabet_sort_key, countries, country_name
from tests.factories import UserFactory


def _names(language: str) -> list[str]:
    with translation.override(language):
        # The first entries are COUNTRIES_FIRST (Kazakhstan, Russia), repeated in place.
        return [name for _code, name in countries][2:]


def test_kazakh_list_is_in_cldr_kazakh_and_kazakh_alphabetical_order():
    names = _names("kk")
    assert "Әзірбайжан" in names and "Қазақстан" in names and "Ресей" in names
    azerbaijan, kazakhstan = names.index("Әзірбайжан"), names.index("Қазақстан")
    assert all(names.index(n) < azerbaijan for n in names if n[0] == "А")
    assert all(names.index(n) < kazakhstan for n in names if n[0] == "К")
    assert names == sorted(names, key=lambda name: alphabet_sort_key(name, "kk"))
    # No Russian-only forms: CLDR's Kazakh names.
    assert "Азербайджан" not in names and "Казахстан" not in names


def test_russian_list_is_nominative_and_in_russian_order():
    names = _names("ru")
    assert {"Либерия", "Мьянма (Бирма)", "Сан-Марино"} <= set(names)
    assert not {"Либерии", "Мьянмы", "Сан - Марино"} & set(names)
    assert names.index("Камбоджа") < names.index("Канада") < names.index("Китай")
    assert names.index("Китай") < names.index("Чад") < names.index("Чили")


def test_english_list_sorts_accented_letters_with_their_base_letter():
    names = _names("en")
    assert names.index("Åland Islands") < names.index("Albania")
    assert names.index("Curaçao") < names.index("Cyprus")


def test_the_kazakh_alphabet_has_its_42_letters_in_order():
    assert len(ALPHABETS["kk"]) == 42
    assert ALPHABETS["kk"].index("і") > ALPHABETS["kk"].index("ы")
    assert ALPHABETS["kk"].index("ұ") < ALPHABETS["kk"].index("ү")


def test_a_country_field_shows_the_cldr_name_in_the_active_language():
    assert country_name("KZ", "kk") == "Қазақстан"
    with translation.override("ru"):
        assert country_name("KZ") == "Казахстан"


@pytest.mark.django_db
def test_the_profile_form_lists_countries_in_kazakh_order(client):
    client.force_login(UserFactory())
    with translation.override("kk"):
        page = client.get(reverse("admissions:profile")).content.decode()
    assert page.index(">Қазақстан<") < page.index(">Ресей<") < page.index(">Ауғанстан<")
    assert page.index(">Ауғанстан<") < page.index(">Әзірбайжан<") < page.index(">Бангладеш<")

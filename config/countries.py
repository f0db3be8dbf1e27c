"""Country names from CLDR (through Babel), in the page's language and its alphabet order.

django-countries translates its English names with gettext: it has no Kazakh catalogue
(kk pages showed Russian names), some of its Russian names are in the genitive ("Либерии")
or oddly spaced ("Сан - Марино"), and without PyICU it sorts by the ASCII form of a name,
which for Cyrillic is empty, so kk and ru lists came out in English order. `CldrCountries`
keeps django-countries' list of codes, fields, widgets and options (COUNTRIES_FIRST...) and
changes two things: a name is CLDR's nominative name for the active language, and lists are
sorted by that language's alphabet (`ALPHABETS`).

Every CountryField of the project passes ``countries=CldrCountries``; code that lists or
names countries outside a field imports `countries` from here.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from babel import Locale
from django.conf import settings
from django.utils.translation import get_language
from django_countries import Countries, CountryTuple

__all__ = ["ALPHABETS", "CldrCountries", "alphabet_sort_key", "countries", "country_name"]

# The order of letters in each language. Kazakh (the 2021 standard Cyrillic alphabet of
# 42 letters) puts its own letters after their nearest Russian ones and і after ы, which no
# generic collation does (Unicode's default puts і after и and ү before ұ).
ALPHABETS = {
    "kk": "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "en": "abcdefghijklmnopqrstuvwxyz",
}


@cache
def _letter_ranks(language: str) -> dict[str, int]:
    ranks: dict[str, int] = {}
    # Letters of the other scripts follow, so a Latin name in a Cyrillic list (or the
    # reverse) still has a stable place.
    for offset, code in enumerate([language, *sorted(set(ALPHABETS) - {language})]):
        for position, letter in enumerate(ALPHABETS[code]):
            ranks.setdefault(letter, 100 * offset + position + 1)
    return ranks


def alphabet_sort_key(text: str, language: str) -> tuple[int, ...]:
    """A key that sorts `text` by `language`'s alphabet (a code of ALPHABETS).

    Case is ignored; a letter outside the alphabet counts as its base letter ("Åland" as
    "Aland", "Côte" as "Cote"); spaces sort before any letter and other punctuation is
    ignored ("Сан-Марино" as "санмарино").
    """
    ranks = _letter_ranks(language if language in ALPHABETS else "en")
    key: list[int] = []
    for char in text.lower():
        if char in ranks:
            key.append(ranks[char])
        elif char.isspace():
            key.append(0)
        else:
            base = unicodedata.normalize("NFD", char)[0]
            if base in ranks:
                key.append(ranks[base])
            elif char.isalnum():
                key.append(10_000 + ord(char))
    return tuple(key)


def _language() -> str:
    code = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return code if code in ALPHABETS else settings.LANGUAGE_CODE


@cache
def _cldr_names(language: str) -> dict[str, str]:
    return dict(Locale.parse(language).territories)


def country_name(code: str, language: str | None = None) -> str:
    """CLDR's name of the country `code` (ISO 3166 alpha-2) in `language` (default: the
    active one), or "" for a code CLDR does not know."""
    return _cldr_names(language or _language()).get(str(code).upper(), "")


class CldrCountries(Countries):
    """django-countries' list with CLDR names, sorted by the active language's alphabet."""

    def translate_pair(self, code: str, name=None) -> CountryTuple:
        cldr = country_name(code)
        if cldr:
            return CountryTuple(code, cldr)
        return super().translate_pair(code, name)

    def __iter__(self):
        language = _language()
        first = [self.alpha2(code) for code in self._resolve_first_countries()]
        first = [code for code in first if code in self.countries]
        cache_key = (language, tuple(first), self.get_option("first_repeat"))
        cached = self.__dict__.setdefault("_cldr_iter_cache", {})
        if cache_key not in cached:
            results = [self.translate_pair(code) for code in first]
            skip = set() if self.get_option("first_repeat") else set(first)
            rest = [self.translate_pair(code) for code in self.countries if code not in skip]
            rest.sort(key=lambda country: alphabet_sort_key(country.name, language))
            cached[cache_key] = results + rest
        yield from cached[cache_key]


countries = CldrCountries()

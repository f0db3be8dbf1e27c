"""What "a page in one language contains a sentence of another" means, as code.

* A Kazakh page must contain no sentence of the Russian catalogues (the project's and the
  libraries'): any literal run of three or more words of a Russian msgstr is a fallback
  that reached a Kazakh reader.
* A Russian page must contain no Kazakh-only sentence (a run of three or more words of a
  Kazakh msgstr that has a letter Russian lacks: ә ғ қ ң ө ұ ү һ і).
* An English page must contain no Cyrillic at all, outside the applicants' own data.

Text marked with another language (`lang="kk"` on the language switcher's names, say) is
what it says it is and is not checked against the page's language.
"""

from __future__ import annotations

import glob
import re
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import polib
from django.conf import settings

SITE_PACKAGES = Path(polib.__file__).resolve().parent
# The libraries whose messages the portal's users meet (their Russian catalogues are where
# a Kazakh page's fallback text comes from).
LIBRARY_CATALOGUES = (
    "django/conf/locale",
    "django/contrib/admin/locale",
    "django/contrib/auth/locale",
    "django/contrib/contenttypes/locale",
    "django/contrib/sites/locale",
    "django/contrib/sessions/locale",
    "django/contrib/humanize/locale",
    "allauth/locale",
    "axes/locale",
    "django_celery_beat/locale",
    "django_countries/locale",
    "import_export/locale",
    "phonenumber_field/locale",
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sdrf]|%[sdrf]|\{\w*\}|<[^>]+>|&\w+;")
WORD = re.compile(r"[^\W\d_]+(?:[-’'][^\W\d_]+)*", re.UNICODE)
KAZAKH_ONLY_LETTERS = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]+")
MIN_WORDS = 3


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.lower() for word in WORD.findall(text))


def _fragments(msgstr: str) -> list[tuple[str, ...]]:
    """The literal runs of words of a message, placeholders and markup cut out."""
    return [words for part in PLACEHOLDER.split(msgstr) if len(words := _words(part)) >= MIN_WORDS]


def _msgstrs(path: str) -> list[str]:
    try:
        catalogue = polib.pofile(path)
    except OSError:
        return []
    texts = []
    for entry in catalogue:
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        texts.extend([entry.msgstr, *entry.msgstr_plural.values()])
    return [text for text in texts if text]


def catalogue_texts(language: str) -> list[str]:
    """Every msgstr of `language` in the project's and the libraries' catalogues."""
    paths = []
    for locale_dir in settings.LOCALE_PATHS:
        paths += glob.glob(f"{locale_dir}/{language}/LC_MESSAGES/*.po")
    for library in LIBRARY_CATALOGUES:
        paths += glob.glob(f"{SITE_PACKAGES / library}/{language}/LC_MESSAGES/*.po")
    return [text for path in paths for text in _msgstrs(path)]


@dataclass
class SentenceIndex:
    """Word runs to look for, indexed by their first three words (fast on long pages)."""

    by_head: dict[tuple[str, ...], set[tuple[str, ...]]] = field(default_factory=dict)

    def add(self, words: tuple[str, ...]) -> None:
        self.by_head.setdefault(words[:MIN_WORDS], set()).add(words)

    def discard_all(self, other: set[tuple[str, ...]]) -> None:
        for words in other:
            runs = self.by_head.get(words[:MIN_WORDS])
            if runs:
                runs.discard(words)

    def found_in(self, text: str) -> list[str]:
        words = _words(text)
        found = set()
        for start in range(len(words) - MIN_WORDS + 1):
            for run in self.by_head.get(words[start : start + MIN_WORDS], ()):
                if words[start : start + len(run)] == run:
                    found.add(" ".join(run))
        return sorted(found)


@cache
def foreign_sentences(language: str) -> SentenceIndex:
    """The sentences that must not appear on a page in `language` (kk or ru)."""
    other = {"kk": "ru", "ru": "kk"}[language]
    own = {words for text in catalogue_texts(language) for words in _fragments(text)}
    index = SentenceIndex()
    for text in catalogue_texts(other):
        if other == "kk" and not KAZAKH_ONLY_LETTERS.search(text):
            continue  # a Kazakh message written in letters Russian shares proves nothing
        for words in _fragments(text):
            index.add(words)
    index.discard_all(own)  # the same words in both catalogues (names, terms)
    return index


class VisibleText(HTMLParser):
    """The text a reader meets on an HTML page: element text, and the attributes read
    aloud or shown (title, alt, placeholder, aria-label, button values); not scripts,
    styles, form values typed by the user, nor text marked with another language."""

    SKIPPED = {"script", "style", "textarea", "template"}
    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }
    SHOWN_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label")

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, str | None, bool]] = []
        self.parts: list[str] = []

    def _current_language(self) -> str:
        for _tag, lang, _skip in reversed(self.stack):
            if lang:
                return lang.split("-")[0]
        return self.language

    def _skipping(self) -> bool:
        return any(skip for _tag, _lang, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        lang = attributes.get("lang")
        if tag not in self.VOID:
            self.stack.append((tag, lang, tag in self.SKIPPED))
        if self._skipping():
            return
        own_language = (lang or self._current_language()).split("-")[0] == self.language
        if not own_language:
            return
        for name in self.SHOWN_ATTRIBUTES:
            if attributes.get(name):
                self.parts.append(attributes[name])
        if tag == "input" and attributes.get("type") in {"submit", "button", "reset"}:
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        for position in range(len(self.stack) - 1, -1, -1):
            if self.stack[position][0] == tag:
                del self.stack[position:]
                return

    def handle_data(self, data):
        if not self._skipping() and self._current_language() == self.language:
            self.parts.append(data)

    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def visible_text(html: str, language: str) -> str:
    parser = VisibleText(language)
    parser.feed(html)
    parser.close()
    return parser.text()


def language_offences(text: str, language: str, own_data: set[str] = frozenset()) -> list[str]:
    """What in `text` (already reduced to what a reader sees) is in another language than
    `language`; `own_data` are values the applicants typed (names...), allowed anywhere."""
    for value in sorted(own_data, key=len, reverse=True):
        if value:
            text = text.replace(value, " ")
    if language == "en":
        return sorted({match.group() for match in CYRILLIC.finditer(text)})
    return foreign_sentences(language).found_in(text)

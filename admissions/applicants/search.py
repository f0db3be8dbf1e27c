"""Finding applicants the way staff type: names folded, transliterated, phones and ids in
any format, partial reference numbers.

Names are matched against `ApplicantProfile.search_key`, a stored, normalised text kept up
to date by `profile_save` (and by every bulk path that writes profiles): the native names
with Kazakh and Russian letters folded to the letters a Russian keyboard has, the Latin
names folded to a loose spelling, and a transliteration of the native names into that same
loose Latin. A query word is folded the same way and looked up with `contains` on the key,
which behaves the same on SQLite and PostgreSQL (both sides are lower-case already, so no
database collation or `lower()` of Cyrillic is involved).

Why folding: a Russian keyboard has no қ, ғ, ң, ө, ұ, ү, һ, і, ә; a staff member types
"Сейткали" for "Сейтқали". Passports and applicants spell the Latin name in several
systems ("Seitqali", "Seytkali", "Seitkaly"), so the Latin fold removes the differences
those systems make.
"""

from __future__ import annotations

import re
import unicodedata

from django.db.models import Q

__all__ = [
    "applicant_search_condition",
    "fold_cyrillic",
    "fold_latin",
    "profile_search_key",
    "reference_search_condition",
]

# Kazakh letters and their nearest letter on a Russian keyboard (ұ and ү both to у).
KAZAKH_FOLD = str.maketrans(
    {"қ": "к", "ғ": "г", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и", "ә": "а"}
)
# ё is typed as е by most; й is often written и in Latin spellings.
RUSSIAN_FOLD = str.maketrans({"ё": "е", "й": "и"})

CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
    "и": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip

# Spellings that transliteration systems disagree on, reduced to one (order matters:
# digraphs first). The result is only ever compared with another folded string.
LATIN_VARIANTS = (
    ("shch", "sh"),
    ("zh", "j"),
    ("kh", "h"),
    ("ts", "c"),
    ("ch", "c"),
    ("sh", "s"),
    ("q", "k"),
    ("w", "v"),
    ("x", "ks"),
    ("ye", "e"),  # е after a vowel: "Zhanabayev" for Жанабаев
    ("y", "i"),
    ("ı", "i"),
)
NOT_A_LETTER = re.compile(r"[^\w]+")
REPEATED_LETTER = re.compile(r"(\w)\1+")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_cyrillic(text: str) -> str:
    """`text` lower-cased, Kazakh letters folded (қ→к, ғ→г, ң→н, ө→о, ұ/ү→у, һ→х, і→и,
    ә→а), ё→е, й→и; anything that is not a letter or digit becomes a space."""
    text = unicodedata.normalize("NFC", text).lower().translate(KAZAKH_FOLD)
    text = text.translate(RUSSIAN_FOLD)
    return NOT_A_LETTER.sub(" ", text).strip()


def fold_latin(text: str) -> str:
    """`text` as loose Latin: Cyrillic transliterated, accents dropped, the variants of
    transliteration systems merged (kh/h, zh/j, y/i, q/k, ...), doubled letters single."""
    text = fold_cyrillic(text)
    text = "".join(CYRILLIC_TO_LATIN.get(c, c) for c in text)
    text = _strip_marks(text)
    for variant, common in LATIN_VARIANTS:
        text = text.replace(variant, common)
    return REPEATED_LETTER.sub(r"\1", text)


def profile_search_key(profile) -> str:
    """The stored search text of an `ApplicantProfile` (names only; phones and ids are
    matched on their own columns). Words are separated by single spaces, with a space at
    each end so that a query can also ask for a whole word."""
    native = " ".join(
        (profile.last_name_native, profile.first_name_native, profile.patronymic_native or "")
    )
    latin = " ".join((profile.last_name_latin, profile.first_name_latin))
    words: list[str] = []
    for word in (*fold_cyrillic(native).split(), *fold_latin(native).split()):
        if word not in words:
            words.append(word)
    for word in fold_latin(latin).split():
        if word not in words:
            words.append(word)
    return f" {' '.join(words)} "


# --- Queries ------------------------------------------------------------------------------

PHONE_TEXT = re.compile(r"\+?[\d\s().-]{7,}")
IDENTIFIER_TEXT = re.compile(r"[\dA-Za-z][\dA-Za-z\s-]{4,}")
# A whole or partial reference: "kzo-2026-1", "KZO-2026-000123", "2026-12".
REFERENCE_TEXT = re.compile(r"(?:(?P<prefix>[A-Za-z]{2,5})-)?(?P<cycle>\d{4})-(?P<number>\d{1,6})")
REFERENCE_DIGITS = 6


def reference_search_condition(term: str) -> Q | None:
    """Applications whose reference matches `term` as typed, or None when `term` is not
    shaped like a reference.

    "KZO-2026-1" means: cycle 2026, a number whose digits start with 1 (1, 10-19,
    100-199, ...), so typing a reference from the start narrows the list digit by digit;
    "KZO-2026-0001" (leading zeros typed) the numbers 1-19 padded that way. A full
    reference matches exactly. Each alternative is a prefix on the unique index.
    """
    match = REFERENCE_TEXT.fullmatch(term.strip())
    if match is None:
        return None
    prefix = (match["prefix"] or "KZO").upper()
    number = match["number"]
    start = f"{prefix}-{match['cycle']}-"
    if len(number) == REFERENCE_DIGITS:
        return Q(reference=start + number)
    if number.startswith("0"):
        # Typed with its leading zeros: the number is read from the left as it stands.
        return Q(reference__startswith=start + number)
    condition = Q(reference=start + number.zfill(REFERENCE_DIGITS))
    for zeros in range(REFERENCE_DIGITS - len(number)):
        condition |= Q(reference__startswith=f"{start}{'0' * zeros}{number}")
    return condition


def _phone_digits(term: str) -> str | None:
    """The national significant number (10 digits) of a Kazakh or Russian number typed in
    any format ("8 701 123-45-67", "+7 (701) 1234567", "7011234567"), or None."""
    if not PHONE_TEXT.fullmatch(term):
        return None
    digits = re.sub(r"\D", "", term)
    if len(digits) == 11 and digits[0] in "78":
        return digits[1:]  # the trunk prefix 8 and the country code 7 both precede 10 digits
    if len(digits) == 10:
        return digits
    return None


def applicant_search_condition(
    term: str, *, names: bool, contact: bool, national_id: bool, path: str = "applicant__"
) -> Q | None:
    """A condition on applications (profile reached through `path`) for one search `term`,
    or None when `term` gives nothing to search for. `names`, `contact` and `national_id`
    say what the staff member may search by (the same rules as what they may see).

    - names: every word of `term` must occur in the profile's search key, folded the way
      the key is (any of the Cyrillic or Latin folds of the word);
    - contact: the phone (by its last 10 digits, whatever the format typed) or the exact
      e-mail address;
    - national_id: the identifier without spaces and hyphens (IIN, SNILS, passport).
    """
    term = unicodedata.normalize("NFC", term).strip()
    profile = f"{path}applicant_profile__"
    condition = Q()
    matched = False
    if contact:
        phone = _phone_digits(term)
        if phone is not None:
            condition |= Q(**{f"{profile}phone__endswith": phone})
            matched = True
        if "@" in term:
            condition |= Q(**{f"{path}email__iexact": term})
            matched = True
    if national_id and IDENTIFIER_TEXT.fullmatch(term):
        compact = re.sub(r"[\s-]", "", term).upper()
        condition |= Q(**{f"{profile}identifier": compact})
        matched = True
    if names:
        words = fold_cyrillic(term).split()
        if words:
            all_words = Q()
            for word in words:
                forms = {word, fold_latin(word)}
                any_form = Q()
                for form in forms:
                    any_form |= Q(**{f"{profile}search_key__contains": form})
                all_words &= any_form
            condition |= all_words
            matched = True
    return condition if matched else None

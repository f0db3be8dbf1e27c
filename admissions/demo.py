"""Generators for demo data (`manage.py seed_demo`): people from Kazakhstan, Russia and
elsewhere, with valid national identifiers, Latin transliterations and tiny documents.

Everything takes a `random.Random`, so the same seed gives the same data.
"""

from __future__ import annotations

import io
import random
import zlib
from datetime import date, timedelta

from admissions.applicants.validators import iin_check_digit, snils_check_number

__all__ = [
    "KAZAKH_NAMES",
    "demo_pdf_bytes",
    "demo_png_bytes",
    "iin_generate",
    "kazakh_person",
    "snils_generate",
    "transliterate",
]

# Kazakh names are data, written in Kazakh (Faker has no kk_KZ locale).
KAZAKH_NAMES = {
    "male": [
        "Айбек",
        "Арман",
        "Асқар",
        "Бауыржан",
        "Дәулет",
        "Ерлан",
        "Ержан",
        "Жандос",
        "Қайрат",
        "Мұрат",
        "Нұрлан",
        "Олжас",
        "Серік",
        "Тимур",
        "Ілияс",
        "Әлихан",
        "Данияр",
        "Ерасыл",
        "Нұрсұлтан",
        "Санжар",
        "Азамат",
        "Бекзат",
        "Ағжан",
        "Ризабек",
    ],
    "female": [
        "Айгерім",
        "Ақбота",
        "Әсем",
        "Аружан",
        "Балжан",
        "Гүлназ",
        "Дана",
        "Жансая",
        "Зарина",
        "Әйгерім",
        "Камила",
        "Мөлдір",
        "Назерке",
        "Сәуле",
        "Томирис",
        "Ұлжан",
        "Іңкәр",
        "Дильназ",
        "Аяулым",
        "Жұлдыз",
        "Меруерт",
        "Салтанат",
        "Гүлжан",
        "Айша",
    ],
    # Surnames with a male and a female form.
    "surnames": [
        ("Әбілов", "Әбілова"),
        ("Жұмабаев", "Жұмабаева"),
        ("Қасымов", "Қасымова"),
        ("Нұрпейісов", "Нұрпейісова"),
        ("Сейтқалиев", "Сейтқалиева"),
        ("Төлеуов", "Төлеуова"),
        ("Омаров", "Омарова"),
        ("Ахметов", "Ахметова"),
        ("Серікбаев", "Серікбаева"),
        ("Бекмұхамбетов", "Бекмұхамбетова"),
        ("Ержанов", "Ержанова"),
        ("Мұқанов", "Мұқанова"),
        ("Есенов", "Есенова"),
        ("Құнанбаев", "Құнанбаева"),
        ("Сәтбаев", "Сәтбаева"),
        ("Байтұрсынов", "Байтұрсынова"),
        ("Досмағамбетов", "Досмағамбетова"),
        ("Ибраев", "Ибраева"),
        ("Рысқұлов", "Рысқұлова"),
        ("Тоқаев", "Тоқаева"),
    ],
}

# Passport-style (ICAO-like) transliteration of Russian and Kazakh Cyrillic.
_CYRILLIC_TO_LATIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "ie",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
    "ә": "a",
    "ғ": "g",
    "қ": "k",
    "ң": "n",
    "ө": "o",
    "ұ": "u",
    "ү": "u",
    "һ": "h",
    "і": "i",
}


def transliterate(text: str) -> str:
    """Latin letters for a Cyrillic (Russian or Kazakh) name: "Әсем Жұмабаева" ->
    "Asem Zhumabaeva". Other characters are kept."""
    out = []
    for char in text:
        latin = _CYRILLIC_TO_LATIN.get(char.lower())
        if latin is None:
            out.append(char)
        elif char.isupper():
            out.append(latin.capitalize())
        else:
            out.append(latin)
    return "".join(out)


def kazakh_person(rng: random.Random, *, female: bool) -> tuple[str, str, str]:
    """(last name, first name, patronymic) of a Kazakh person, in Kazakh."""
    surname = rng.choice(KAZAKH_NAMES["surnames"])[1 if female else 0]
    first = rng.choice(KAZAKH_NAMES["female" if female else "male"])
    father = rng.choice(KAZAKH_NAMES["male"])
    patronymic = f"{father}{'қызы' if female else 'ұлы'}"
    return surname, first, patronymic


def iin_generate(rng: random.Random, *, birth_date: date, female: bool) -> str:
    """A valid Kazakh IIN for a person born on `birth_date` (YYMMDD, century/sex digit,
    serial number, check digit)."""
    century = {1800: 1, 1900: 3, 2000: 5}[birth_date.year // 100 * 100] + int(female)
    prefix = f"{birth_date:%y%m%d}{century}"
    while True:
        first_eleven = f"{prefix}{rng.randrange(10000):04d}"
        check = iin_check_digit(first_eleven)
        if check is not None:
            return f"{first_eleven}{check}"


def snils_generate(rng: random.Random) -> str:
    """A valid Russian SNILS (11 digits, stored without separators)."""
    number = rng.randrange(2_000_000, 999_999_999)
    first_nine = f"{number:09d}"
    return f"{first_nine}{snils_check_number(first_nine):02d}"


def birth_date_between(rng: random.Random, *, oldest: date, youngest: date) -> date:
    return oldest + timedelta(days=rng.randrange((youngest - oldest).days + 1))


def demo_pdf_bytes(title: str = "Demo document") -> bytes:
    """A tiny valid one-page PDF (about 1 KB) with `title` written on it."""
    safe = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 18 Tf 40 140 Td (" + safe + b") Tj ET"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 420 300]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length " + str(len(stream)).encode() + b">>stream\n" + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def demo_png_bytes(width: int = 60, height: int = 80, seed: int = 0) -> bytes:
    """A tiny valid PNG "photo" (a coloured silhouette-like gradient), built without Pillow."""
    import struct

    rng = random.Random(seed)
    base = (rng.randrange(60, 200), rng.randrange(60, 200), rng.randrange(60, 200))
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            inside = (x - width / 2) ** 2 / (width / 3) ** 2 + (y - height / 2.6) ** 2 / (
                height / 4
            ) ** 2 < 1 or (y > height * 0.7 and abs(x - width / 2) < width * 0.4)
            row.extend((40, 40, 60) if inside else base)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    )

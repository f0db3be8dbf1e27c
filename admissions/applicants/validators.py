"""Validators of national identifiers: Kazakh IIN, Russian SNILS, passport numbers.

Each `validate_*` takes the value as typed and first normalises it with
`admissions.text.normalise_identifier_text` (full-width digits folded, spaces and dashes
removed: `147 258 369 88` is the SNILS 14725836988), then checks the format and raises
`ValidationError` with a translated message and a stable `code`; `normalise_*`
return the canonical form that is stored (digits only for IIN and SNILS, upper-case for a
passport number).
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from admissions.enums import IdentifierKind
from admissions.text import normalise_identifier_text

__all__ = [
    "iin_birth_date",
    "iin_check_digit",
    "normalise_identifier",
    "snils_check_number",
    "validate_identifier",
    "validate_iin",
    "validate_passport_number",
    "validate_snils",
]

# --- Kazakh IIN -------------------------------------------------------------------------
# 12 digits: YYMMDD, a century/sex digit (1-2: 1800s, 3-4: 1900s, 5-6: 2000s; odd = male),
# four serial digits and a check digit computed with two passes of weights mod 11.
IIN_WEIGHTS_FIRST = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
IIN_WEIGHTS_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
IIN_CENTURY = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}


def iin_check_digit(first_eleven: str) -> int | None:
    """The IIN check digit of the first 11 digits, or None when no valid digit exists
    (both passes give 10: such numbers are never issued)."""
    digits = [int(c) for c in first_eleven]
    for weights in (IIN_WEIGHTS_FIRST, IIN_WEIGHTS_SECOND):
        remainder = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        if remainder != 10:
            return remainder
    return None


def iin_birth_date(iin: str) -> date | None:
    """The date of birth encoded in an IIN, or None when the date part is impossible."""
    century = IIN_CENTURY.get(iin[6:7])
    if century is None:
        return None
    try:
        return date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        return None


def validate_iin(value: str) -> None:
    iin = normalise_identifier_text(value)
    if not re.fullmatch(r"[0-9]{12}", iin):
        raise ValidationError(_("An IIN has exactly 12 digits."), code="iin_length")
    if iin[6] not in IIN_CENTURY:
        raise ValidationError(
            _("The 7th digit of an IIN (century and sex) must be between 1 and 6."),
            code="iin_century",
        )
    if iin_birth_date(iin) is None:
        raise ValidationError(
            _("The first six digits of an IIN must be a valid date of birth (YYMMDD)."),
            code="iin_date",
        )
    if iin_check_digit(iin[:11]) != int(iin[11]):
        raise ValidationError(
            _("This IIN is not valid: its check digit does not match. Please check it."),
            code="iin_check_digit",
        )


# --- Russian SNILS ----------------------------------------------------------------------
# 9 digits and a 2-digit check number: sum of digit * (9 - position); below 100 it is the
# sum itself, 100 and 101 give 00, above that the sum mod 101 (100 again -> 00). Numbers up
# to 001-001-998 were issued before the rule and are not checked.
SNILS_UNCHECKED_UP_TO = 1001998


def _snils_digits(value: str) -> str:
    return normalise_identifier_text(value)


def snils_check_number(first_nine: str) -> int:
    total = sum(int(d) * (9 - i) for i, d in enumerate(first_nine))
    if total < 100:
        return total
    if total in (100, 101):
        return 0
    remainder = total % 101
    return 0 if remainder == 100 else remainder


def validate_snils(value: str) -> None:
    digits = _snils_digits(value)
    if not re.fullmatch(r"[0-9]{11}", digits):
        raise ValidationError(
            _("A SNILS has 11 digits, written like 123-456-789 01."), code="snils_format"
        )
    number = int(digits[:9])
    if number <= SNILS_UNCHECKED_UP_TO:
        return
    if snils_check_number(digits[:9]) != int(digits[9:]):
        raise ValidationError(
            _("This SNILS is not valid: its check number does not match. Please check it."),
            code="snils_check_number",
        )


# --- Passport ---------------------------------------------------------------------------
def validate_passport_number(value: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9]{6,20}", normalise_identifier_text(value)):
        raise ValidationError(
            _("A passport number has 6 to 20 Latin letters and digits."),
            code="passport_format",
        )


VALIDATORS = {
    IdentifierKind.IIN: validate_iin,
    IdentifierKind.SNILS: validate_snils,
    IdentifierKind.PASSPORT: validate_passport_number,
}


def validate_identifier(kind: str, value: str) -> None:
    """Validate `value` as an identifier of `kind` (an `IdentifierKind`)."""
    validator = VALIDATORS.get(kind)
    if validator is None:
        raise ValidationError(_("Choose the kind of identifier."), code="identifier_kind")
    validator(value)


def normalise_identifier(kind: str, value: str) -> str:
    """The stored form: digits only for IIN and SNILS, upper-case letters and digits for a
    passport (spaces and dashes typed inside the number removed)."""
    return normalise_identifier_text(value).upper()

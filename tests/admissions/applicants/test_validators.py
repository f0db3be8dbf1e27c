"""National identifiers: IIN and SNILS checksums, passport format."""

import pytest
from django.core.exceptions import ValidationError

from admissions.applicants.validators import (
    iin_birth_date,
    iin_check_digit,
    normalise_identifier,
    snils_check_number,
    validate_identifier,
    validate_iin,
    validate_passport_number,
    validate_snils,
)


def _code(validator, value):
    with pytest.raises(ValidationError) as info:
        validator(value)
    return info.value.code


@pytest.mark.parametrize(
    "iin",
    [
        "000101500120",  # 2000-01-01, male, first pass
        "951215300455",  # 1995-12-15, male
        "060315601239",  # 2006-03-15, female
        "880229400787",  # 1988-02-29 (leap year), female
        "000101500206",  # first pass gives 10: the check digit comes from the second pass
    ],
)
def test_valid_iins_are_accepted(iin):
    validate_iin(iin)


def test_check_digit_follows_the_two_pass_algorithm():
    assert iin_check_digit("00010150012") == 0
    assert iin_check_digit("00010150020") == 6  # second pass
    assert iin_check_digit("00010150022") is None  # both passes give 10: never issued


def test_iin_birth_date_is_decoded_with_the_century_digit():
    from datetime import date

    assert iin_birth_date("951215300455") == date(1995, 12, 15)
    assert iin_birth_date("060315601239") == date(2006, 3, 15)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("000101500121", "iin_check_digit"),  # wrong check digit
        ("951215300454", "iin_check_digit"),
        ("000101500220", "iin_check_digit"),  # a number whose check digit cannot exist
        ("991301300001", "iin_date"),  # month 13
        ("890229400000", "iin_date"),  # 29 February of a common year
        ("000101700120", "iin_century"),  # 7th digit 7
        ("000101000120", "iin_century"),  # 7th digit 0
        ("00010150012", "iin_length"),  # 11 digits
        ("0001015001200", "iin_length"),  # 13 digits
        ("00010150012a", "iin_length"),
        ("", "iin_length"),
    ],
)
def test_invalid_iins_are_refused_with_a_reason(value, code):
    assert _code(validate_iin, value) == code


@pytest.mark.parametrize(
    "snils",
    [
        "112-233-445 95",
        "11223344595",
        "112-233-44595",
        "087-654-303 00",  # sum 101 -> 00
        "001-019-989 00",  # sum 100 -> 00
        "003-998-986 00",  # sum mod 101 == 100 -> 00
        "123-456-789 64",
        "001-001-998 12",  # up to 001-001-998 numbers are not checked
        "000-000-001 77",
    ],
)
def test_valid_snils_are_accepted(snils):
    validate_snils(snils)


def test_snils_check_number_cases():
    assert snils_check_number("112233445") == 95
    assert snils_check_number("000000001") == 1  # below 100: the sum itself
    assert snils_check_number("001019989") == 0  # 100
    assert snils_check_number("087654303") == 0  # 101


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("112-233-445 96", "snils_check_number"),
        ("001-001-999 00", "snils_check_number"),  # first checked number
        ("123-456-789 00", "snils_check_number"),
        ("112-233-445", "snils_format"),
        ("112-233-445 9", "snils_format"),
        ("1122334459500", "snils_format"),
        ("112.233.445 95", "snils_format"),
        ("112_233_445 95", "snils_format"),
        ("abc-def-ghi jk", "snils_format"),
    ],
)
def test_invalid_snils_are_refused_with_a_reason(value, code):
    assert _code(validate_snils, value) == code


@pytest.mark.parametrize(
    "value", ["N1234567", "AB123456", "123456", "A" * 20, "AB 123456", "N-123456"]
)
def test_passport_numbers_of_6_to_20_letters_and_digits(value):
    validate_passport_number(value)


@pytest.mark.parametrize("value", ["12345", "A" * 21, "АБ123456", "N_123456", "N/123456", ""])
def test_bad_passport_numbers_are_refused(value):
    assert _code(validate_passport_number, value) == "passport_format"


def test_identifier_is_validated_by_its_kind_and_normalised():
    validate_identifier("snils", "112-233-445 95")
    with pytest.raises(ValidationError):
        validate_identifier("iin", "112-233-445 95")
    with pytest.raises(ValidationError):
        validate_identifier("unknown", "123456")
    assert normalise_identifier("snils", " 112-233-445 95 ") == "11223344595"
    assert normalise_identifier("passport", " n1234567 ") == "N1234567"


def test_messages_are_translatable_strings():
    from django.utils import translation

    with translation.override("ru"), pytest.raises(ValidationError) as info:
        validate_iin("000101500121")
    # The message goes through gettext (the catalogue is filled in later by the lead).
    assert "IIN" in str(info.value.messages[0]) or "ИИН" in str(info.value.messages[0])


@pytest.mark.parametrize(
    "typed",
    [
        "147 258 369 88",  # the reported input: spaces between the groups
        "147-258-369 88",
        "147\u00a0258\u00a0369\u00a088",  # non-breaking spaces from a word processor
        "147\u2013258\u2013369 88",  # en dashes
        "\uff11\uff14\uff17\uff12\uff15\uff18\uff13\uff16\uff19\uff18\uff18",  # full-width
        " 14725836988 ",
    ],
)
def test_snils_typed_with_spaces_dashes_or_full_width_digits_is_accepted(typed):
    validate_snils(typed)
    validate_identifier("snils", typed)
    assert normalise_identifier("snils", typed) == "14725836988"


def test_iin_in_full_width_digits_is_accepted_and_stored_in_ascii():
    full_width = "".join(chr(0xFF10 + int(digit)) for digit in "000101500001")
    validate_iin(full_width)
    validate_iin("0001 0150 0001")
    assert normalise_identifier("iin", full_width) == "000101500001"

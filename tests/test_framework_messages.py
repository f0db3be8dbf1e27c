"""config/framework_messages.py repeats Django's and allauth's msgids exactly."""

import pytest
from django.utils import translation

from config.framework_messages import MESSAGES, PLURAL_MESSAGES

VALUES = {"limit_value": 2, "show_value": 1, "max": 2, "num": 2, "min_length": 2}


def _text(message) -> str:
    if message not in PLURAL_MESSAGES:
        return str(message)
    try:
        return str(message % VALUES)
    except TypeError:  # a plural with a fixed number and a positional %d
        return str(message) % 2


@pytest.mark.parametrize("message", MESSAGES + PLURAL_MESSAGES)
def test_every_listed_msgid_is_one_the_libraries_translate(message):
    # A msgid with a typo is in no catalogue: its Russian would be the English text.
    with translation.override("en"):
        english = _text(message)
    with translation.override("ru"):
        russian = _text(message)
    assert russian != english

"""Small presentation helpers for the catalogue pages."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def duration(years: Decimal | int | None) -> str:
    """4 -> "4 years", 1.5 -> "1.5 years" (localised, pluralised)."""
    if years is None:
        return ""
    value = Decimal(years)
    whole = value == value.to_integral_value()
    shown = number_format(value, decimal_pos=0 if whole else 1)
    count = int(value) if whole else 5  # a fractional number takes the "many" form
    return ngettext("%(years)s year", "%(years)s years", count) % {"years": shown}


@register.filter
def score(value: Decimal | int | None) -> str:
    """A score or maximum without useless decimals, localised: 140 -> "140", 4.50 -> "4.5"
    ("4,5" in kk/ru), 70.25 -> "70.25"."""
    if value is None:
        return ""
    shown = Decimal(value).quantize(Decimal("0.01")).normalize()
    if shown == shown.to_integral_value():
        shown = shown.quantize(Decimal(1))
    return number_format(shown)

"""One rule for text typed by people, applied before any validation.

Keyboards, phones and copy-paste produce the same visible text in different code points: a
surname in decomposed Unicode (`Е` + U+0308 COMBINING DIAERESIS instead of `Ё`), a SNILS with
spaces or non-breaking spaces, an IIN in full-width digits from an East Asian input method.
Validation must judge what the person sees, so every text input is normalised first:

* free text, names, document numbers, search terms: Unicode NFC, surrounding whitespace
  stripped (`normalise_text`);
* e-mail addresses: the same, then lower-cased (`normalise_email`), as allauth stores them;
* identifiers (IIN, SNILS, passport and other document numbers): NFKC, which turns full-width
  and other compatibility digits and letters into ASCII, then every space and dash removed
  (`normalise_identifier_text`), before the format check.

Passwords are never touched: a password is compared byte for byte as it was chosen.

Where it is applied: `NormalisedFormMixin` for every form of the site (the applicant's forms,
allauth's forms through ``ACCOUNT_FORMS``, the admin's forms and search through
`NormalisedAdminMixin`), and the identifier validators in `admissions.applicants.validators`.
"""

from __future__ import annotations

import re
import unicodedata

from django import forms

__all__ = [
    "NormalisedAdminMixin",
    "NormalisedFormMixin",
    "NormalisedModelForm",
    "normalise_email",
    "normalise_identifier_text",
    "normalise_text",
]

# Every Unicode space separator and dash punctuation, plus the minus sign and the soft hyphen.
_SEPARATORS = re.compile(r"[\s\u00ad\u2010-\u2015\u2212\ufe58\ufe63\uff0d-]+")
# Zero-width characters that copy-paste leaves inside words; they carry no meaning in a form.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def normalise_text(value: str | None) -> str:
    """`value` in Unicode NFC, without zero-width characters, surrounding whitespace
    stripped. None gives ""."""
    if value is None:
        return ""
    return unicodedata.normalize("NFC", str(value)).translate(_INVISIBLE).strip()


def normalise_email(value: str | None) -> str:
    """An e-mail address (or staff user name) as compared and stored: NFC, stripped,
    lower-cased."""
    return normalise_text(value).lower()


def normalise_identifier_text(value: str | None) -> str:
    """A document number without the formatting people type: compatibility characters
    folded to ASCII (NFKC: full-width `１２３` -> `123`), spaces and dashes removed.
    `"147 258 369 88"` -> `"14725836988"`."""
    folded = unicodedata.normalize("NFKC", normalise_text(value))
    return _SEPARATORS.sub("", folded)


def _normalise_value(value):
    if isinstance(value, str):
        return normalise_text(value)
    return value


class NormalisedFormMixin:
    """Normalise every submitted text value of the form (`normalise_text`) before the fields
    validate it; password inputs and files are left as they are.

    Put it first in the bases: ``class LoginForm(NormalisedFormMixin, allauth.LoginForm)``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound or not hasattr(self.data, "getlist"):
            if self.is_bound and isinstance(self.data, dict):
                self.data = self._normalised_dict(self.data)
            return
        data = self.data.copy()
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            if key in data and self._normalises(field):
                data.setlist(key, [_normalise_value(v) for v in data.getlist(key)])
        self.data = data

    def _normalised_dict(self, data: dict) -> dict:
        data = dict(data)
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            if key in data and self._normalises(field):
                value = data[key]
                data[key] = (
                    [_normalise_value(v) for v in value]
                    if isinstance(value, list | tuple)
                    else _normalise_value(value)
                )
        return data

    @staticmethod
    def _normalises(field: forms.Field) -> bool:
        if isinstance(field.widget, forms.PasswordInput | forms.FileInput):
            return False
        return not isinstance(field, forms.FileField)


class NormalisedModelForm(NormalisedFormMixin, forms.ModelForm):
    """The admin's default form: `NormalisedFormMixin` on a ModelForm."""


class NormalisedAdminMixin:
    """For every ModelAdmin and inline: its forms and its search normalise input first."""

    form = NormalisedModelForm

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, normalise_text(search_term))

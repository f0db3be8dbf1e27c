"""The applicant's profile form (also the first step of the application form).

Usage (views/profile.py, and the application wizard's first step)::

    form = ApplicantProfileForm(request.POST or None, instance=profile_or_None, user=user)
    if form.is_valid():
        profile_save(user=user, data=form.cleaned_data)   # may raise DomainError

The form only validates; saving goes through `admissions.applicants.services.profile_save`.
When the user's identity is locked (see `profile_identity_locked`) the identity fields are rendered
disabled and their posted values ignored. `form.helper` is a crispy FormHelper with
``form_tag = False``: the template writes the <form> element and the buttons, so the
wizard can put this form in its own step.
"""

from __future__ import annotations

import re
from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from admissions.applicants.services import (
    PROFILE_FIELDS,
    PROFILE_IDENTITY_FIELDS,
    profile_identity_locked,
)
from admissions.applicants.validators import normalise_identifier, validate_identifier
from admissions.enums import IdentifierKind
from admissions.models import ApplicantProfile
from admissions.selectors import applicant_language
from admissions.text import NormalisedFormMixin

__all__ = ["MINIMUM_AGE", "PHONE_REGIONS", "ApplicantProfileForm", "phone_region"]

# Citizens of these countries type their phone in the domestic form ("8 701 123 45 67");
# both use the country code +7 and the trunk prefix 8. Anyone else is read as Kazakhstan
# (the branch's home country), and an international "+..." number works for everyone.
PHONE_REGIONS = ("KZ", "RU")
PHONE_DEFAULT_REGION = "KZ"
# Shown as the example in the field and in its error message: a Kazakh mobile number.
PHONE_EXAMPLE = "+7 701 123 45 67"

MINIMUM_AGE = 15
LATIN_NAME = re.compile(r"[A-Za-z]+(?:[ '’-][A-Za-z]+)*")
NATIVE_NAME = re.compile(r"[^\W\d_]+(?:[ '’.-]+[^\W\d_]+)*\.?")


def phone_region(citizenship) -> str:
    """The region a phone number without "+" is read in: the citizenship's when it is one
    of PHONE_REGIONS, else PHONE_DEFAULT_REGION. `citizenship` is an ISO 3166 code or a
    django-countries Country (or empty)."""
    code = str(getattr(citizenship, "code", citizenship) or "").upper()
    return code if code in PHONE_REGIONS else PHONE_DEFAULT_REGION


def _years_between(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class ApplicantProfileForm(NormalisedFormMixin, forms.ModelForm):
    class Meta:
        model = ApplicantProfile
        fields = PROFILE_FIELDS
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "phone": forms.TextInput(
                attrs={"type": "tel", "autocomplete": "tel", "placeholder": PHONE_EXAMPLE}
            ),
            "identifier": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        }
        help_texts = {
            "last_name_latin": _("As in your passport, in Latin letters."),
            "identifier": _(
                "Kazakh IIN: 12 digits. Russian SNILS: 11 digits (123-456-789 01). "
                "Otherwise your passport number."
            ),
            "phone": _(
                "In international form (+7 701 123 45 67) or, for a Kazakh or Russian number, "
                "as dialled at home (8 701 123 45 67)."
            ),
            "preferred_language": _("The language of our e-mails to you."),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.identity_locked = bool(
            user is not None and self.instance.pk and profile_identity_locked(user)
        )
        if self.identity_locked:
            for name in PROFILE_IDENTITY_FIELDS:
                self.fields[name].disabled = True
        self.fields["birth_date"].widget.attrs["max"] = timezone.localdate().isoformat()
        self._set_phone_region()
        if not self.instance.pk and user is not None:
            # A new profile starts in the language the person signed up in (or chose
            # since), else the language of this page.
            self.initial["preferred_language"] = applicant_language(user, default=get_language())
        for name in ("last_name_latin", "first_name_latin"):
            self.fields[name].widget.attrs.update(
                {"autocomplete": "off", "pattern": r"[A-Za-z' \-]+", "lang": "en"}
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                _("Your name"),
                Div(
                    Div("last_name_native", css_class="col-md-4"),
                    Div("first_name_native", css_class="col-md-4"),
                    Div("patronymic_native", css_class="col-md-4"),
                    css_class="row",
                ),
                Div(
                    Div("last_name_latin", css_class="col-md-6"),
                    Div("first_name_latin", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Identity"),
                Div(
                    Div(Field("birth_date"), css_class="col-md-4"),
                    Div("citizenship", css_class="col-md-8"),
                    css_class="row",
                ),
                Div(
                    Div("identifier_kind", css_class="col-md-4"),
                    Div("identifier", css_class="col-md-8"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Contact"),
                Div(
                    Div("phone", css_class="col-md-6"),
                    Div("preferred_language", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
        )

    def _set_phone_region(self) -> None:
        citizenship = (
            self.data.get(self.add_prefix("citizenship"))
            if self.is_bound
            else self.initial.get("citizenship")
        )
        field = self.fields["phone"]
        field.region = phone_region(citizenship or self.instance.citizenship)
        field.error_messages["invalid"] = format_lazy(
            _("Enter a valid phone number, for example {example} or 8 701 123 45 67."),
            example=PHONE_EXAMPLE,
        )

    # --- field rules ---------------------------------------------------------------------
    def _clean_latin(self, name: str) -> str:
        value = " ".join((self.cleaned_data.get(name) or "").split())
        if value and not LATIN_NAME.fullmatch(value):
            raise ValidationError(
                _("Use Latin letters only (A-Z), with hyphens, apostrophes or spaces."),
                code="latin_only",
            )
        return value

    def clean_last_name_latin(self) -> str:
        return self._clean_latin("last_name_latin")

    def clean_first_name_latin(self) -> str:
        return self._clean_latin("first_name_latin")

    def _clean_native(self, name: str) -> str:
        value = " ".join((self.cleaned_data.get(name) or "").split())
        if value and not NATIVE_NAME.fullmatch(value):
            raise ValidationError(
                _("A name may contain letters, hyphens, apostrophes and spaces only."),
                code="name_characters",
            )
        return value

    def clean_last_name_native(self) -> str:
        return self._clean_native("last_name_native")

    def clean_first_name_native(self) -> str:
        return self._clean_native("first_name_native")

    def clean_patronymic_native(self) -> str:
        return self._clean_native("patronymic_native")

    def clean_birth_date(self):
        born = self.cleaned_data.get("birth_date")
        if born is None or self.identity_locked:
            return born
        today = timezone.localdate()
        if born > today:
            raise ValidationError(
                _("The date of birth cannot be in the future."), code="birth_date_future"
            )
        if _years_between(born, today) < MINIMUM_AGE:
            raise ValidationError(
                _("Applicants must be at least %(age)s years old.") % {"age": MINIMUM_AGE},
                code="too_young",
            )
        if _years_between(born, today) > 100:
            raise ValidationError(
                _("Please check the date of birth."), code="birth_date_implausible"
            )
        return born

    def clean(self):
        cleaned = super().clean()
        if self.identity_locked:
            return cleaned
        kind = cleaned.get("identifier_kind")
        value = cleaned.get("identifier")
        if kind and value:
            try:
                validate_identifier(kind, value)
            except ValidationError as error:
                self.add_error("identifier", error)
            else:
                cleaned["identifier"] = normalise_identifier(kind, value)
                if kind == IdentifierKind.IIN and cleaned.get("birth_date"):
                    self._check_iin_matches_birth_date(cleaned["identifier"], cleaned)
        return cleaned

    def _check_iin_matches_birth_date(self, iin: str, cleaned: dict) -> None:
        from admissions.applicants.validators import iin_birth_date

        if iin_birth_date(iin) != cleaned["birth_date"]:
            self.add_error(
                "identifier",
                ValidationError(
                    _("The IIN does not match the date of birth."), code="iin_birth_date"
                ),
            )

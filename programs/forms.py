"""Forms of the public catalogue pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from admissions.text import NormalisedFormMixin

from . import selectors
from .enums import Level


class ProgramFilterForm(NormalisedFormMixin, forms.Form):
    """The GET form of the program list; invalid values are ignored, not an error page."""

    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels")), *Level.choices]
    )
    field = forms.ChoiceField(label=_("Field of study"), required=False)
    language = forms.ChoiceField(label=_("Language of instruction"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [
            ("", _("All fields")),
            *((field.slug, field.name) for field in selectors.field_list()),
        ]
        self.fields["language"].choices = [
            ("", _("All languages")),
            *((language.code, language.name) for language in selectors.language_list()),
        ]
        for bound_field in self.fields.values():
            bound_field.widget.attrs["class"] = "form-select"

    def filters(self) -> dict[str, str]:
        # An invalid value is left out of cleaned_data and the valid ones are kept: a stale
        # link with a removed field still lists.
        self.is_valid()
        return {
            "level": self.cleaned_data.get("level", ""),
            "field_slug": self.cleaned_data.get("field", ""),
            "language_code": self.cleaned_data.get("language", ""),
        }

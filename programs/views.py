"""Public pages of the catalogue: home, program list, program detail."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from . import selectors
from .enums import Level


class ProgramFilterForm(forms.Form):
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
        if not self.is_valid():
            # Keep whatever parts are valid: a stale link with a removed field still lists.
            data = {name: self.data.get(name, "") for name in self.fields}
            return {
                "level": data["level"] if "level" not in self.errors else "",
                "field_slug": data["field"] if "field" not in self.errors else "",
                "language_code": data["language"] if "language" not in self.errors else "",
            }
        return {
            "level": self.cleaned_data["level"],
            "field_slug": self.cleaned_data["field"],
            "language_code": self.cleaned_data["language"],
        }


def home(request: HttpRequest) -> HttpResponse:
    cycle = selectors.cycle_get_open()
    upcoming = None if cycle else selectors.cycle_get_upcoming()
    shown_cycle = cycle or upcoming
    context = {
        "cycle": cycle,
        "upcoming_cycle": upcoming,
        "figures": selectors.scholarship_figures(cycle=shown_cycle),
        "seat_totals": selectors.offering_seat_totals(cycle=shown_cycle) if shown_cycle else None,
        "programs": selectors.program_list_public(),
    }
    return render(request, "programs/home.html", context)


def program_list(request: HttpRequest) -> HttpResponse:
    form = ProgramFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    programs = list(selectors.program_list_public(**filters))
    context = {
        "form": form,
        "programs": programs,
        "is_filtered": any(filters.values()),
        "cycle": selectors.cycle_get_open(),
    }
    return render(request, "programs/program_list.html", context)


def program_detail(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_get_public(slug=slug)
    if program is None:
        raise Http404("No such program")
    cycle = selectors.cycle_get_open()
    context = {
        "program": program,
        "cycle": cycle,
        "offerings": selectors.offering_list_for_program(program=program, cycle=cycle),
    }
    return render(request, "programs/program_detail.html", context)

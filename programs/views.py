"""Public pages of the catalogue: home, program list, program detail."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors
from .forms import ProgramFilterForm
from .page_cache import cache_public_page


@cache_public_page(timeout_setting="PUBLIC_PAGE_CACHE_SECONDS")
def home(request: HttpRequest) -> HttpResponse:
    cycle = selectors.cycle_get_open()
    upcoming = None if cycle else selectors.cycle_get_upcoming()
    context = {
        "cycle": cycle,
        "upcoming_cycle": upcoming,
        "figures": selectors.scholarship_figures(cycle=cycle or upcoming),
        "programs": selectors.program_list_public(),
    }
    return render(request, "programs/home.html", context)


@cache_public_page(timeout_setting="PUBLIC_PAGE_CACHE_SECONDS")
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


@cache_public_page(timeout_setting="PUBLIC_PAGE_CACHE_SECONDS")
def program_detail(request: HttpRequest, slug: str) -> HttpResponse:
    program = selectors.program_get_public(slug=slug)
    if program is None:
        raise Http404("No such program")
    cycle = selectors.cycle_get_open()
    context = {
        "program": program,
        "cycle": cycle,
        "offerings": selectors.offering_list_for_program(program=program, cycle=cycle),
        "documents": selectors.program_required_documents(program=program),
    }
    return render(request, "programs/program_detail.html", context)

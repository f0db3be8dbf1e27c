"""Template tags of the scholarship pages.

`{% scholarship_offer_card application %}` renders the applicant's latest scholarship
offer (or nothing) for the dashboard: from the application's prefetched awards when
they were loaded with it, else with a single query.
`award|award_program` names the offer's program with its level and language of instruction.
`{% scholarships_left cycle %}` renders the public "scholarships left" figure (cycle
optional: the most recent cycle with scholarships).
`{% admin_scholarship_figures %}` renders the committee's live figures (uses `cycle` from
the context when present, else the latest cycles with scholarships).
"""

from __future__ import annotations

from django import template

from admissions.models import ApplicationChoice
from admissions.scholarships.awards import offer_is_open
from admissions.scholarships.standing import choice_label
from admissions.selectors import scholarship_cycles_for_figures, scholarship_figures

register = template.Library()


@register.inclusion_tag("admissions/awards/offer_card.html")
def scholarship_offer_card(application):
    award = None
    prefetched = getattr(application, "_prefetched_objects_cache", {}).get("awards")
    if prefetched is not None:
        # Loaded with the page (newest first, fund and program joined): no query.
        award = max(prefetched, key=lambda a: (a.offered_at, a.pk), default=None)
    elif application is not None and getattr(application, "pk", None):
        award = (
            application.awards.select_related("fund", "offering__program")
            .order_by("-offered_at", "-pk")
            .first()
        )
    is_open = award is not None and offer_is_open(award)
    return {"award": award, "is_open": is_open}


@register.filter
def award_program(award) -> str:
    """The program of `award` as named to the applicant: title, level and the language of
    instruction chosen with it ("Customs (Bachelor's), taught in Kazakh"). Reads the
    application's prefetched choices when loaded with it, else one query."""
    application = award.application
    prefetched = getattr(application, "_prefetched_objects_cache", {}).get("choices")
    if prefetched is not None:
        choice = next((c for c in prefetched if c.offering_id == award.offering_id), None)
    else:
        choice = (
            ApplicationChoice.objects.select_related("language")
            .filter(application_id=award.application_id, offering_id=award.offering_id)
            .first()
        )
    return choice_label(award.offering, choice.language if choice is not None else None)


@register.inclusion_tag("admissions/partials/scholarships_left_figure.html")
def scholarships_left(cycle=None):
    if cycle is None:
        cycles = scholarship_cycles_for_figures(limit=1)
        cycle = cycles[0] if cycles else None
    figures = scholarship_figures(cycle=cycle) if cycle is not None else None
    return {"figures": figures}


@register.inclusion_tag("admissions/admin/scholarship_figures_table.html", takes_context=True)
def admin_scholarship_figures(context, cycle=None):
    cycle = cycle or context.get("cycle")
    cycles = [cycle] if cycle is not None else scholarship_cycles_for_figures()
    return {"all_figures": [scholarship_figures(cycle=c) for c in cycles]}

"""Template tags of the scholarship pages.

`{% scholarship_offer_card application %}` renders the applicant's latest scholarship
offer (or nothing) for the dashboard; it does its own single query.
`{% scholarships_left cycle %}` renders the public "scholarships left" figure (cycle
optional: the most recent cycle with scholarships).
`{% admin_scholarship_figures %}` renders the committee's live figures (uses `cycle` from
the context when present, else the latest cycles with scholarships).
"""

from __future__ import annotations

from django import template

from admissions.scholarships.awards import offer_is_open
from admissions.selectors import scholarship_cycles_for_figures, scholarship_figures

register = template.Library()


@register.inclusion_tag("admissions/awards/offer_card.html")
def scholarship_offer_card(application):
    award = None
    if application is not None and getattr(application, "pk", None):
        award = (
            application.awards.select_related("fund", "offering__program")
            .order_by("-offered_at", "-pk")
            .first()
        )
    is_open = award is not None and offer_is_open(award)
    return {"award": award, "is_open": is_open}


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

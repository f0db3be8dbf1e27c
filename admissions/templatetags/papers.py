"""Template tags of the applicant's papers and calendar links.

`{% applicant_papers_and_dates application %}` renders, on the dashboard, the download of the
submitted application's PDF and the applicant's calendar feed (its secret address, to
subscribe in a calendar app, and a button to replace it). No query of its own when the
application was loaded with its calendar secret (`selectors.application_current_full`) or
with its applicant's profile (`selectors.application_full`).
"""

from __future__ import annotations

from django import template
from django.urls import reverse

from admissions.applications.lifecycle import Group, statuses_in
from admissions.enums import LIVE_AWARD_STATES

register = template.Library()


def webcal(url: str) -> str:
    """The `webcal://` form of an http(s) address, which calendar apps open to subscribe."""
    return "webcal://" + url.split("://", 1)[1] if "://" in url else url


@register.inclusion_tag("admissions/partials/papers_and_dates.html", takes_context=True)
def applicant_papers_and_dates(context, application):
    request = context["request"]
    if application is None:
        return {"application": None}
    if hasattr(application, "calendar_token"):  # read with it (the dashboard's selector)
        token = application.calendar_token
    else:
        profile = getattr(application.applicant, "applicant_profile", None)
        token = profile.calendar_token if profile is not None else None
    feed_url = None
    if token is not None:
        path = reverse("calendars:applicant", kwargs={"token": token})
        feed_url = request.build_absolute_uri(path)
    printable = bool(application.reference) and (
        application.status not in statuses_in(Group.EDITABLE)
    )
    return {
        "application": application,
        "application_pdf_url": (
            reverse("papers:application_pdf", kwargs={"pk": application.pk}) if printable else None
        ),
        "feed_url": feed_url,
        "feed_webcal_url": webcal(feed_url) if feed_url else None,
        "cycle_feed_url": reverse("calendars:cycle", kwargs={"code": application.cycle.code}),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def has_offer_letter(award) -> bool:
    """Whether `award` has an offer letter to print (offered or accepted)."""
    return award is not None and award.state in LIVE_AWARD_STATES

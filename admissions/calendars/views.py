"""The .ics feeds: the applicant's (by its secret address, no login, so that calendar apps
can subscribe) and a cycle's (public); and the applicant's "new address" action."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from admissions.calendars.feeds import calendar_applicant, calendar_cycle
from admissions.calendars.services import applicant_calendar_token_reset
from admissions.models import ApplicantProfile
from programs.models import AdmissionCycle


def _ics(content: bytes, *, filename: str, private: bool) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store" if private else "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    if private:
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
    return response


@require_GET
def applicant_feed(request, token: str):
    profile = (
        ApplicantProfile.objects.select_related("user")
        .only("user__id", "user__is_active", "calendar_token")
        .filter(calendar_token=token, user__is_active=True)
        .first()
    )
    if profile is None:
        raise Http404
    return _ics(calendar_applicant(user=profile.user), filename="admissions.ics", private=True)


@require_GET
def cycle_feed(request, code: str):
    cycle = get_object_or_404(AdmissionCycle, code=code)
    return _ics(
        calendar_cycle(cycle=cycle), filename=f"admissions-{cycle.code}.ics", private=False
    )


@login_required
@require_POST
def calendar_reset(request):
    profile = get_object_or_404(ApplicantProfile, user=request.user)
    applicant_calendar_token_reset(profile=profile)
    messages.success(
        request,
        _("Your calendar has a new address; the old one no longer works. Subscribe again."),
    )
    return redirect("admissions:dashboard")

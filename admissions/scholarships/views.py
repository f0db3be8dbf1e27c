"""The applicant's scholarship offer: details, accept and decline (each with a confirmation)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from admissions.errors import DomainError
from admissions.models import ScholarshipAward
from admissions.scholarships.awards import award_accept, award_decline, offer_is_open


def _own_award(request, pk: int) -> ScholarshipAward:
    # Someone else's offer is a 404, never a 403: its existence is not disclosed.
    return get_object_or_404(
        ScholarshipAward.objects.select_related(
            "application", "fund", "offering__program", "offering__cycle"
        ),
        pk=pk,
        application__applicant=request.user,
    )


@login_required
def award_detail(request, pk: int):
    award = _own_award(request, pk)
    return render(
        request, "admissions/awards/detail.html", {"award": award, "is_open": offer_is_open(award)}
    )


def _answer(request, pk: int, *, action: str):
    award = _own_award(request, pk)
    if request.method == "POST":
        if action == "accept" and not request.POST.get("confirm_enrolment"):
            messages.error(request, _("Tick the box to confirm that you will enrol."))
        else:
            service = award_accept if action == "accept" else award_decline
            try:
                service(award=award, actor=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
                return redirect("admissions:award_detail", pk=award.pk)
            if action == "accept":
                messages.success(
                    request, _("You accepted the scholarship. Your place is confirmed.")
                )
            else:
                messages.info(request, _("You declined the scholarship offer."))
            return redirect("admissions:award_detail", pk=award.pk)
    return render(
        request,
        f"admissions/awards/{action}.html",
        {"award": award, "is_open": offer_is_open(award)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def award_accept_view(request, pk: int):
    return _answer(request, pk, action="accept")


@login_required
@require_http_methods(["GET", "POST"])
def award_decline_view(request, pk: int):
    return _answer(request, pk, action="decline")

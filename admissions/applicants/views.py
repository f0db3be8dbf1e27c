"""The applicant's profile page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.i18n import set_language

from admissions.applicants.forms import ApplicantProfileForm
from admissions.applicants.services import profile_save, user_language_set
from admissions.errors import DomainError
from admissions.models import ApplicantProfile


@login_required
def profile(request):
    instance = ApplicantProfile.objects.filter(user=request.user).first()
    form = ApplicantProfileForm(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            profile_save(user=request.user, data=form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("admissions:profile")
    return render(
        request,
        "admissions/profile.html",
        {"form": form, "profile": instance, "identity_locked": form.identity_locked},
    )


def language_set(request):
    """Django's `set_language`, and for a signed-in person an explicit choice of the
    language of their mail: every later mail, link and reminder follows it."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and language
        and check_for_language(language)
    ):
        user_language_set(user=request.user, language=language)
    return response

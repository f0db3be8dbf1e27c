"""The applicant's profile page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from admissions.applicants.forms import ApplicantProfileForm
from admissions.applicants.services import profile_save
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

"""The applicant's profile page and personal-data page (download, deletion)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import check_for_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django.views.i18n import set_language

from admissions.applicants.forms import ApplicantProfileForm
from admissions.applicants.personal_data import (
    account_delete,
    account_may_be_deleted,
    personal_data_export,
)
from admissions.applicants.services import profile_save, user_language_set
from admissions.errors import DomainError
from admissions.models import ApplicantProfile
from admissions.text import NormalisedFormMixin


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


class AccountDeleteForm(NormalisedFormMixin, forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I understand that my account, my draft and my documents are deleted for good."
        )
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def personal_data(request):
    """The applicant's data page: download everything, or delete a draft-only account."""
    may_delete = account_may_be_deleted(user=request.user)
    form = AccountDeleteForm(request.POST or None)
    if request.method == "POST" and may_delete and form.is_valid():
        try:
            account_delete(user=request.user, password=form.cleaned_data["password"])
        except DomainError as error:
            form.add_error("password", error.message)
        else:
            logout(request)
            messages.success(request, _("Your account and all its data have been deleted."))
            return redirect("programs:home")
    return render(
        request,
        "admissions/personal_data.html",
        {"form": form, "may_delete": may_delete},
    )


@never_cache
@login_required
@require_http_methods(["GET"])
def personal_data_download(request):
    """All the applicant's data as a ZIP (JSON and their files)."""
    archive = personal_data_export(user=request.user)
    name = f"kaznu-omsk-my-data-{timezone.localdate().isoformat()}.zip"
    response = FileResponse(
        archive, as_attachment=True, filename=name, content_type="application/zip"
    )
    response["Cache-Control"] = "private, no-store"
    return response


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

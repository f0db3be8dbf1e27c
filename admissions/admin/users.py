"""The admin's user pages: each person's language of e-mail, and a password form whose
help text follows the page's language."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from admissions.applicants.services import user_language_set
from admissions.enums import SiteLanguage
from admissions.models import UserLanguage
from admissions.selectors import applicant_language

__all__ = ["PortalUserAdmin", "StaffLanguageForm"]

User = get_user_model()


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    # Django joins its lazy help text with a plain string when the class is created, which
    # freezes it in the default language; this one is joined each time it is shown.
    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        auth_forms.SetUnusablePasswordMixin.usable_password_help_text,
        _("If disabled, the current password for this user will be lost."),
    )


class UserLanguageInline(admin.StackedInline):
    model = UserLanguage
    can_delete = False
    extra = 0
    max_num = 1
    fields = ("language",)


class StaffLanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of your e-mails"),
        choices=SiteLanguage.choices,
        help_text=_("The daily digest and every other mail to you are written in it."),
    )


class PortalUserAdmin(UserAdmin):
    change_password_form = AdminPasswordChangeForm
    inlines = (*UserAdmin.inlines, UserLanguageInline)

    def get_urls(self):
        own = [
            path(
                "my-language/",
                self.admin_site.admin_view(self.my_language_view),
                name="auth_user_my_language",
            )
        ]
        return own + super().get_urls()

    def my_language_view(self, request):
        """Every staff member sets the language of their own mail here (no user-change
        permission needed: it is their own setting)."""
        form = StaffLanguageForm(
            request.POST or None, initial={"language": applicant_language(request.user)}
        )
        if request.method == "POST" and form.is_valid():
            user_language_set(user=request.user, language=form.cleaned_data["language"])
            messages.success(request, _("The language of your e-mails has been saved."))
            return redirect("admin:index")
        return TemplateResponse(
            request,
            "admin/auth/user/my_language.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Language of your e-mails"),
                "form": form,
                "opts": self.model._meta,
            },
        )


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, PortalUserAdmin)

"""Admin for the e-mail outbox: read what was sent, re-send what failed."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from admissions.admin.related import PlainRelatedMixin, plain_related
from admissions.models import OutgoingMail
from admissions.notifications.outbox import outbox_resend
from admissions.text import NormalisedAdminMixin

# These messages carry a one-time link that signs in or resets a password: whoever reads it
# could take over the account, so the admin never shows their bodies or data.
SECRET_TEMPLATES = frozenset({"account_confirmation", "password_reset"})


@admin.register(OutgoingMail)
class OutgoingMailAdmin(NormalisedAdminMixin, PlainRelatedMixin, admin.ModelAdmin):
    list_display = (
        "recipient",
        "template",
        "language",
        "state",
        "attempts",
        "created_at",
        "sent_at",
    )
    list_filter = ("state", "template", "language")
    search_fields = ("recipient",)
    # The list shows no related object; the user is only on the detail page.
    list_select_related = ()
    show_full_result_count = False
    list_per_page = 50
    actions = ("resend_failed",)
    plain_unless_permitted = {"user": "user_text"}
    user_text = plain_related("user", OutgoingMail)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "recipient",
                    "user",
                    "template",
                    "language",
                    "state",
                    "attempts",
                    "last_error",
                    "created_at",
                    "last_attempt_at",
                    "sent_at",
                    "idempotency_key",
                )
            },
        ),
        (_("Message as sent"), {"fields": ("subject", "text_as_sent", "html_as_sent")}),
        (_("Data it was rendered from"), {"classes": ("collapse",), "fields": ("context_shown",)}),
    )
    readonly_fields = flatten_fieldsets(fieldsets)

    # The outbox is written by the services only; the admin reads it and re-sends.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.has_perm("admissions.change_outgoingmail")

    @staticmethod
    def _hidden(mail: OutgoingMail):
        if mail.template in SECRET_TEMPLATES:
            return _("(hidden: this message contains a one-time account link)")
        return None

    @admin.display(description=_("data"))
    def context_shown(self, mail: OutgoingMail):
        return self._hidden(mail) or format_html("<pre>{}</pre>", mail.context)

    @admin.display(description=_("text"))
    def text_as_sent(self, mail: OutgoingMail):
        if hidden := self._hidden(mail):
            return hidden
        if not mail.body_text:
            return _("(not sent yet)")
        return format_html('<pre style="white-space: pre-wrap;">{}</pre>', mail.body_text)

    @admin.display(description=_("HTML"))
    def html_as_sent(self, mail: OutgoingMail):
        if hidden := self._hidden(mail):
            return hidden
        if not mail.body_html:
            return _("(not sent yet)")
        # srcdoc is an escaped attribute and the empty sandbox forbids scripts, forms and
        # same-origin access, so whatever the mail contains cannot act on the admin page.
        return format_html(
            '<iframe sandbox="" srcdoc="{}" title="{}" '
            'style="width: min(660px, 90vw); height: 640px; border: 1px solid #ccc;">'
            "</iframe>",
            mail.body_html,
            _("HTML version of the message"),
        )

    @admin.action(description=_("Re-send selected failed mail"), permissions=["resend"])
    def resend_failed(self, request, queryset):
        count = outbox_resend(mail_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d failed mail was queued again.",
                "%(count)d failed mails were queued again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )

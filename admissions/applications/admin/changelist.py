"""The applications list, rendered without per-row template, URL and translation work.

Django's changelist renders each row's action checkbox through the widget template,
reverses each row's change URL and resolves it again to add the list's filters, and builds
a program's translated label once per choice. At 50 rows that was most of the page's time;
here each of those is done once per page and the rows reuse it. The rows also leave out
the long text columns nobody sees in the list.
"""

from __future__ import annotations

from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from admissions.models import ApplicationChoice

__all__ = ["ApplicationChangeList", "action_checkbox_html"]

# Long texts shown only on the application page, never in the list.
LIST_DEFERRED_FIELDS = (
    "motivation",
    "documents_request_message",
    "decision_note",
    "education_institution",
    "education_document_number",
)
PK_PLACEHOLDER = "__pk__"


def action_checkbox_html(obj) -> str:
    """The row's action checkbox, the same markup as Django's widget renders."""
    label = format_html(gettext("Select this object for an action - {}"), obj)
    return format_html(
        '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
        helpers.ACTION_CHECKBOX_NAME,
        str(obj.pk),
        label,
    )


class ApplicationChangeList(ChangeList):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django merges the list's filters into every row's link, resolving the link's URL
        # once per row to do so. The merge is done once, on the link pattern, instead.
        self.row_preserved_filters, self.preserved_filters = self.preserved_filters, ""

    def get_results(self, request):
        choices = ApplicationChoice.objects.select_related("offering__program", "language")
        self.queryset = self.queryset.defer(*LIST_DEFERRED_FIELDS).prefetch_related(
            Prefetch("choices", queryset=choices.order_by("priority"))
        )
        super().get_results(request)
        # One label per program and page, not one per choice of every row.
        labels: dict[int, str] = {}
        for application in self.result_list:
            for choice in application.choices.all():
                program = choice.offering.program
                if program.pk not in labels:
                    labels[program.pk] = str(program)
                choice.program_label = labels[program.pk]

    def url_for_result(self, result) -> str:
        template = getattr(self, "_change_url_template", None)
        if template is None:
            opts = self.opts
            template = add_preserved_filters(
                {"preserved_filters": self.row_preserved_filters, "opts": opts},
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change",
                    args=(PK_PLACEHOLDER,),
                    current_app=self.model_admin.admin_site.name,
                ),
            )
            self._change_url_template = template
        return template.replace(PK_PLACEHOLDER, quote(str(getattr(result, self.pk_attname))))

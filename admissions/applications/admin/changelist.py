"""The applications list, rendered without per-row template, URL and translation work.

Django's changelist renders each row's action checkbox through the widget template,
reverses each row's change URL and resolves it again to add the list's filters, builds
a program's translated label once per choice, and renders every cell through a chain of
look-ups and a template variable. At 50 rows that was most of the page's time; here each
of those is done once per page (or per column) and the rows reuse it: `result_rows`
writes each row's cells, with Django's markup, as one string. The page's rows are chosen
on the applications alone and only those rows are then read with their joins and scores.
The rows also leave out the long text columns nobody sees in the list.
"""

from __future__ import annotations

from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_list import ResultList, items_for_result
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_value, quote
from django.contrib.admin.views.main import ChangeList
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from admissions.enums import ApplicationStatus
from admissions.models import ApplicationChoice

from .filters import languages, program_labels

__all__ = [
    "ApplicationChangeList",
    "action_checkbox_html",
    "attach_choice_labels",
    "result_rows",
    "status_label",
]

# Long texts shown only on the application page, never in the list.
LIST_DEFERRED_FIELDS = (
    "motivation",
    "documents_request_message",
    "decision_note",
    "education_institution",
    "education_document_number",
)
PK_PLACEHOLDER = "__pk__"


_status_labels: dict[str | None, dict[str, str]] = {}


def status_label(status: str) -> str:
    """The label of `status` in the active language (built once per language and process:
    `get_status_display` rebuilds the choices and translates the label on every call)."""
    language = get_language()
    labels = _status_labels.get(language)
    if labels is None:
        labels = _status_labels[language] = {
            value: str(label) for value, label in ApplicationStatus.choices
        }
    return labels.get(status, status)


_checkbox_labels: dict[str | None, str] = {}


def action_checkbox_html(obj) -> str:
    """The row's action checkbox, the same markup as Django's widget renders (its label
    translated once per language and process, not once per row)."""
    language = get_language()
    label = _checkbox_labels.get(language)
    if label is None:
        label = _checkbox_labels[language] = gettext("Select this object for an action - {}")
    return mark_safe(  # noqa: S308  # nosec B308 B703 (the label escaped whole, as Django's widget does)
        f'<input type="checkbox" name="{helpers.ACTION_CHECKBOX_NAME}" value="{obj.pk}" '
        f'class="action-select" aria-label="{escape(label.format(obj))}">'
    )


def attach_choice_labels(applications: list) -> None:
    """Set `choice_labels` on each application: [(priority, program label, language
    code)] of its program choices by priority, read in one narrow query (program labels
    and language codes from the catalogue's cached look-ups, not from a model per choice)."""
    programs = dict(program_labels())
    codes = {pk: code for pk, code, _name in languages()}
    by_application: dict[int, list] = {application.pk: [] for application in applications}
    choices = (
        ApplicationChoice.objects.filter(application_id__in=list(by_application))
        .order_by("priority")
        .values_list("application_id", "priority", "offering__program_id", "language_id")
    )
    for application_id, priority, program_id, language_id in choices:
        by_application[application_id].append(
            (priority, programs.get(program_id, ""), codes.get(language_id, ""))
        )
    for application in applications:
        application.choice_labels = by_application[application.pk]


class ApplicationChangeList(ChangeList):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django merges the list's filters into every row's link, resolving the link's URL
        # once per row to do so. The merge is done once, on the link pattern, instead.
        self.row_preserved_filters, self.preserved_filters = self.preserved_filters, ""

    def get_results(self, request):
        super().get_results(request)
        if self.multi_page and not (self.show_all and self.can_show_all):
            # One page of many: the page is chosen on the applications alone (filters,
            # order, LIMIT, in a subquery: no joins, no score subqueries but those the
            # order needs), and only its rows are joined with their applicant, cycle and
            # scores. Joining first made PostgreSQL join and sort every matching row
            # (thousands) to keep fifty.
            self.result_list = self.root_queryset.filter(
                pk__in=self.result_list.values("pk")
            ).order_by(*self.queryset.query.order_by)
        # Read when the rows are shown (`result_rows`), not by the export, which only
        # takes the list's queryset.
        self.result_list = self.result_list.defer(*LIST_DEFERRED_FIELDS)

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


def _columns(cl) -> list[tuple] | None:
    """Per column of the list: (admin method, cell tag, class attribute, empty text,
    boolean, links to the change page); None when a column is not a method of the
    ModelAdmin (then Django renders the rows)."""
    admin = cl.model_admin
    empty = admin.get_empty_value_display()
    columns = []
    first = True
    for name in cl.list_display:
        method = getattr(admin, name, None) if isinstance(name, str) else None
        if not callable(method):
            return None
        links = cl.list_display_links is not None and (
            name in cl.list_display_links or (first and not cl.list_display_links)
        )
        tag = "th" if links and first else "td"
        if links:
            first = False
        css = "action-checkbox" if name == "action_checkbox" else f"field-{name}"
        columns.append(
            (
                method,
                tag,
                f' class="{css}"',
                getattr(method, "empty_value_display", empty),
                getattr(method, "boolean", False),
                links,
            )
        )
    return columns


def result_rows(cl) -> list[ResultList]:
    """The list's rows for `admin/change_list_results.html`, each row's cells as one string,
    the markup Django's `items_for_result` writes (same classes, link, empty text, boolean
    icons and localised numbers)."""
    cl.result_list = list(cl.result_list)
    attach_choice_labels(cl.result_list)
    columns = _columns(cl)
    if columns is None or cl.formset is not None or cl.preserved_filters:
        return [ResultList(None, items_for_result(cl, row, None)) for row in cl.result_list]
    rows = []
    for result in cl.result_list:
        cells = []
        for method, tag, css, empty, boolean, links in columns:
            value = method(result)
            if isinstance(value, str) and not boolean:
                html = conditional_escape(value) if value.strip() else conditional_escape(empty)
            else:
                html = conditional_escape(display_for_value(value, empty, boolean))
            if links:
                try:
                    url = cl.url_for_result(result)
                except NoReverseMatch:
                    pass
                else:
                    opener = ""
                    if cl.is_popup:
                        attname = str(cl.to_field) if cl.to_field else cl.lookup_opts.pk.attname
                        opener = format_html(
                            ' data-popup-opener="{}"', result.serializable_value(attname)
                        )
                    html = f'<a href="{escape(url)}"{opener}>{html}</a>'
            cells.append(f"<{tag}{css}>{html}</{tag}>")
        rows.append(ResultList(None, [mark_safe("".join(cells))]))  # noqa: S308  # nosec B308 B703 (escaped above)
    return rows

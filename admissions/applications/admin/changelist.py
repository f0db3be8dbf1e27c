"""The applications list, read in one query and rendered without per-row template, URL
and translation work.

Django's changelist counts the matching rows, then reads the page, and the program choices
of the page's rows took a third query; it renders each row's action checkbox through the
widget template, reverses each row's change URL and resolves it again to add the list's
filters, builds a program's translated label once per choice, and renders every cell
through a chain of look-ups and a template variable. Here the page's rows, their program
choices and the (capped) count of all matching rows come from one statement
(`ApplicationChangeList.get_results`): the page is chosen on the applications alone
(filters, order, LIMIT, in a subquery: no joins), and only its rows are joined with their
applicant's names and their scores, reading only the columns the list shows. The cycles
(for the ranking weights), programs and languages come from the catalogue's cached
look-ups. Each row's cells are then written, with Django's markup, as one string
(`result_rows`), the per-row work done once per page (or per column).
"""

from __future__ import annotations

from functools import cache

from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _boolean_icon,
    items_for_result,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_value, quote
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import InvalidPage
from django.db.models import Aggregate, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Concat
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from admissions.enums import ApplicationStatus
from admissions.models import ApplicationChoice
from admissions.selectors import cycles_cached

from .filters import languages, program_labels

__all__ = [
    "ApplicationChangeList",
    "ApplicationExportChangeList",
    "action_checkbox_html",
    "result_rows",
    "status_label",
]

# The columns the list's cells read (`ApplicationAdmin.list_display`); everything else,
# the long texts, the cycle's and the account's columns included, stays in the database.
# A display method that reads another column must name it here (else one query per row).
LIST_COLUMNS = (
    "reference",
    "status",
    "released_status",
    "scholarship_requested",
    "submitted_at",
    "cycle",
    "applicant",
    "applicant__applicant_profile__last_name_native",
    "applicant__applicant_profile__first_name_native",
    "applicant__applicant_profile__patronymic_native",
    "applicant__applicant_profile__last_name_latin",
    "applicant__applicant_profile__first_name_latin",
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


_boolean_icons: dict[bool | None, str] = {}


def boolean_icon(value) -> str:
    """Django's yes/no/unknown icon of a boolean column, built once per process (it looks
    up the static file's hashed name on every call)."""
    if value not in (True, False, None):
        return _boolean_icon(value)
    key = None if value is None else bool(value)
    icon = _boolean_icons.get(key)
    if icon is None:
        icon = _boolean_icons[key] = _boolean_icon(key)
    return icon


class JoinedText(Aggregate):
    """The text values of a group joined with commas (STRING_AGG on PostgreSQL,
    GROUP_CONCAT on SQLite)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


@cache
def choice_keys() -> Subquery:
    """An Application annotation: its program choices as "priority:program id:language id"
    joined with commas (`ChoiceLabels` reads it). Built once: a query copies an
    expression, never changes it."""
    return Subquery(
        ApplicationChoice.objects.filter(application=OuterRef("pk"))
        .order_by()
        .values("application")
        .annotate(
            keys=JoinedText(
                Concat(
                    "priority",
                    Value(":"),
                    "offering__program_id",
                    Value(":"),
                    "language_id",
                    output_field=TextField(),
                )
            )
        )
        .values("keys"),
        output_field=TextField(),
    )


class ChoiceLabels:
    """Reads `choice_keys` annotations with the program labels and language codes of the
    catalogue's cached look-ups (in the active language)."""

    def __init__(self):
        self.programs = dict(program_labels())
        self.codes = {pk: code for pk, code, _name in languages()}

    def __call__(self, keys: str | None) -> list[tuple[int, str, str]]:
        """[(priority, program label, language code)] by priority."""
        if not keys:
            return []
        choices = sorted(tuple(int(part) for part in key.split(":")) for key in keys.split(","))
        return [
            (priority, self.programs.get(program, ""), self.codes.get(language, ""))
            for priority, program, language in choices
        ]


class ApplicationChangeList(ChangeList):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django merges the list's filters into every row's link, resolving the link's URL
        # once per row to do so. The merge is done once, on the link pattern, instead.
        self.row_preserved_filters, self.preserved_filters = self.preserved_filters, ""

    def get_results(self, request):
        """The page's rows with the count of all matching rows (capped, see
        `CappedCountPaginator`) in one query; Django counts first, then reads the page.
        Sets what Django's `get_results` sets; `result_list` is a list."""
        paginator = self.model_admin.get_paginator(request, self.queryset, self.list_per_page)
        if self.show_all or not hasattr(paginator, "count_expression"):
            # "Show all" (the whole list when it is short enough): Django's way.
            super().get_results(request)
            self.result_list = self._read_rows(self.result_list.values("pk"))
            return
        if self.page_num < 1:
            raise IncorrectLookupParameters
        start = (self.page_num - 1) * self.list_per_page
        page = self.queryset.values("pk")[start : start + self.list_per_page]
        rows = self._read_rows(page, result_count=paginator.count_expression())
        if rows:
            paginator.count = rows[0].result_count
        elif start == 0:
            paginator.count = 0
        try:
            # Beyond the last page: Django's answer (the list without the page number).
            paginator.validate_number(self.page_num)
        except InvalidPage:
            raise IncorrectLookupParameters from None
        result_count = paginator.count
        self.result_count = result_count
        self.show_full_result_count = self.model_admin.show_full_result_count
        self.full_result_count = (
            self.root_queryset.count() if self.show_full_result_count else None
        )
        self.show_admin_actions = not self.show_full_result_count or bool(self.full_result_count)
        self.result_list = rows
        self.can_show_all = result_count <= self.list_max_show_all
        self.multi_page = result_count > self.list_per_page
        self.paginator = paginator

    def _read_rows(self, page, **annotations) -> list:
        """The applications whose ids `page` (a values("pk") queryset) selects, in the
        list's order, with the columns and annotations the cells read."""
        rows = list(
            self.root_queryset.filter(pk__in=page)
            .select_related(None)
            .select_related("applicant__applicant_profile")
            .only(*LIST_COLUMNS)
            .annotate(choice_keys=choice_keys(), **annotations)
            .order_by(*self.queryset.query.order_by)
        )
        # The ranking score's weights are the cycle's: from the catalogue, not joined.
        cycles = cycles_cached()
        choice_labels = ChoiceLabels()
        for row in rows:
            cycle = cycles.get(row.cycle_id)
            if cycle is not None:
                row.cycle = cycle
            row.choice_labels = choice_labels(row.choice_keys)
        return rows

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
            elif boolean:
                html = boolean_icon(value)
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


class ApplicationExportChangeList(ApplicationChangeList):
    """The list as the export takes it: its filters, search and order (`get_queryset`),
    never the rows of its page nor their count."""

    def get_results(self, request):
        pass

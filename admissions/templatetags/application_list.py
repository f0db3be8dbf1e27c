"""`{% application_result_list cl %}`: the applications list's table, Django's
`{% result_list cl %}` with the rows written by
`admissions.applications.admin.changelist.result_rows` (one string per row)."""

from __future__ import annotations

from django import template
from django.contrib.admin.templatetags.admin_list import result_headers, result_hidden_fields

from admissions.applications.admin.changelist import result_rows

register = template.Library()


@register.inclusion_tag("admin/change_list_results.html")
def application_result_list(cl) -> dict:
    headers = list(result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": result_rows(cl),
    }

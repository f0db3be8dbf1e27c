"""`{% admissions_office as office %}`: the admissions office's contacts (cached; see
`admissions.selectors.office_get`), for the site footer and the program pages."""

from django import template

from admissions.selectors import office_get

register = template.Library()


@register.simple_tag
def admissions_office():
    """The admissions office entered in the admin, or None."""
    return office_get()

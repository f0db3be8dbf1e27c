"""Read-only admin pages written without Django's per-field template work.

Django renders each read-only field of a change page through `admin/includes/fieldset.html`
(a dozen template look-ups and conditions per field) and shows a field with choices by
building the whole list of choices again (`display_for_field`: the ~250 countries of a
country field, translated and sorted, for one name). A page whose every field is read-only
(the application page) is written here with the same markup: `fieldsets_html` writes the
fieldsets from Django's own fieldset, line and read-only field objects (labels, help
texts, links, icons, formats and escaping are Django's), and `readonly_contents` shows a
field with choices from a dict of its choices kept per language and process.
"""

from __future__ import annotations

from django.contrib.admin.helpers import AdminReadonlyField
from django.core.exceptions import FieldDoesNotExist
from django.template.defaultfilters import linebreaksbr
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

__all__ = ["ReadOnlyCell", "fieldsets_html", "readonly_contents"]

_choice_labels: dict[tuple, dict] = {}


_choices_fields: dict[tuple, object] = {}


def _choices_field(model, name):
    """The concrete model field `name` of `model` if it has choices, else None."""
    if not isinstance(name, str):
        return None
    key = (model, name)
    if key not in _choices_fields:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        if field is not None and (
            not field.concrete or field.is_relation or not getattr(field, "flatchoices", None)
        ):
            field = None
        _choices_fields[key] = field
    return _choices_fields[key]


def _labels(field) -> dict:
    """{value: label} of `field`'s choices in the active language (choices are declared
    with the model: kept for the process)."""
    key = (field.model, field.name, get_language())
    labels = _choice_labels.get(key)
    if labels is None:
        labels = _choice_labels[key] = dict(field.flatchoices)
    return labels


def readonly_contents(readonly_field: AdminReadonlyField) -> SafeString:
    """What `readonly_field.contents()` shows, for a model field with choices without
    building its choices again."""
    name = readonly_field.field["field"]
    obj = readonly_field.form.instance
    model_field = _choices_field(type(obj), name)
    if model_field is None or name in readonly_field.form.fields:
        return readonly_field.contents()
    try:
        label = _labels(model_field).get(getattr(obj, name), readonly_field.empty_value_display)
    except TypeError:  # an unhashable value: Django's way
        return readonly_field.contents()
    return conditional_escape(linebreaksbr(label))


class _RowForm:
    """What `AdminReadonlyField.contents` reads of a form: the row's object, no fields."""

    fields: dict = {}

    def __init__(self, instance):
        self.instance = instance


class ReadOnlyCell(AdminReadonlyField):
    """Django's read-only field of an inline row (its `contents`), without the label and
    help text its constructor looks up for every cell: a table's header has them once."""

    def __init__(self, field, obj, model_admin, empty_value_display):
        self.field = {"field": field}
        self.form = _RowForm(obj)
        self.model_admin = model_admin
        self.empty_value_display = empty_value_display

    def html(self) -> SafeString:
        return readonly_contents(self)


def _field_html(field: AdminReadonlyField) -> str:
    # admin/includes/fieldset.html for a line of one read-only field (no errors, visible).
    name = field.field["name"]
    help_text = field.field["help_text"]
    return (
        f'<div class="form-row{f" field-{conditional_escape(name)}" if name else ""}">'
        f'<div><div class="flex-container">{field.label_tag()}'
        f'<div class="readonly">{readonly_contents(field)}</div></div>'
        + (f'<div class="help"><div>{help_text}</div></div>' if help_text else "")
        + "</div></div>"
    )


def fieldsets_html(adminform, *, prefix: str = "fieldset", id_prefix: int = 0):
    """The fieldsets of `adminform` (Django's AdminForm) as Django's change form writes
    them (`admin/includes/fieldset.html`, heading level 2), one string each; None when a
    line is not a single read-only field (then Django's template writes them)."""
    written = []
    for index, fieldset in enumerate(adminform):
        fields = []
        for line in fieldset:
            if len(line.fields) != 1:
                return None
            (field,) = line
            if not isinstance(field, AdminReadonlyField):
                return None
            fields.append(_field_html(field))
        heading = ""
        labelled = ""
        if fieldset.name:
            heading_id = f"{prefix}-{id_prefix}-{index}-heading"
            labelled = format_html(' aria-labelledby="{}"', heading_id)
            heading = format_html(
                '<h2 id="{}" class="fieldset-heading">{}</h2>', heading_id, fieldset.name
            )
            if fieldset.is_collapsible:
                heading = f"<details><summary>{heading}</summary>"
        description = (
            f'<div class="description">{fieldset.description}</div>'
            if fieldset.description
            else ""
        )
        closing = "</details>" if fieldset.name and fieldset.is_collapsible else ""
        written.append(
            mark_safe(  # noqa: S308  # nosec B308 B703 (names, labels and contents escaped; help texts and descriptions are trusted, as in Django's template)
                f'<fieldset class="module aligned {conditional_escape(fieldset.classes)}"'
                f"{labelled}>{heading}{description}{''.join(fields)}{closing}</fieldset>"
            )
        )
    return written

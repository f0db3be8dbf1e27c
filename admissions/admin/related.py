"""Read-only foreign keys in the admin, shown as links only to those who may open them.

Django links every read-only foreign key on a change page (and in inlines) to the related
object's change page, whatever the user's permissions: a reviewer clicking the cycle or an
officer clicking a user's name got a 403. Admins list such fields in
`plain_unless_permitted` ({field: plain display attribute}); for users without view or change
permission on the related model the field is swapped for its plain-text twin.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_permission_codename

__all__ = ["PlainRelatedMixin", "may_open_related", "plain_related"]


def may_open_related(request, model, field_name: str) -> bool:
    """Whether the admin change page of `model.field_name`'s target opens for this user."""
    opts = model._meta.get_field(field_name).related_model._meta
    return any(
        request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
        for action in ("view", "change")
    )


def plain_related(field_name: str, model):
    """An admin display method showing `field_name` as text (no link), titled like the field."""

    @admin.display(description=model._meta.get_field(field_name).verbose_name)
    def show(self, obj):
        value = getattr(obj, field_name)
        return "—" if value is None else str(value)

    return show


class PlainRelatedMixin:
    """For ModelAdmin and InlineModelAdmin: swap the fields of `plain_unless_permitted`."""

    plain_unless_permitted: dict[str, str] = {}

    def _plain(self, request, names, obj=None):
        # Only fields shown read-only: declared so, or the whole object is view-only for
        # this user. An editable field stays a form field (a select, not a link).
        view_only = obj is not None and not self.has_change_permission(request, obj)
        swapped = []
        for name in names:
            if isinstance(name, list | tuple):  # several fields on one line
                swapped.append(tuple(self._plain(request, name, obj)))
            elif (
                name in self.plain_unless_permitted
                and (view_only or name in self.readonly_fields)
                and not may_open_related(request, self.model, name)
            ):
                swapped.append(self.plain_unless_permitted[name])
            else:
                swapped.append(name)
        return swapped

    @staticmethod
    def _unique(names):
        return list(dict.fromkeys(names))

    def get_fields(self, request, obj=None):
        return self._unique(self._plain(request, super().get_fields(request, obj), obj))

    def get_fieldsets(self, request, obj=None):
        return [
            (
                title,
                {**options, "fields": self._unique(self._plain(request, options["fields"], obj))},
            )
            for title, options in super().get_fieldsets(request, obj)
        ]

    def get_readonly_fields(self, request, obj=None):
        # The original names stay read-only too: the model form must never include them
        # (a missing form field would blank the foreign key on save).
        names = list(super().get_readonly_fields(request, obj))
        return self._unique([*names, *self._plain(request, names, obj)])

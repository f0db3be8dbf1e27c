"""Translation helpers that keep a message lazy until it is shown.

`gettext_lazy("... %(n)s ...") % values` looks lazy but is not: the `%` turns it into a
plain string at once, in the language active at that moment (at import time, the
default language), so the text stays Russian on Kazakh and English pages. These helpers
interpolate when the text is rendered instead.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.utils.functional import lazy
from django.utils.translation import gettext

__all__ = ["interpolate_lazy", "through_model_names_made_lazy"]


def _interpolate(message, values: dict[str, Any]) -> str:
    return str(message) % values


interpolate_lazy = lazy(_interpolate, str)
interpolate_lazy.__doc__ = """`message % values`, computed each time the result is shown:
`interpolate_lazy(gettext_lazy("Between %(min)s and %(max)s"), {"min": 1, "max": 2})`."""


def _relationship(plural: bool, source: str, target: str) -> str:
    message = "%(from)s-%(to)s relationships" if plural else "%(from)s-%(to)s relationship"
    return gettext(message) % {"from": source, "to": target}


_relationship_lazy = lazy(_relationship, str)


def through_model_names_made_lazy() -> None:
    """Give Django's automatic many-to-many tables ("Group-permission relationship") lazy
    names. Django builds them with `gettext_lazy(...) % ...` when the model class is
    created, which freezes them in the default language (the admin's delete page then
    listed "Связь" on English and Kazakh pages). Called once, from an AppConfig.ready()."""
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.auto_created or not meta.local_fields:
            continue
        foreign_keys = [f for f in meta.local_fields if f.is_relation]
        if len(foreign_keys) != 2:
            continue
        source, target = (f.name for f in foreign_keys)
        meta.verbose_name = _relationship_lazy(False, source, target)
        meta.verbose_name_plural = _relationship_lazy(True, source, target)

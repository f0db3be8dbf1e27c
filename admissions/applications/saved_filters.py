"""Saved filters of the applications list: a staff member names the list's current filter
(its query string) and opens it again from the list."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.db import transaction
from django.utils.translation import gettext as _

from admissions.errors import DomainError
from admissions.models import SavedFilter

__all__ = ["saved_filter_delete", "saved_filter_save", "saved_filters_of"]

# Parameters that are not part of a filter: the page number, the export format, the
# admin's error flag and popup markers.
NOT_A_FILTER = frozenset({"p", "_format", "e", "_popup", "_to_field", "_changelist_filters"})
MAX_SAVED_FILTERS = 50


def _filter_query(query: str) -> str:
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=False) if k not in NOT_A_FILTER]
    return urlencode(sorted(pairs))


def saved_filters_of(user) -> list[SavedFilter]:
    """`user`'s saved filters, by name (one query)."""
    return list(SavedFilter.objects.filter(user=user).order_by("name"))


@transaction.atomic
def saved_filter_save(*, user, name: str, query: str) -> SavedFilter:
    """Save `query` (a list's query string, e.g. "status=accepted&program=3") as `name`
    for `user`, replacing a filter of the same name. The page number and export format
    are dropped. Raises `DomainError` for an empty name or more than 50 filters."""
    name = " ".join(name.split())[:80]
    if not name:
        raise DomainError(_("Give the filter a name."))
    existing = SavedFilter.objects.select_for_update().filter(user=user, name=name).first()
    if existing is None:
        if SavedFilter.objects.filter(user=user).count() >= MAX_SAVED_FILTERS:
            raise DomainError(
                _("You have %(count)s saved filters: delete one first.")
                % {"count": MAX_SAVED_FILTERS}
            )
        existing = SavedFilter(user=user, name=name)
    existing.query = _filter_query(query)
    existing.save()
    return existing


@transaction.atomic
def saved_filter_delete(*, user, saved_filter_id: int) -> bool:
    """Delete `user`'s filter `saved_filter_id`; False when it is not theirs or gone."""
    deleted, _rows = SavedFilter.objects.filter(user=user, pk=saved_filter_id).delete()
    return bool(deleted)

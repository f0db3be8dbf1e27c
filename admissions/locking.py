"""One helper for row locks: `lock_rows` locks the rows of one table in ascending key
order, so two transactions that lock overlapping sets never wait on each other crosswise.

Callers that lock several tables take them in one documented order (see
`admissions.scholarships.awards.award_offer`). Modelled on pretix's `lock_objects`
(src/pretix/base/services/locking.py): sorted keys, one place to look for locks.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model, QuerySet

__all__ = ["lock_rows"]


def lock_rows(queryset: QuerySet, pks: Iterable[int]) -> dict[int, Model]:
    """Lock the rows of `queryset` with primary keys `pks` (SELECT ... FOR UPDATE OF the
    queryset's own table, keys ascending) and return them as {pk: row}.

    Must run inside a transaction. Rows missing from the table are missing from the result.
    On databases without row locks (SQLite) the rows are read without a lock: SQLite
    serialises writers on the whole database.
    """
    keys = sorted(set(pks))
    rows = queryset.select_for_update(of=("self",)).filter(pk__in=keys).order_by("pk")
    return {row.pk: row for row in rows}

"""Published rankings that nobody can quietly change: a SHA-256 hash chain per list.

Each published snapshot of an offering's ranking stores

* `previous_sha256`: the `content_sha256` of the previous snapshot of the same offering
  (empty for the first one), and
* `content_sha256`: the SHA-256 of the snapshot's canonical JSON (below), which includes
  `previous_sha256`.

So changing any published row, date or link changes that snapshot's hash, and hiding the
change would mean rewriting every later snapshot of the list as well, whose hashes were
already shown on the public pages. Anyone can check a list: the public page offers the
canonical JSON as a download, whose `sha256sum` must equal the hash shown; and
`manage.py verify_rankings` checks every chain in the database (non-zero exit on a break).

Canonical JSON: UTF-8, keys sorted, no insignificant whitespace (`separators=(",", ":")`),
non-ASCII kept as is, of the object::

    {"format": "kzo-ranking-snapshot/1", "offering": <offering id>,
     "previous_sha256": "<hex or empty>", "published_at": "<UTC ISO 8601, microseconds>",
     "rows": [<the published rows as stored>]}

The functions here take plain values so that migrations can use them too.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "CANONICAL_FORMAT",
    "ChainProblem",
    "SnapshotCheck",
    "ranking_chain_verify",
    "snapshot_canonical_json",
    "snapshot_check",
    "snapshot_sha256",
]

CANONICAL_FORMAT = "kzo-ranking-snapshot/1"


def snapshot_canonical_json(
    *, offering_id: int, published_at: datetime.datetime, rows: list, previous_sha256: str
) -> bytes:
    """The canonical bytes of a snapshot (see the module docstring). `published_at` must be
    aware; it is written in UTC with microseconds."""
    if published_at.tzinfo is None:
        raise ValueError("published_at must be an aware datetime")
    content = {
        "format": CANONICAL_FORMAT,
        "offering": offering_id,
        "previous_sha256": previous_sha256,
        "published_at": published_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "rows": rows,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def snapshot_sha256(snapshot) -> str:
    """Hex SHA-256 of the canonical JSON of `snapshot` (a RankingSnapshot, or any object with
    `offering_id`, `published_at`, `rows` and `previous_sha256`), as it is stored now."""
    return hashlib.sha256(
        snapshot_canonical_json(
            offering_id=snapshot.offering_id,
            published_at=snapshot.published_at,
            rows=snapshot.rows,
            previous_sha256=snapshot.previous_sha256,
        )
    ).hexdigest()


@dataclass(frozen=True)
class SnapshotCheck:
    """The check of one snapshot: its content still hashes to the recorded hash
    (`content_ok`) and it links to the previous snapshot's recorded hash (`link_ok`)."""

    content_ok: bool
    link_ok: bool

    @property
    def ok(self) -> bool:
        return self.content_ok and self.link_ok


def snapshot_check(*, snapshot, previous) -> SnapshotCheck:
    """Check `snapshot` against its recorded hash and against `previous` (the snapshot of the
    same offering published just before it, or None for the first)."""
    expected_link = previous.content_sha256 if previous is not None else ""
    return SnapshotCheck(
        content_ok=snapshot_sha256(snapshot) == snapshot.content_sha256,
        link_ok=snapshot.previous_sha256 == expected_link,
    )


@dataclass(frozen=True)
class ChainProblem:
    """A break in a chain: `snapshot_id` of offering `offering_id` and what is wrong with it
    (`"content"`: its content no longer matches its hash; `"link"`: it does not name the
    previous snapshot's hash)."""

    snapshot_id: int
    offering_id: int
    problem: str


def ranking_chain_verify(*, snapshots: Iterable) -> tuple[int, list[ChainProblem]]:
    """Verify the chains formed by `snapshots` (RankingSnapshot rows of one or more
    offerings, every snapshot of each offering included, ordered by offering, publication
    time and id). Returns (number of snapshots checked, problems found)."""
    checked = 0
    problems: list[ChainProblem] = []
    previous = None
    for snapshot in snapshots:
        if previous is not None and previous.offering_id != snapshot.offering_id:
            previous = None
        check = snapshot_check(snapshot=snapshot, previous=previous)
        if not check.content_ok:
            problems.append(ChainProblem(snapshot.pk, snapshot.offering_id, "content"))
        if not check.link_ok:
            problems.append(ChainProblem(snapshot.pk, snapshot.offering_id, "link"))
        checked += 1
        previous = snapshot
    return checked, problems

"""Public, anonymous ranked lists: the offerings with published snapshots, one snapshot
(with the check of its hash chain) and its canonical JSON."""

from __future__ import annotations

from collections.abc import Collection

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from admissions.models import Application, RankingSnapshot
from admissions.scholarships.ranking_integrity import snapshot_canonical_json, snapshot_check
from programs.models import Offering
from programs.page_cache import cache_public_page


@cache_public_page(timeout_setting="PUBLIC_PAGE_CACHE_SECONDS")
def ranking_list(request):
    snapshots = RankingSnapshot.objects.only("pk", "offering_id", "published_at").order_by(
        "-published_at"
    )
    offerings = (
        Offering.objects.filter(rankings__isnull=False)
        .distinct()
        .select_related("program", "cycle")
        .prefetch_related(Prefetch("rankings", queryset=snapshots, to_attr="snapshots"))
        .order_by("-cycle__opens_at", "program__position", "program__slug")
    )
    return render(request, "admissions/rankings/list.html", {"offerings": offerings})


def _neighbour(snapshot: RankingSnapshot, *, newer: bool):
    """Of the same offering: the latest snapshot published after this one (`newer`), or the
    one published just before it (its predecessor in the hash chain)."""
    if newer:
        later = Q(published_at__gt=snapshot.published_at) | Q(
            published_at=snapshot.published_at, pk__gt=snapshot.pk
        )
        order = ("-published_at", "-pk")
    else:
        later = Q(published_at__lt=snapshot.published_at) | Q(
            published_at=snapshot.published_at, pk__lt=snapshot.pk
        )
        order = ("-published_at", "-pk")
    return (
        RankingSnapshot.objects.filter(later, offering_id=snapshot.offering_id)
        .only("pk", "published_at", "content_sha256")
        .order_by(*order)
        .first()
    )


def _own_place(request, snapshot: RankingSnapshot) -> tuple[set[str], int | None]:
    """The signed-in applicant's reference numbers in the cycle of `snapshot`, and their
    rank in it (None when not listed). Anonymous visitors get nothing: their page is the
    cached one, the same for everybody (`cache_public_page` serves only them from it)."""
    if not request.user.is_authenticated:
        return set(), None
    references = {
        reference
        for reference in Application.objects.filter(
            applicant=request.user, cycle_id=snapshot.offering.cycle_id
        ).values_list("reference", flat=True)
        if reference
    }
    rank = next(
        (row.get("rank") for row in snapshot.rows if row.get("reference") in references), None
    )
    return references, rank


# Bump when the markup of the rows changes: rows rendered before are then never read.
ROWS_MARKUP_VERSION = 2
_ROWS_TEMPLATE = "admissions/rankings/_rows.html"


def ranking_rows_html(
    snapshot: RankingSnapshot, own_references: Collection[str] = ()
) -> SafeString:
    """The table rows of `snapshot` in the active language, one line per row (in the
    order of `snapshot.rows`), with the rows whose reference is in `own_references` (the
    signed-in owner's) marked.

    A published snapshot never changes, so its rows (thousands, the page's whole cost)
    are rendered once per language, unmarked, and kept in the shared cache for
    PUBLISHED_RANKING_CACHE_SECONDS, across the invalidations of the public pages (an
    award or a newer publication changes the page around the rows, not the rows). An
    owner's page takes those lines and renders only their own rows again, marked."""
    key = f"ranking-rows:{ROWS_MARKUP_VERSION}:{snapshot.pk}:{get_language()}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(_ROWS_TEMPLATE, {"rows": snapshot.rows})
        cache.set(key, html, settings.PUBLISHED_RANKING_CACHE_SECONDS)
    own = [
        index for index, row in enumerate(snapshot.rows) if row.get("reference") in own_references
    ]
    if own:
        lines = html.split("\n")
        for index in own:
            row = snapshot.rows[index]
            if index >= len(lines) or f"<td>{escape(row['reference'])}<td>" not in lines[index]:
                # Not one line per row (a value with a line break): render them all.
                context = {"rows": snapshot.rows, "own_references": own_references}
                return mark_safe(render_to_string(_ROWS_TEMPLATE, context))  # noqa: S308  # nosec B308 B703 (rendered by the template engine, escaped there)
            context = {"rows": [row], "own_references": own_references}
            lines[index] = render_to_string(_ROWS_TEMPLATE, context).rstrip("\n")
        html = "\n".join(lines)
    return mark_safe(html)  # noqa: S308  # nosec B308 B703 (rendered by the template engine, escaped there)


# A published snapshot never changes: it is rendered once and kept (a newer publication
# changes its "newer ranking" link, and any publication makes the cached pages stale).
# A signed-in applicant's page marks their own row; it is made for them, never cached.
@cache_public_page(timeout_setting="PUBLISHED_RANKING_CACHE_SECONDS")
def ranking_detail(request, pk: int):
    snapshot = get_object_or_404(
        RankingSnapshot.objects.select_related("offering__program", "offering__cycle"), pk=pk
    )
    previous = _neighbour(snapshot, newer=False)
    own_references, own_rank = _own_place(request, snapshot)
    return render(
        request,
        "admissions/rankings/detail.html",
        {
            "snapshot": snapshot,
            # The rows rendered once, with the owner's own row marked for them.
            "rows_html": ranking_rows_html(snapshot, own_references),
            "newer": _neighbour(snapshot, newer=True),
            "previous": previous,
            "check": snapshot_check(snapshot=snapshot, previous=previous),
            "own_rank": own_rank,
        },
    )


def ranking_json(request, pk: int):
    """The snapshot's canonical JSON, byte for byte what its SHA-256 was computed over."""
    snapshot = get_object_or_404(
        RankingSnapshot.objects.only(
            "pk", "offering_id", "published_at", "rows", "previous_sha256"
        ),
        pk=pk,
    )
    content = snapshot_canonical_json(
        offering_id=snapshot.offering_id,
        published_at=snapshot.published_at,
        rows=snapshot.rows,
        previous_sha256=snapshot.previous_sha256,
    )
    response = HttpResponse(content, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="ranking-{snapshot.pk}.json"'
    return response

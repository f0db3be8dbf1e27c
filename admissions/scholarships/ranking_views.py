"""Public, anonymous ranked lists: the offerings with published snapshots, one snapshot."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from admissions.models import RankingSnapshot
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


# A published snapshot never changes: it is rendered once and kept (a newer publication
# changes its "newer ranking" link, and any publication makes the cached pages stale).
@cache_public_page(timeout_setting="PUBLISHED_RANKING_CACHE_SECONDS")
def ranking_detail(request, pk: int):
    snapshot = get_object_or_404(
        RankingSnapshot.objects.select_related("offering__program", "offering__cycle"), pk=pk
    )
    newer = (
        RankingSnapshot.objects.filter(
            offering_id=snapshot.offering_id, published_at__gt=snapshot.published_at
        )
        .order_by("-published_at")
        .first()
    )
    return render(
        request,
        "admissions/rankings/detail.html",
        {"snapshot": snapshot, "rows": snapshot.rows, "newer": newer},
    )

"""The admissions dashboard (a custom admin view of `ApplicationAdmin`): counts of one cycle.

A fixed number of queries, whatever the number of applications: each breakdown is one
GROUP BY, all of them sent as one statement; names are looked up once per table, not per
row. The figures are kept in the shared cache for a minute (ADMIN_DASHBOARD_CACHE_SECONDS).

Charts are drawn in the browser by Chart.js (vendored under static/vendor/chartjs, served
locally): `charts` holds, per chart, the data of its canvas (read by
static/js/admin-dashboard.js from a `json_script` element: no inline script) and the same
figures as a table, which the page shows as the chart's accessible alternative.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F, QuerySet
from django.db.models.functions import TruncDate
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from admissions.applications.admin.filters import languages, program_labels
from admissions.applications.release import decisions_pending_release
from admissions.enums import ApplicationStatus, DocumentKind
from admissions.models import ApplicationChoice
from admissions.selectors import (
    applications_visible_to_staff,
    cycles_cached,
    documents_awaiting_verification,
    reviews_outstanding_counts,
    scholarship_figures,
    staff_is_reviewer,
)
from config.countries import countries
from programs.enums import Level

CHART_DAYS = 30


def _count_by(queryset, field: str, count=None) -> dict:
    """{value of `field`: count} in one GROUP BY; `count` defaults to the rows."""
    return dict(queryset.order_by().values_list(field).annotate(n=count or Count("pk")))


def _rows(counts: dict, labels: dict) -> list[dict]:
    """[{label, count, percent}] sorted by count, percent relative to the largest."""
    top = max(counts.values(), default=0) or 1
    rows = [
        {
            "label": str(labels.get(key, key or "—")),
            "count": n,
            "percent": round(n * 100 / top),
        }
        for key, n in counts.items()
    ]
    return sorted(rows, key=lambda row: (-row["count"], str(row["label"])))


def chart_bars(per_day: dict, end, days: int = CHART_DAYS) -> dict:
    """The last `days` days up to `end`, each with its count (0 for a day without any)."""
    bars = [
        {"day": day, "count": per_day.get(day, 0)}
        for day in (end - timedelta(days=days - 1 - index) for index in range(days))
    ]
    return {
        "bars": bars,
        "total": sum(bar["count"] for bar in bars),
        "first": bars[0]["day"],
        "last": bars[-1]["day"],
    }


def dashboard_context(request) -> dict:
    """The dashboard of the cycle asked for (`?cycle=<pk>`, else the latest).

    The figures are computed by `dashboard_figures` and kept in the shared cache for
    ADMIN_DASHBOARD_CACHE_SECONDS per user, cycle and language (they are counts over
    the whole cycle: a minute old is recent enough), with their rendering
    (`figures_html`); `figures_at` says when they were computed."""
    cycles = list(cycles_cached().values())  # the catalogue's: no query once read
    cycle = next((c for c in cycles if str(c.pk) == request.GET.get("cycle")), None)
    if cycle is None and cycles:
        cycle = cycles[0]
    if cycle is None:
        return {"cycles": [], "cycle": None}
    key = dashboard_cache_key(request.user, cycle)
    figures = cache.get(key)
    if figures is None:
        figures = dashboard_figures(request.user, cycle)
        # Rendered once with the figures and kept with them: the charts' tables and the
        # breakdowns were most of a kept page's time.
        figures["figures_html"] = render_to_string(
            "admin/admissions/_dashboard_figures.html", {**figures, "cycle": cycle}
        )
        cache.set(key, figures, settings.ADMIN_DASHBOARD_CACHE_SECONDS)
    return {"cycles": cycles, "cycle": cycle, **figures}


def dashboard_cache_key(user, cycle) -> str:
    """The cache key of `user`'s figures of `cycle` in the active language."""
    return f"admin-dashboard:{user.pk}:{cycle.pk}:{get_language()}"


def _grouped_counts(branches: dict[str, QuerySet]) -> dict[str, dict]:
    """Run grouped counts in one round trip: {name: {key: count}}.

    Each branch is a `.values(k1=..., [k2=...]).annotate(n=...)` queryset (not run); its
    key is k1, or (k1, k2), read back as text. The branches are joined with UNION ALL into
    one statement, so eight breakdowns cost one query, not eight. A branch that can match
    nothing (`.none()`) is left out and reads as empty."""
    parts, params, arity = [], [], {}
    for name, queryset in branches.items():
        arity[name] = 2 if "k2" in queryset.query.annotations else 1
        try:
            sql, branch_params = queryset.query.sql_with_params()
        except EmptyResultSet:
            continue
        second = "CAST(b.k2 AS TEXT)" if arity[name] == 2 else "NULL"
        parts.append(
            f"SELECT %s AS name, CAST(b.k1 AS TEXT) AS k1, {second} AS k2, b.n AS n "  # noqa: S608  # nosec B608 (the ORM's own SQL, values passed as parameters)
            f"FROM ({sql}) b"
        )
        params += [name, *branch_params]
    counts: dict[str, dict] = {name: {} for name in branches}
    if parts:
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for name, k1, k2, n in cursor.fetchall():
                counts[name][(k1, k2) if arity[name] == 2 else k1] = n
    return counts


def _ints(counts: dict) -> dict:
    return {int(key): n for key, n in counts.items() if key is not None}


def dashboard_figures(user, cycle) -> dict:
    """Counts, breakdowns and charts of `cycle` as `user` may see them. A fixed number of
    queries whatever the number of applications: the grouped counts (with the reviewers'
    names) in one statement (`_grouped_counts`) and the scholarship figures (2); program
    and language names come from the catalogue's cached look-ups (2 when not cached)."""
    applications = applications_visible_to_staff(user).filter(cycle=cycle).order_by()
    submitted = applications.exclude(status=ApplicationStatus.DRAFT)
    choices = ApplicationChoice.objects.filter(application__in=submitted).order_by()
    # The last 30 days of the cycle: up to today while it is open, up to its closing day
    # once it has closed (else an earlier cycle's chart is always empty).
    end = min(timezone.localdate(), timezone.localdate(cycle.closes_at))
    since = end - timedelta(days=CHART_DAYS - 1)
    reviewer_ids = [user.pk] if staff_is_reviewer(user) else None
    due, done = reviews_outstanding_counts(cycle=cycle, reviewer_ids=reviewer_ids, names=True)
    # The choice breakdowns count applications, not choices: one with two bachelor's
    # programs counts once under "bachelor".
    per_application = Count("application_id", distinct=True)
    counts = _grouped_counts(
        {
            "status": applications.values(k1=F("status")).annotate(n=Count("pk")),
            "citizenship": submitted.values(
                k1=F("applicant__applicant_profile__citizenship")
            ).annotate(n=Count("pk")),
            "day": submitted.filter(submitted_at__date__gte=since, submitted_at__date__lte=end)
            .annotate(k1=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone()))
            .values("k1")
            .annotate(n=Count("pk")),
            "level": choices.values(k1=F("offering__program__level")).annotate(n=per_application),
            "language": choices.values(k1=F("language_id")).annotate(n=per_application),
            # An application counts once per program it chose, whatever the priority.
            "funnel": ApplicationChoice.objects.filter(application__in=applications)
            .order_by()
            .values(k1=F("offering__program_id"), k2=F("application__status"))
            .annotate(n=per_application),
            "documents": documents_awaiting_verification(user)
            .filter(application__cycle=cycle)
            .order_by()
            .values(k1=F("kind"))
            .annotate(n=Count("pk")),
            "pending_release": decisions_pending_release(applications)
            .values(k1=F("cycle_id"))
            .annotate(n=Count("pk")),
            "reviews_due": due,
            "reviews_done": done,
        }
    )
    by_status = counts["status"]
    funnel = {(int(program), status): n for (program, status), n in counts["funnel"].items()}
    # Each application has one status: its programs' submitted counts are the funnel's
    # counts of every status but draft.
    by_program: dict[int, int] = {}
    for (program, status), n in funnel.items():
        if status != ApplicationStatus.DRAFT:
            by_program[program] = by_program.get(program, 0) + n
    by_language = _ints(counts["language"])
    per_day = {date.fromisoformat(day): n for day, n in counts["day"].items()}
    documents_by_kind = counts["documents"]
    done_by = _ints(counts["reviews_done"])
    outstanding, reviewer_names = {}, {}
    for (reviewer, name), n in counts["reviews_due"].items():
        outstanding[int(reviewer)] = (n, done_by.get(int(reviewer), 0))
        reviewer_names[int(reviewer)] = name
    program_names = dict(program_labels())
    language_names = {pk: name for pk, _code, name in languages()}
    figures = scholarship_figures(cycle=cycle)
    status_labels = {value: str(label) for value, label in ApplicationStatus.choices}
    chart = chart_bars(per_day, end)
    return {
        "total_applications": sum(by_status.values()),
        "total_submitted": sum(n for s, n in by_status.items() if s != ApplicationStatus.DRAFT),
        "breakdowns": [
            (_("By status"), _rows(by_status, status_labels)),
            (_("By program (any priority)"), _rows(by_program, program_names)),
            (_("By level"), _rows(counts["level"], dict(Level.choices))),
            (_("By language of instruction"), _rows(by_language, language_names)),
            (_("By citizenship"), _rows(counts["citizenship"], dict(countries))),
        ],
        "chart": chart,
        "documents_pending": sum(documents_by_kind.values()),
        "pending_release": sum(counts["pending_release"].values()),
        "scholarship_figures": [figures],
        "charts": [
            _per_day_chart(chart),
            _funnel_chart(funnel, program_names, status_labels),
            _documents_chart(documents_by_kind),
            _reviews_chart(outstanding, reviewer_names),
            _funds_chart(figures),
        ],
        "figures_at": timezone.now(),
    }


def _chart(key: str, title, kind: str, labels: list, datasets: list[dict], table) -> dict:
    """One chart: the canvas data (`config`, for Chart.js) and its table alternative
    (`table`: {"columns": [...], "rows": [[label, value, ...], ...]})."""
    return {
        "id": f"chart-{key}",
        "data_id": f"chart-{key}-data",
        "title": title,
        "config": {"type": kind, "labels": [str(label) for label in labels], "datasets": datasets},
        "table": table,
    }


def _per_day_chart(chart: dict) -> dict:
    bars = chart["bars"]
    return _chart(
        "per-day",
        _("Submissions per day, last %(days)s days") % {"days": len(bars)},
        "bar",
        [date_format(bar["day"], "SHORT_DATE_FORMAT") for bar in bars],
        [{"label": _("Submissions"), "data": [bar["count"] for bar in bars]}],
        {
            "columns": [_("Day"), _("Submissions")],
            "rows": [
                [date_format(bar["day"], "SHORT_DATE_FORMAT"), bar["count"]]
                for bar in bars
                if bar["count"]
            ],
        },
    )


def _funnel_chart(funnel: dict, program_names: dict, status_labels: dict) -> dict:
    programs = sorted(
        {program for program, _status in funnel}, key=lambda p: program_names.get(p, "")
    )
    statuses = [s for s in ApplicationStatus.values if any(st == s for _p, st in funnel)]
    return _chart(
        "funnel",
        _("Applications by status, per program"),
        "funnel",
        [program_names.get(p, "—") for p in programs],
        [
            {
                "label": str(status_labels[status]),
                "data": [funnel.get((program, status), 0) for program in programs],
            }
            for status in statuses
        ],
        {
            "columns": [_("Program"), *(status_labels[s] for s in statuses)],
            "rows": [
                [program_names.get(p, "—"), *(funnel.get((p, s), 0) for s in statuses)]
                for p in programs
            ],
        },
    )


def _documents_chart(by_kind: dict) -> dict:
    # Text, not lazy labels: the figures are kept pickled, and a lazy label costs a class
    # built anew each time it is unpickled.
    labels = {value: str(label) for value, label in DocumentKind.choices}
    kinds = [kind for kind in DocumentKind.values if by_kind.get(kind)]
    return _chart(
        "documents",
        _("Documents awaiting verification, by kind"),
        "bar",
        [labels[kind] for kind in kinds],
        [{"label": _("Documents"), "data": [by_kind[kind] for kind in kinds]}],
        {
            "columns": [_("Kind"), _("Documents")],
            "rows": [[labels[kind], by_kind[kind]] for kind in kinds],
        },
    )


def _reviews_chart(outstanding: dict, names: dict) -> dict:
    reviewers = sorted(
        outstanding, key=lambda r: (-(outstanding[r][0] - outstanding[r][1]), names.get(r, ""))
    )
    return _chart(
        "reviews",
        _("Reviews outstanding, per reviewer"),
        "stacked",
        [names.get(r, "—") for r in reviewers],
        [
            {
                "label": _("Outstanding"),
                "data": [outstanding[r][0] - outstanding[r][1] for r in reviewers],
            },
            {"label": _("Reviewed"), "data": [outstanding[r][1] for r in reviewers]},
        ],
        {
            "columns": [_("Reviewer"), _("Outstanding"), _("Reviewed")],
            "rows": [
                [names.get(r, "—"), outstanding[r][0] - outstanding[r][1], outstanding[r][1]]
                for r in reviewers
            ],
        },
    )


def _funds_chart(figures) -> dict:
    funds = figures.funds
    return _chart(
        "funds",
        _("Scholarships per fund"),
        "stacked",
        [fund.label for fund in funds],
        [
            {"label": _("Accepted"), "data": [fund.accepted for fund in funds]},
            {"label": _("Offered"), "data": [fund.offered for fund in funds]},
            {"label": _("Left"), "data": [fund.left for fund in funds]},
        ],
        {
            "columns": [_("Fund"), _("Seats"), _("Accepted"), _("Offered"), _("Left")],
            "rows": [
                [fund.label, fund.seats, fund.accepted, fund.offered, fund.left] for fund in funds
            ],
        },
    )

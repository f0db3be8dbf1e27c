"""The admissions dashboard (a custom admin view of `ApplicationAdmin`): counts of one cycle.

A fixed number of aggregate queries, whatever the number of applications: each breakdown is
one GROUP BY, and names are looked up once per table, not per row.

Charts are drawn in the browser by Chart.js (vendored under static/vendor/chartjs, served
locally): `charts` holds, per chart, the data of its canvas (read by
static/js/admin-dashboard.js from a `json_script` element: no inline script) and the same
figures as a table, which the page shows as the chart's accessible alternative.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from admissions.applications.release import decisions_pending_release
from admissions.enums import ApplicationStatus, DocumentKind
from admissions.models import ApplicationChoice
from admissions.selectors import (
    applications_visible_to_staff,
    documents_awaiting_verification,
    reviews_outstanding_by_reviewer,
    scholarship_figures,
    staff_is_reviewer,
)
from config.countries import countries
from programs.enums import Level
from programs.models import AdmissionCycle, Language, Program

CHART_DAYS = 30


def _count_by(queryset, field: str, count=None) -> dict:
    """{value of `field`: count} in one GROUP BY; `count` defaults to the rows."""
    return dict(queryset.order_by().values_list(field).annotate(n=count or Count("pk")))


def _rows(counts: dict, labels: dict) -> list[dict]:
    """[{label, count, percent}] sorted by count, percent relative to the largest."""
    top = max(counts.values(), default=0) or 1
    rows = [
        {"label": labels.get(key, key or "—"), "count": n, "percent": round(n * 100 / top)}
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
    cycles = list(AdmissionCycle.objects.all())  # 1
    cycle = next((c for c in cycles if str(c.pk) == request.GET.get("cycle")), None)
    if cycle is None and cycles:
        cycle = cycles[0]
    if cycle is None:
        return {"cycles": [], "cycle": None}

    applications = applications_visible_to_staff(request.user).filter(cycle=cycle)
    submitted = applications.exclude(status=ApplicationStatus.DRAFT)
    choices = ApplicationChoice.objects.filter(application__in=submitted)

    # The choice breakdowns count applications, not choices: one with two bachelor's
    # programs counts once under "bachelor".
    per_application = Count("application_id", distinct=True)
    by_status = _count_by(applications, "status")  # 2
    by_program = _count_by(choices, "offering__program_id", per_application)  # 3
    by_level = _count_by(choices, "offering__program__level", per_application)  # 4
    by_language = _count_by(choices, "language_id", per_application)  # 5
    by_citizenship = _count_by(submitted, "applicant__applicant_profile__citizenship")  # 6
    # The last 30 days of the cycle: up to today while it is open, up to its closing day
    # once it has closed (else an earlier cycle's chart is always empty).
    end = min(timezone.localdate(), timezone.localdate(cycle.closes_at))
    since = end - timedelta(days=CHART_DAYS - 1)
    per_day = dict(
        submitted.filter(submitted_at__date__gte=since, submitted_at__date__lte=end)
        .order_by()
        .annotate(day=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(n=Count("pk"))
    )  # 7
    documents_by_kind = _count_by(
        documents_awaiting_verification(request.user).filter(application__cycle=cycle), "kind"
    )  # 8
    funnel = _count_funnel(ApplicationChoice.objects.filter(application__in=applications))  # 9
    program_ids = set(by_program) | {program for program, _status in funnel}
    program_names = {p.pk: str(p) for p in Program.objects.filter(pk__in=program_ids)}  # 10
    language_names = {lang.pk: lang.name for lang in Language.objects.all()}  # 11
    pending_release = decisions_pending_release(applications).count()  # 12
    reviewer_ids = [request.user.pk] if staff_is_reviewer(request.user) else None
    outstanding = reviews_outstanding_by_reviewer(cycle=cycle, reviewer_ids=reviewer_ids)  # 13-14
    reviewer_names = {
        user.pk: user.get_full_name() or user.get_username()
        for user in get_user_model().objects.filter(pk__in=list(outstanding))
    }  # 15
    figures = scholarship_figures(cycle=cycle)  # 16-17
    status_labels = dict(ApplicationStatus.choices)
    chart = chart_bars(per_day, end)
    return {
        "cycles": cycles,
        "cycle": cycle,
        "total_applications": sum(by_status.values()),
        "total_submitted": sum(n for s, n in by_status.items() if s != ApplicationStatus.DRAFT),
        "breakdowns": [
            (_("By status"), _rows(by_status, status_labels)),
            (_("By program (any priority)"), _rows(by_program, program_names)),
            (_("By level"), _rows(by_level, dict(Level.choices))),
            (_("By language of instruction"), _rows(by_language, language_names)),
            (_("By citizenship"), _rows(by_citizenship, dict(countries))),
        ],
        "chart": chart,
        "documents_pending": sum(documents_by_kind.values()),
        "pending_release": pending_release,
        "scholarship_figures": [figures],
        "charts": [
            _per_day_chart(chart),
            _funnel_chart(funnel, program_names, status_labels),
            _documents_chart(documents_by_kind),
            _reviews_chart(outstanding, reviewer_names),
            _funds_chart(figures),
        ],
    }


def _count_funnel(choices) -> dict[tuple[int, str], int]:
    """{(program id, status): applications} in one GROUP BY (an application counts once
    per program it chose, whatever the priority)."""
    return {
        (program, status): n
        for program, status, n in choices.order_by()
        .values_list("offering__program_id", "application__status")
        .annotate(n=Count("application_id", distinct=True))
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
    labels = dict(DocumentKind.choices)
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

"""The admissions dashboard (a custom admin view of `ApplicationAdmin`): counts of one cycle.

A fixed number of aggregate queries, whatever the number of applications: each breakdown is
one GROUP BY, and names are looked up once per table, not per row. The scholarship table
is the `admin_scholarship_figures` tag of the template (`selectors.scholarship_figures`).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.enums import ApplicationStatus
from admissions.models import ApplicationChoice
from admissions.selectors import applications_visible_to_staff, documents_awaiting_verification
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
    """Geometry of an inline SVG bar chart of the last `days` days up to `end`."""
    # `top_margin` leaves room for the count printed above the tallest bar.
    width, height, gap, top_margin, left_margin = 24, 120, 4, 16, 12
    top = max(per_day.values(), default=0) or 1
    bars = []
    for index in range(days):
        day = end - timedelta(days=days - 1 - index)
        count = per_day.get(day, 0)
        bar_height = round(count * height / top)
        bars.append(
            {
                "day": day,
                "count": count,
                "x": left_margin + index * (width + gap),
                "y": top_margin + height - bar_height,
                "height": bar_height,
                "width": width,
                "label_x": left_margin + index * (width + gap) + width / 2,
                "show_label": index % 5 == 0 or index == days - 1,
            }
        )
    return {
        "bars": bars,
        "width": 2 * left_margin + days * (width + gap),
        "height": height,
        "svg_height": top_margin + height + 22,
        "axis_y": top_margin + height + 14,
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
    documents_pending = (
        documents_awaiting_verification(request.user).filter(application__cycle=cycle).count()
    )  # 8
    program_names = {p.pk: str(p) for p in Program.objects.filter(pk__in=list(by_program))}  # 9
    language_names = {lang.pk: lang.name for lang in Language.objects.all()}  # 10
    status_labels = dict(ApplicationStatus.choices)
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
        "chart": chart_bars(per_day, end),
        "documents_pending": documents_pending,
    }

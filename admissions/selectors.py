"""Reusable reads of the admissions app. Sections per area; keep each self-contained."""

# --- Scholarships (awards) ------------------------------------------------------------------
from dataclasses import dataclass as _dataclass

from django.db.models import Count as _Count
from django.db.models import Q as _Q

from programs.models import AdmissionCycle as _AdmissionCycle
from programs.models import Offering as _Offering
from programs.models import ScholarshipFund as _ScholarshipFund

from .enums import AwardState as _AwardState


@_dataclass(frozen=True)
class ScholarshipFigureRow:
    label: str
    seats: int
    offered: int
    accepted: int

    @property
    def left(self) -> int:
        return max(self.seats - self.offered - self.accepted, 0)


@_dataclass(frozen=True)
class ScholarshipFigures:
    cycle: object
    total: int
    offered: int
    accepted: int
    funds: list
    offerings: list

    @property
    def left(self) -> int:
        return max(self.total - self.offered - self.accepted, 0)


def scholarship_figures(*, cycle) -> ScholarshipFigures:
    """Live scholarship figures of `cycle`: offered (awaiting an answer), accepted and left,
    in total, by fund and by offering. Two queries whatever the number of awards."""
    counts = {
        "offered": _Count("awards", filter=_Q(awards__state=_AwardState.OFFERED)),
        "accepted": _Count("awards", filter=_Q(awards__state=_AwardState.ACCEPTED)),
    }
    funds = [
        ScholarshipFigureRow(f.name, f.seats, f.offered, f.accepted)
        for f in _ScholarshipFund.objects.filter(cycle=cycle)
        .annotate(**counts)
        .order_by("position", "pk")
    ]
    offerings = [
        ScholarshipFigureRow(str(o.program.title), o.scholarship_seats, o.offered, o.accepted)
        for o in _Offering.objects.filter(cycle=cycle)
        .select_related("program")
        .annotate(**counts)
        .order_by("program__position", "program__slug")
    ]
    return ScholarshipFigures(
        cycle=cycle,
        total=cycle.scholarship_total,
        offered=sum(f.offered for f in funds),
        accepted=sum(f.accepted for f in funds),
        funds=funds,
        offerings=offerings,
    )


def scholarship_cycles_for_figures(limit: int = 2):
    """Cycles whose figures the dashboards show: the latest ones with scholarships."""
    return list(
        _AdmissionCycle.objects.filter(scholarship_total__gt=0).order_by("-opens_at")[:limit]
    )

"""Reusable reads of the admissions app. Sections per area; keep each self-contained."""

from dataclasses import dataclass as _dataclass

from django.db.models import Count as _Count
from django.db.models import Q as _Q

from programs.models import AdmissionCycle as _AdmissionCycle
from programs.models import Offering as _Offering
from programs.models import ScholarshipFund as _ScholarshipFund

from .enums import AwardState as _AwardState


# --- Accounts and documents (applicants engineer) -----------------------------------------
def email_is_confirmed(user) -> bool:
    """True when `user`'s primary e-mail address is verified (allauth). Submission needs it."""
    from allauth.account.models import EmailAddress

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return EmailAddress.objects.filter(user=user, primary=True, verified=True).exists()


def documents_visible_to(user):
    """Documents `user` may open: their own, or all of them for staff with the
    `admissions.view_document` permission. Extend here for object-level rules (reviewers)."""
    from .models import Document

    documents = Document.objects.all()
    if user is None or not user.is_authenticated:
        return documents.none()
    if user.is_active and user.is_staff and user.has_perm("admissions.view_document"):
        return documents
    return documents.filter(application__applicant=user)


def document_visible_to(user, document) -> bool:
    """Whether `user` may open `document` (see `documents_visible_to`)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_active and user.is_staff and user.has_perm("admissions.view_document"):
        return True
    return document.application.applicant_id == user.pk


# --- The online application and the applicant's dashboard (applications engineer) --------
def cycle_open(*, now=None):
    """The admission cycle open for applications now (the latest opened), or None."""
    from django.utils import timezone

    from programs.models import AdmissionCycle

    now = now or timezone.now()
    return (
        AdmissionCycle.objects.filter(opens_at__lte=now, closes_at__gt=now)
        .order_by("-opens_at")
        .first()
    )


def offerings_selectable(*, cycle, now=None) -> list:
    """Offerings of `cycle` still open for applications (own deadline not passed), with
    their programs and languages loaded (two queries whatever the number)."""
    from django.db.models import Q
    from django.utils import timezone

    from programs.models import Offering

    now = now or timezone.now()
    if cycle.closes_at <= now:
        deadline_open = Q(deadline__gt=now)
    else:
        deadline_open = Q(deadline__isnull=True) | Q(deadline__gt=now)
    return list(
        Offering.objects.filter(deadline_open, cycle=cycle, program__is_active=True)
        .select_related("program", "program__field", "cycle")
        .prefetch_related("program__languages")
        .order_by("program__position", "program__field__position", "program__level")
    )


def application_current(user):
    """The applicant's application to show: the open cycle's one, else the latest one."""
    from .models import Application

    if user is None or not user.is_authenticated:
        return None
    applications = Application.objects.filter(applicant=user).select_related("cycle")
    open_cycle = cycle_open()
    if open_cycle is not None:
        current = applications.filter(cycle=open_cycle).first()
        if current is not None:
            return current
    return applications.order_by("-cycle__opens_at").first()


def application_full(*, pk: int):
    """One application with everything the review page and the dashboard show loaded in a
    fixed number of queries (choices, exams, events, documents)."""
    from django.db.models import Prefetch

    from .models import Application, ApplicationChoice, StatusEvent

    return (
        Application.objects.select_related("cycle", "applicant", "applicant__applicant_profile")
        .prefetch_related(
            Prefetch(
                "choices",
                queryset=ApplicationChoice.objects.select_related(
                    "offering__program", "offering__cycle", "language"
                ).order_by("priority"),
            ),
            "exam_results",
            "documents",
            Prefetch(
                "events",
                queryset=StatusEvent.objects.select_related("actor").order_by("created_at", "pk"),
            ),
        )
        .get(pk=pk)
    )


# --- Scholarships (awards) ------------------------------------------------------------------


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

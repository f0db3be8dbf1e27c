"""Reusable reads of the admissions app. Sections per area; keep each self-contained."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from admissions.applications.lifecycle import Group, statuses_in
from admissions.enums import ApplicationStatus, AwardState, DocumentStatus
from admissions.models import (
    Application,
    ApplicationChoice,
    Document,
    Review,
    ReviewerAssignment,
    StatusEvent,
)
from programs.models import AdmissionCycle, Offering, ScholarshipFund


# --- Accounts and documents (applicants engineer) -----------------------------------------
def email_is_confirmed(user) -> bool:
    """True when `user`'s primary e-mail address is verified (allauth). Submission needs it."""
    from allauth.account.models import EmailAddress

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return EmailAddress.objects.filter(user=user, primary=True, verified=True).exists()


def applicant_language(user, *, default: str | None = None) -> str:
    """The language of mail to `user` (applicant or staff), a code of settings.LANGUAGES.

    In order: the applicant profile's preferred language; the account's own language
    (`UserLanguage`: the sign-up page's language, or the last explicit choice); `default`
    (e.g. the language of the current page); the site's default language.
    """
    from admissions.models import ApplicantProfile, UserLanguage

    codes = {code for code, _name in settings.LANGUAGES}
    if user is not None and getattr(user, "pk", None):
        try:
            profile = user.applicant_profile
        except ApplicantProfile.DoesNotExist:
            profile = None
        if profile is not None and profile.preferred_language in codes:
            return profile.preferred_language
        try:
            chosen = user.language_preference.language
        except UserLanguage.DoesNotExist:
            chosen = None
        if chosen in codes:
            return chosen
    base = (default or "").split("-")[0]
    return base if base in codes else settings.LANGUAGE_CODE


def documents_visible_to(user) -> QuerySet[Document]:
    """Documents `user` may open: their own; and, for staff with the
    `admissions.view_document` permission, those of the applications their role lets them
    see (`applications_visible_to_staff`: officers all, reviewers none)."""
    if user is None or not user.is_authenticated:
        return Document.objects.none()
    own = Q(application__applicant=user)
    if user.is_active and user.is_staff and user.has_perm("admissions.view_document"):
        return Document.objects.filter(own) | documents_visible_to_staff(user)
    return Document.objects.filter(own)


# --- The online application and the applicant's dashboard (applications engineer) --------
def cycle_open(*, now=None):
    """The admission cycle open for applications now (the latest opened), or None."""
    now = now or timezone.now()
    return (
        AdmissionCycle.objects.filter(opens_at__lte=now, closes_at__gt=now)
        .order_by("-opens_at")
        .first()
    )


def offerings_selectable(*, cycle, now=None) -> list:
    """Offerings of `cycle` still open for applications (own deadline not passed), with
    their programs and languages loaded (two queries whatever the number)."""
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


@dataclass(frozen=True)
class ScholarshipFigureRow:
    label: str
    seats: int
    offered: int
    accepted: int

    @property
    def left(self) -> int:
        return max(self.seats - self.offered - self.accepted, 0)


@dataclass(frozen=True)
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
        "offered": Count("awards", filter=Q(awards__state=AwardState.OFFERED)),
        "accepted": Count("awards", filter=Q(awards__state=AwardState.ACCEPTED)),
    }
    funds = [
        ScholarshipFigureRow(f.name, f.seats, f.offered, f.accepted)
        for f in ScholarshipFund.objects.filter(cycle=cycle)
        .annotate(**counts)
        .order_by("position", "pk")
    ]
    offerings = [
        ScholarshipFigureRow(str(o.program), o.scholarship_seats, o.offered, o.accepted)
        for o in Offering.objects.filter(cycle=cycle)
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
        AdmissionCycle.objects.filter(scholarship_total__gt=0).order_by("-opens_at")[:limit]
    )


# =========================================================================================
# Staff section (issue 5): roles and the object-level limits of each role.
#
# - Admissions officers (and superusers) see every application and document.
# - The scholarship committee sees every application, but no documents.
# - Reviewers see only the applications (not drafts) that chose a program assigned to them,
#   never documents, national ids or contact data; with a blind assignment not even names.
# =========================================================================================

OFFICER_GROUP = "Admissions officer"
REVIEWER_GROUP = "Reviewer"
COMMITTEE_GROUP = "Scholarship committee"
STAFF_GROUPS = (OFFICER_GROUP, REVIEWER_GROUP, COMMITTEE_GROUP)


def _group_names(user) -> frozenset[str]:
    # Cached on the user object: the admin asks many times per request.
    cached = getattr(user, "_staff_group_names", None)
    if cached is None:
        if not (user.is_authenticated and user.is_active and user.is_staff):
            cached = frozenset()
        else:
            cached = frozenset(user.groups.values_list("name", flat=True))
        user._staff_group_names = cached
    return cached


def staff_is_officer(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and user.is_staff and user.is_superuser
    ) or (OFFICER_GROUP in _group_names(user))


def staff_is_committee(user) -> bool:
    return COMMITTEE_GROUP in _group_names(user)


def staff_is_reviewer(user) -> bool:
    """A reviewer and nothing broader: officers and the committee are not limited."""
    return (
        REVIEWER_GROUP in _group_names(user)
        and not staff_is_officer(user)
        and not staff_is_committee(user)
    )


def staff_sees_all_applications(user) -> bool:
    return staff_is_officer(user) or staff_is_committee(user)


def reviewer_program_ids(user) -> list[int]:
    cached = getattr(user, "_reviewer_program_ids", None)
    if cached is None:
        cached = list(
            ReviewerAssignment.objects.filter(reviewer=user).values_list("program_id", flat=True)
        )
        user._reviewer_program_ids = cached
    return cached


def staff_is_blind(user) -> bool:
    """Whether applicants' names are hidden from this user (any blind assignment: the
    reviewer reviews blind everywhere, so one list never mixes named and anonymous rows)."""
    if not staff_is_reviewer(user):
        return False
    cached = getattr(user, "_reviewer_blind", None)
    if cached is None:
        cached = ReviewerAssignment.objects.filter(reviewer=user, blind=True).exists()
        user._reviewer_blind = cached
    return cached


def staff_may_see_national_id(user) -> bool:
    return staff_is_officer(user)


def staff_may_see_contact(user) -> bool:
    return staff_sees_all_applications(user)


def staff_may_see_documents(user) -> bool:
    return staff_is_officer(user)


def applications_visible_to_staff(user) -> QuerySet[Application]:
    """The applications `user` may see in the admin (and anywhere staff-facing)."""
    applications = Application.objects.all()
    if staff_sees_all_applications(user):
        return applications
    if not staff_is_reviewer(user):
        return applications.none()
    return applications.exclude(status=ApplicationStatus.DRAFT).filter(
        Exists(
            ApplicationChoice.objects.filter(
                application=OuterRef("pk"), offering__program_id__in=reviewer_program_ids(user)
            )
        )
    )


def application_visible_to_staff(user, application: Application) -> bool:
    return applications_visible_to_staff(user).filter(pk=application.pk).exists()


def documents_visible_to_staff(user) -> QuerySet[Document]:
    if not staff_may_see_documents(user):
        return Document.objects.none()
    return Document.objects.filter(application__in=applications_visible_to_staff(user))


def documents_awaiting_verification(user) -> QuerySet[Document]:
    return documents_visible_to_staff(user).filter(
        status=DocumentStatus.PENDING, application__submitted_at__isnull=False
    )


def reviews_owed_by(user) -> QuerySet[Application]:
    """Applications in review of the reviewer's programs that lack their review."""
    if not staff_is_reviewer(user):
        return Application.objects.none()
    return (
        applications_visible_to_staff(user)
        .filter(
            status__in=statuses_in(Group.AWAITING_REVIEW),
        )
        .exclude(Exists(Review.objects.filter(application=OuterRef("pk"), reviewer=user)))
    )


def documents_pending_condition():
    return Exists(
        Document.objects.filter(application=OuterRef("pk"), status=DocumentStatus.PENDING)
    )


def consent_text_current(*, now=None):
    """The personal-data consent text in force (`ConsentText`, the latest whose
    `in_force_from` has passed), or None when none is in force yet."""
    from admissions.models import ConsentText

    now = now or timezone.now()
    return ConsentText.objects.filter(in_force_from__lte=now).order_by("-in_force_from").first()


def consent_version_current(*, now=None) -> str:
    """The version string applicants consent to now: the current `ConsentText`'s, or the
    ``PERSONAL_DATA_CONSENT_VERSION`` setting on a database without consent texts."""
    current = consent_text_current(now=now)
    return current.version if current is not None else settings.PERSONAL_DATA_CONSENT_VERSION

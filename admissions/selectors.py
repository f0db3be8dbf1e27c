"""Reusable reads of the admissions app. Sections per area; keep each self-contained."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils import timezone

from admissions.applications.lifecycle import Group, statuses_in
from admissions.enums import ApplicationStatus, AwardState, DocumentStatus
from admissions.models import (
    Application,
    ApplicationChoice,
    Document,
    Review,
    ReviewerAssignment,
    ScholarshipAward,
    StatusEvent,
)
from admissions.permissions import (  # noqa: F401 (re-exported for the selectors' callers)
    COMMITTEE_GROUP,
    IDENTIFYING_DOCUMENT_KINDS,
    OFFICER_GROUP,
    REVIEWER_GROUP,
    STAFF_GROUPS,
    reviewer_program_ids,
    staff_is_blind,
    staff_is_committee,
    staff_is_officer,
    staff_is_reviewer,
    staff_may_see_contact,
    staff_may_see_documents,
    staff_may_see_national_id,
    staff_may_verify_documents,
    staff_sees_all_applications,
)
from programs.models import AdmissionCycle, Offering, ScholarshipFund
from programs.page_cache import catalogue_cached


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


def cycles_cached() -> dict[int, AdmissionCycle]:
    """Every admission cycle by id, latest opened first, read once per version of the
    catalogue (`programs.page_cache.catalogue_cached`: a saved or deleted cycle makes a new
    version) instead of on every page. The objects are shared: read them, never save them
    (their `reference_counter` may be behind: numbering a submission keeps the version)."""
    return catalogue_cached(
        "admission-cycles",
        lambda: {c.pk: c for c in AdmissionCycle.objects.order_by("-opens_at", "-pk")},
    )


def cycle_open_cached(*, now=None):
    """`cycle_open` chosen from `cycles_cached()`: no query while the catalogue is unchanged."""
    now = now or timezone.now()
    return next((c for c in cycles_cached().values() if c.opens_at <= now < c.closes_at), None)


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


def _application_full_queryset(*, exams: bool = True):
    return Application.objects.select_related(
        "cycle", "applicant", "applicant__applicant_profile"
    ).prefetch_related(
        Prefetch(
            "choices",
            queryset=ApplicationChoice.objects.select_related(
                "offering__program", "offering__cycle", "language"
            ).order_by("priority"),
        ),
        *(["exam_results"] if exams else []),
        "documents__extra_pages",
        Prefetch(
            "events",
            queryset=StatusEvent.objects.select_related("actor").order_by("created_at", "pk"),
        ),
    )


def application_full(*, pk: int):
    """One application with everything the review page and the dashboard show loaded in a
    fixed number of queries (choices, exams, events, documents)."""
    return _application_full_queryset().get(pk=pk)


def application_current_full(user, *, open_cycle):
    """`application_current` with everything the applicant's dashboard shows, in a fixed
    number of queries whatever the number of rows: the applicant's applications (one
    query, with whether their e-mail address is confirmed, their calendar feed's secret
    and whether there are awards and extra document pages to read), then one query each
    for the chosen programs (offering, program and language joined), the documents, their
    extra pages, the audit rows and the scholarship awards (newest first, fund and program
    joined); the pages and the awards only when there are some. Only what the dashboard
    reads is joined: the exam results are left out (its standing reads the score computed
    with the ranking), so are the events' actors; the cycle is the catalogue's
    (`cycles_cached`) and the applicant is `user` itself.

    `open_cycle` is the cycle open now (`cycle_open()`, read once by the caller) or None.
    Returns None for an anonymous user or one without an application. The application
    has these attributes besides its fields: `email_confirmed` (bool), `calendar_token`
    (str, None without a profile).
    """
    from allauth.account.models import EmailAddress

    from admissions.models import DocumentPage

    if user is None or not user.is_authenticated:
        return None
    applications = list(
        Application.objects.filter(applicant=user).annotate(
            calendar_token=F("applicant__applicant_profile__calendar_token"),
            email_confirmed=Exists(
                EmailAddress.objects.filter(
                    user=OuterRef("applicant_id"), primary=True, verified=True
                )
            ),
            has_awards=Exists(ScholarshipAward.objects.filter(application=OuterRef("pk"))),
            has_extra_pages=Exists(
                DocumentPage.objects.filter(document__application=OuterRef("pk"))
            ),
        )
    )
    if not applications:
        return None
    cycles = cycles_cached()
    for application in applications:
        application.applicant = user
        if application.cycle_id in cycles:
            application.cycle = cycles[application.cycle_id]
    # The open cycle's application, else the latest cycle's (`application_current`).
    application = max(
        applications,
        key=lambda a: (
            open_cycle is not None and a.cycle_id == open_cycle.pk,
            a.cycle.opens_at,
            a.pk,
        ),
    )
    nothing = None if application.has_extra_pages else DocumentPage.objects.none()
    prefetch_related_objects(
        [application],
        Prefetch(
            "choices",
            queryset=ApplicationChoice.objects.select_related(
                "offering__program", "language"
            ).order_by("priority"),
        ),
        "documents",
        Prefetch("documents__extra_pages", queryset=nothing),
        Prefetch("events", queryset=StatusEvent.objects.order_by("created_at", "pk")),
        Prefetch(
            "awards",
            queryset=ScholarshipAward.objects.select_related("fund", "offering__program").order_by(
                "-offered_at", "-pk"
            )
            if application.has_awards
            else ScholarshipAward.objects.none(),
        ),
    )
    for choice in application.choices.all():
        choice.offering.cycle = application.cycle  # every chosen offering is of its cycle
    return application


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
# Staff section: what each role may read. The roles and their limits (which fields, which
# documents) are declared in `admissions.permissions`; the predicates are re-exported here
# for the callers that read them with the selectors.
# =========================================================================================


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
    """Documents of the applications `user` may see, without the kinds a blind reviewer
    may not see (`permissions.IDENTIFYING_DOCUMENT_KINDS`)."""
    if not staff_may_see_documents(user):
        return Document.objects.none()
    documents = Document.objects.filter(application__in=applications_visible_to_staff(user))
    if staff_is_blind(user):
        documents = documents.exclude(kind__in=sorted(IDENTIFYING_DOCUMENT_KINDS))
    return documents


def documents_awaiting_verification(user) -> QuerySet[Document]:
    """Submitted applications' documents not verified yet, for those who verify them."""
    if not staff_may_verify_documents(user):
        return Document.objects.none()
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


def reviews_outstanding_by_reviewer(*, cycle, reviewer_ids=None) -> dict[int, tuple[int, int]]:
    """{reviewer id: (applications owed a review, of which reviewed)} for `cycle`: the
    applications awaiting review (`Group.AWAITING_REVIEW`) that chose a program assigned
    to the reviewer, and how many of those the reviewer has reviewed. Two grouped queries,
    whatever the number of reviewers or applications; `reviewer_ids` limits it to those
    reviewers."""
    due, done = reviews_outstanding_counts(cycle=cycle, reviewer_ids=reviewer_ids)
    done_by = dict(done.values_list("k1", "n"))
    return {reviewer: (n, done_by.get(reviewer, 0)) for reviewer, n in due.values_list("k1", "n")}


def reviews_outstanding_counts(
    *, cycle, reviewer_ids=None, names: bool = False
) -> tuple[QuerySet, QuerySet]:
    """The two grouped queries of `reviews_outstanding_by_reviewer`, not run: rows of
    {"k1": reviewer id, "n": applications} owed a review, and of those reviewed. With
    `names`, the first also has "k2": the reviewer's full name, else their username."""
    assignments = ReviewerAssignment.objects.all()
    if reviewer_ids is not None:
        assignments = assignments.filter(reviewer_id__in=reviewer_ids)
    in_scope = {
        "program__offerings__cycle": cycle,
        "program__offerings__choices__application__status__in": statuses_in(Group.AWAITING_REVIEW),
    }
    applications = Count("program__offerings__choices__application_id", distinct=True)
    keys = {"k1": F("reviewer_id")}
    if names:  # as User.get_full_name(), else the username
        full_name = Trim(Concat("reviewer__first_name", Value(" "), "reviewer__last_name"))
        keys["k2"] = Coalesce(NullIf(full_name, Value("")), "reviewer__username")
    due = assignments.filter(**in_scope).order_by().values(**keys).annotate(n=applications)
    done = (
        assignments.filter(
            **in_scope,
            program__offerings__choices__application__reviews__reviewer_id=F("reviewer_id"),
        )
        .order_by()
        .values(k1=F("reviewer_id"))
        .annotate(n=applications)
    )
    return due, done


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


# --- The admissions office (contacts on every page and mail) -----------------------------
logger = logging.getLogger(__name__)
OFFICE_CACHE_KEY = "admissions-office:v1"
_NO_OFFICE = "none"


def office_get():
    """The admissions office whose contacts the site and the mail show (the first row), or
    None when none is entered. Kept in the shared cache, so the footer of every page costs
    no query once read; `office_forget` (connected to the model's saves and deletes in
    `admissions.apps`) drops it. Each process also keeps it with the catalogue's look-ups
    (`catalogue_cached`: a saved or deleted office makes a new version of the public
    pages), so most pages make no round trip to the shared cache for it either.
    Translated fields are read in the active language. The object is shared: read it,
    never change it."""
    return catalogue_cached("admissions-office", _office_shared)


def _office_shared():
    from django.core.cache import cache

    from admissions.models import AdmissionsOffice

    try:
        cached = cache.get(OFFICE_CACHE_KEY)
    except Exception:  # the cache server is down: the page is served from the database
        logger.warning("Office cache: get failed", exc_info=True)
        cached = None
    if cached is not None:
        return None if cached == _NO_OFFICE else cached
    office = AdmissionsOffice.objects.order_by("pk").first()
    try:
        cache.set(OFFICE_CACHE_KEY, office if office is not None else _NO_OFFICE, None)
    except Exception:
        logger.warning("Office cache: set failed", exc_info=True)
    return office


def office_forget(**_signal_kwargs) -> None:
    """Drop the cached office (a signal receiver; arguments are ignored)."""
    from django.core.cache import cache

    try:
        cache.delete(OFFICE_CACHE_KEY)
    except Exception:  # saving the office must not fail for the cache
        logger.warning("Office cache: delete failed", exc_info=True)


def office_reply_to() -> str:
    """The address applicants' replies to the portal's mail go to: the office's reply-to
    (or its e-mail) entered in the admin, else the ADMISSIONS_REPLY_TO setting ("" for
    none)."""
    office = office_get()
    if office is not None and office.reply_address:
        return office.reply_address
    return getattr(settings, "ADMISSIONS_REPLY_TO", "")

"""Reusable reads of the admissions app. Sections per area; keep each self-contained."""


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

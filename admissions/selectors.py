"""Reusable reads of the admissions app. Sections per area; keep each self-contained."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from .enums import ApplicationStatus, DocumentStatus
from .models import (
    Application,
    ApplicationChoice,
    Document,
    Review,
    ReviewerAssignment,
)

# =========================================================================================
# Placeholder of the applicant engineer's section (document visibility). At merge the lead
# keeps the applicant engineer's `document_visible_to` / `documents_visible_to` and wires
# their staff branch to `documents_visible_to_staff` below.
# =========================================================================================


def documents_visible_to(user) -> QuerySet[Document]:
    if not user.is_authenticated:
        return Document.objects.none()
    if user.is_staff:
        return documents_visible_to_staff(user)
    return Document.objects.filter(application__applicant=user)


def document_visible_to(user, document: Document) -> bool:
    return documents_visible_to(user).filter(pk=document.pk).exists()


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
            status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW),
        )
        .exclude(Exists(Review.objects.filter(application=OuterRef("pk"), reviewer=user)))
    )


# Kinds an application needs, each verified, for its documents to count as complete.
REQUIRED_DOCUMENT_KINDS = ("identity", "education")


def documents_complete_condition():
    """A filter expression: every required document kind has a verified document."""
    condition = None
    for kind in REQUIRED_DOCUMENT_KINDS:
        exists = Exists(
            Document.objects.filter(
                application=OuterRef("pk"), kind=kind, status=DocumentStatus.VERIFIED
            )
        )
        condition = exists if condition is None else condition & exists
    return condition


def documents_pending_condition():
    return Exists(
        Document.objects.filter(application=OuterRef("pk"), status=DocumentStatus.PENDING)
    )

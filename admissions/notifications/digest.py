"""The daily staff digest: what each staff member has to do, by role."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from admissions.models import OutgoingMail
from admissions.notifications.outbox import notification_queue
from admissions.selectors import (
    STAFF_GROUPS,
    applicant_language,
    applications_visible_to_staff,
    documents_awaiting_verification,
    reviews_owed_by,
    staff_is_blind,
    staff_is_officer,
    staff_is_reviewer,
)

__all__ = ["staff_digest_context", "staff_digest_send"]

LISTED = 20  # references listed in the mail; the counts are complete


def staff_digest_context(*, user, now: datetime) -> dict:
    since = now - timedelta(hours=24)
    new = applications_visible_to_staff(user).filter(submitted_at__gte=since, submitted_at__lt=now)
    context = {
        # The greeting names the person, never the login name an administrator gave them.
        "name": user.get_full_name(),
        "new_count": new.count(),
        "new_references": list(
            new.order_by("submitted_at").values_list("reference", flat=True)[:LISTED]
        ),
        "documents_count": 0,
        "reviews_owed_count": 0,
        "reviews_owed_references": [],
        "is_officer": staff_is_officer(user),
        "is_reviewer": staff_is_reviewer(user),
        "blind": staff_is_blind(user),
    }
    if context["is_officer"]:
        context["documents_count"] = documents_awaiting_verification(user).count()
    if context["is_reviewer"]:
        owed = reviews_owed_by(user)
        context["reviews_owed_count"] = owed.count()
        context["reviews_owed_references"] = list(
            owed.order_by("submitted_at").values_list("reference", flat=True)[:LISTED]
        )
    return context


def staff_digest_send(*, now: datetime | None = None) -> int:
    """Queue today's digest to every active staff member with a role and something to do.

    Idempotent per staff member and local (Asia/Omsk) date: a second run the same day
    queues nothing. Returns the number of mails queued by this run.
    """
    now = now or timezone.now()
    local_date = timezone.localdate(now)
    staff = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(groups__name__in=STAFF_GROUPS))
        .exclude(email="")
        .distinct()
        .select_related("applicant_profile", "language_preference")
        .order_by("pk")
    )
    queued = 0
    for user in staff:
        key = f"staff-digest-{user.pk}-{local_date.isoformat()}"
        if OutgoingMail.objects.filter(idempotency_key=key).exists():
            continue
        context = staff_digest_context(user=user, now=now)
        if not (
            context["new_count"] or context["documents_count"] or context["reviews_owed_count"]
        ):
            continue  # nothing to do today: no mail
        context.update(date=local_date.isoformat())
        notification_queue(
            recipient=user.email,
            template="staff_digest",
            context=context,
            # Each staff member's own language (set in the admin), else the site's default.
            language=applicant_language(user),
            key=key,
            user=user,
        )
        queued += 1
    return queued

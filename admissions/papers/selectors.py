"""Who may print which paper. Anyone else gets 404 (the paper's existence is not disclosed).

* The applicant prints their own submitted application (no longer editable, with a reference
  number) and the letter of each of their live scholarship awards (offered or accepted).
* Staff print an application when they may see the whole of it: the permission to view
  applications and the right to see national identifiers (officers), within the
  applications their role shows them; and an offer letter with the permission to view
  awards, when their role shows every application (officers, the committee).
"""

from __future__ import annotations

from django.db.models import QuerySet

from admissions.applications.lifecycle import Group, statuses_in
from admissions.enums import LIVE_AWARD_STATES
from admissions.models import Application, ScholarshipAward
from admissions.selectors import (
    applications_visible_to_staff,
    staff_may_see_national_id,
    staff_sees_all_applications,
)

__all__ = ["applications_printable_by", "awards_printable_by"]


def _is_active_staff(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def applications_printable_by(user) -> QuerySet[Application]:
    """Applications whose PDF `user` may download (see the module docstring)."""
    if user is None or not user.is_authenticated:
        return Application.objects.none()
    # A paper exists once the application left the editable statuses (it was submitted).
    submitted = Application.objects.exclude(status__in=statuses_in(Group.EDITABLE)).exclude(
        reference__isnull=True
    )
    own = submitted.filter(applicant=user)
    if (
        _is_active_staff(user)
        and user.has_perm("admissions.view_application")
        and staff_may_see_national_id(user)
    ):
        return own | submitted.filter(pk__in=applications_visible_to_staff(user).values("pk"))
    return own


def awards_printable_by(user) -> QuerySet[ScholarshipAward]:
    """Live awards whose offer letter `user` may download (see the module docstring)."""
    if user is None or not user.is_authenticated:
        return ScholarshipAward.objects.none()
    live = ScholarshipAward.objects.filter(state__in=sorted(LIVE_AWARD_STATES))
    if (
        _is_active_staff(user)
        and user.has_perm("admissions.view_scholarshipaward")
        and staff_sees_all_applications(user)
    ):
        return live
    return live.filter(application__applicant=user)

"""The applicant's calendar feed secret."""

from __future__ import annotations

from django.db import transaction

from admissions.models import ApplicantProfile, new_calendar_token

__all__ = ["applicant_calendar_token_reset"]


@transaction.atomic
def applicant_calendar_token_reset(*, profile: ApplicantProfile) -> str:
    """Give `profile` a new calendar feed secret and return it; the old feed address stops
    working at once (for an address shared by mistake)."""
    profile.calendar_token = new_calendar_token()
    profile.save(update_fields=["calendar_token", "updated_at"])
    return profile.calendar_token

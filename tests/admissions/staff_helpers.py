"""Helpers shared by the staff admin tests: roles, staff users and applications."""

from __future__ import annotations

import io

from django.contrib.auth.models import Group
from django.core.management import call_command

from admissions.selectors import COMMITTEE_GROUP, OFFICER_GROUP, REVIEWER_GROUP
from tests.factories import (
    ApplicantProfileFactory,
    ChoiceFactory,
    LanguageFactory,
    OfferingFactory,
    ReviewerAssignmentFactory,
    StaffFactory,
    SubmittedApplicationFactory,
)


def setup_roles() -> None:
    call_command("setup_roles", stdout=io.StringIO())


def staff_in(group_name: str, **kwargs):
    if not Group.objects.filter(name=group_name).exists():
        setup_roles()
    user = StaffFactory(**kwargs)
    user.groups.add(Group.objects.get(name=group_name))
    return user


def officer(**kwargs):
    return staff_in(OFFICER_GROUP, **kwargs)


def committee(**kwargs):
    return staff_in(COMMITTEE_GROUP, **kwargs)


def reviewer(*programs, blind: bool = False, **kwargs):
    user = staff_in(REVIEWER_GROUP, **kwargs)
    for program in programs:
        ReviewerAssignmentFactory(reviewer=user, program=program, blind=blind)
    return user


def application_for(offering, *, profile=None, language="ru", **kwargs):
    """A submitted application whose first choice is `offering`."""
    profile = profile or ApplicantProfileFactory()
    application = SubmittedApplicationFactory(
        applicant=profile.user, cycle=offering.cycle, choice=None, **kwargs
    )
    ChoiceFactory(
        application=application,
        offering=offering,
        priority=1,
        language=LanguageFactory(code=language),
    )
    return application


def two_programs(cycle=None):
    """Two offerings of one cycle (different programs)."""
    first = OfferingFactory(**({"cycle": cycle} if cycle else {}))
    second = OfferingFactory(cycle=first.cycle)
    return first, second

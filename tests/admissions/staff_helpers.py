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


def bulk_applications(count: int, offering, *, prefix: str = "BULK") -> None:
    """Many submitted applications, fast (bulk_create), each with a profile, a choice and a
    pending document: for query budgets that must not grow with the number of rows."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from admissions.applicants.search import profile_search_key
    from admissions.models import ApplicantProfile, Application, ApplicationChoice, Document

    user_model = get_user_model()
    start = user_model.objects.count()
    users = user_model.objects.bulk_create(
        user_model(username=f"{prefix.lower()}{start + i}", email=f"{prefix}{start + i}@ex.org")
        for i in range(count)
    )
    profiles = [
        ApplicantProfile(
            user=user,
            last_name_native="Омарова",
            first_name_native="Айгерім",
            last_name_latin="Omarova",
            first_name_latin="Aigerim",
            birth_date="2007-01-01",
            citizenship="KZ" if i % 2 else "RU",
            identifier_kind="passport",
            identifier=f"{prefix}{start + i:08d}",
            phone="+77011234567",
        )
        for i, user in enumerate(users)
    ]
    for profile in profiles:
        profile.search_key = profile_search_key(profile)
    ApplicantProfile.objects.bulk_create(profiles)
    applications = Application.objects.bulk_create(
        Application(
            applicant=user,
            cycle=offering.cycle,
            reference=f"KZO-{prefix}-{start + i:06d}",
            status="submitted",
            submitted_at=timezone.now(),
        )
        for i, user in enumerate(users)
    )
    language = LanguageFactory(code="kk")
    ApplicationChoice.objects.bulk_create(
        ApplicationChoice(application=a, offering=offering, priority=1, language=language)
        for a in applications
    )
    Document.objects.bulk_create(
        Document(
            application=a,
            kind="identity",
            file="documents/none",
            original_name="passport.pdf",
            size=1,
            sha256="0" * 64,
            content_type="application/pdf",
        )
        for a in applications
    )

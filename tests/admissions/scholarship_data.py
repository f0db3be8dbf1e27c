"""Bulk builders for ranking / allocation tests and the benchmark (few queries, fast)."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from admissions import models as am
from admissions.enums import ApplicationStatus
from programs import models as pm


def closed_cycle(code: str = "2025", total: int = 200, **extra) -> pm.AdmissionCycle:
    now = timezone.now()
    return pm.AdmissionCycle.objects.create(
        code=code,
        name=f"Admission {code}",
        opens_at=now - timedelta(days=90),
        closes_at=now - timedelta(days=30),
        results_at=now - timedelta(days=10),
        scholarship_total=total,
        **extra,
    )


def make_offering(cycle, *, slug: str, scholarship_seats: int, pass_mark="50", seats=None):
    field, _ = pm.Field.objects.get_or_create(slug="law", defaults={"name": "Law"})
    program = pm.Program.objects.create(
        slug=f"{slug}-{cycle.code}",
        field=field,
        level="bachelor",
        title=f"Program {slug}",
        duration_years=Decimal("4"),
    )
    return pm.Offering.objects.create(
        cycle=cycle,
        program=program,
        seats=seats or max(scholarship_seats, 1) * 2,
        scholarship_seats=scholarship_seats,
        pass_mark=Decimal(pass_mark),
    )


def make_fund(cycle, *, government: str, seats: int, citizenships=(), position=0):
    return pm.ScholarshipFund.objects.create(
        cycle=cycle,
        government=government,
        name=f"Fund {government}",
        seats=seats,
        eligible_citizenships=list(citizenships),
        position=position,
    )


def make_applications(
    cycle,
    offerings,
    count: int,
    *,
    status=ApplicationStatus.ACCEPTED,
    requested=True,
    citizenship="KZ",
    seed: int = 1,
    choices_per_application: int | None = None,
    prefix: str = "a",
):
    """`count` submitted applications with up to 3 choices and one exam result each,
    built with bulk_create. Scores are random but reproducible (seeded)."""
    rng = random.Random(seed)
    language, _ = pm.Language.objects.get_or_create(code="ru", defaults={"name": "Russian"})
    now = timezone.now()
    users = get_user_model().objects.bulk_create(
        [
            get_user_model()(
                username=f"{prefix}{cycle.code}-{i}", email=f"{prefix}{i}@example.org"
            )
            for i in range(count)
        ]
    )
    if not users or users[0].pk is None:
        users = list(
            get_user_model()
            .objects.filter(username__startswith=f"{prefix}{cycle.code}-")
            .order_by("pk")
        )
    am.ApplicantProfile.objects.bulk_create(
        [
            am.ApplicantProfile(
                user=user,
                last_name_native="Тест",
                first_name_native="Тест",
                last_name_latin="Test",
                first_name_latin="Test",
                birth_date=now.date() - timedelta(days=7000),
                citizenship=(citizenship(i) if callable(citizenship) else citizenship),
                identifier_kind="passport",
                identifier=f"P{i:08d}",
                phone="+77011234567",
            )
            for i, user in enumerate(users)
        ]
    )
    start = cycle.reference_counter
    applications = am.Application.objects.bulk_create(
        [
            am.Application(
                applicant=user,
                cycle=cycle,
                status=status,
                reference=f"KZO-{cycle.code}-{prefix}{start + i + 1:06d}",
                scholarship_requested=requested,
                submitted_at=now - timedelta(days=40, seconds=count - i),
            )
            for i, user in enumerate(users)
        ]
    )
    if not applications or applications[0].pk is None:
        applications = list(
            am.Application.objects.filter(cycle=cycle, applicant__in=users).order_by("pk")
        )
    offerings = list(offerings)
    per = choices_per_application or min(3, len(offerings))
    choices, exams = [], []
    for application in applications:
        picked = rng.sample(offerings, per)
        for priority, offering in enumerate(picked, start=1):
            choices.append(
                am.ApplicationChoice(
                    application=application,
                    offering=offering,
                    priority=priority,
                    language=language,
                )
            )
        exams.append(
            am.ExamResult(
                application=application,
                exam="unt",
                subject="History",
                score=Decimal(rng.randint(60, 140)),
                max_score=Decimal(140),
            )
        )
    am.ApplicationChoice.objects.bulk_create(choices, batch_size=2000)
    am.ExamResult.objects.bulk_create(exams, batch_size=2000)
    return applications


_references = iter(range(1, 100_000))


def ranked_applicant(cycle, score, offerings, *, citizenship="KZ", requested=True, **fields):
    """A submitted application of `cycle` whose ranking score is `score` points (one exam
    out of 100, no review), with `offerings` as its choices by priority, each taught in
    Kazakh; status Accepted unless `fields` say otherwise."""
    from tests.factories import (
        ApplicantProfileFactory,
        ApplicationFactory,
        ChoiceFactory,
        ExamResultFactory,
        LanguageFactory,
    )

    number = next(_references)
    profile = ApplicantProfileFactory(citizenship=citizenship)
    fields.setdefault("status", ApplicationStatus.ACCEPTED)
    fields.setdefault("submitted_at", timezone.now() - timedelta(days=40, minutes=number))
    application = ApplicationFactory(
        applicant=profile.user,
        cycle=cycle,
        reference=f"KZO-{cycle.code}-{number:06d}",
        scholarship_requested=requested,
        **fields,
    )
    kazakh = LanguageFactory(code="kk")
    for priority, offering in enumerate(offerings, start=1):
        ChoiceFactory(
            application=application, offering=offering, priority=priority, language=kazakh
        )
    ExamResultFactory(application=application, score=Decimal(score), max_score=Decimal(100))
    return application

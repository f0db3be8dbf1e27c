"""One set of data that reaches every page and every mail: the real catalogue (`seed`),
applicants in every status, offers in every state, staff. Built once per test module
(inside a transaction rolled back at the end), so the language checks stay fast."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from admissions.applications.steps import STEPS
from admissions.enums import ApplicationStatus, AwardState
from admissions.models import (
    ApplicantProfile,
    Application,
    Document,
    RankingSnapshot,
    Review,
    ScholarshipAward,
    StatusEvent,
)
from admissions.selectors import cycle_open
from tests.factories import (
    ApplicantProfileFactory,
    ChoiceFactory,
    DocumentFactory,
    ExamResultFactory,
    LanguageFactory,
    UserFactory,
    confirm_email,
)

# What applicants typed, in their own script: allowed on pages of any language.
NATIVE_NAMES = ("Сейтқали", "Айгерім", "Нұрланқызы")
APPLICANT_DATA = {*NATIVE_NAMES, "Сейтқали Айгерім", "Сейтқали Айгерім Нұрланқызы"}


@dataclass
class World:
    superuser: object
    draft: Application
    by_status: dict[str, Application] = field(default_factory=dict)
    awards: list[ScholarshipAward] = field(default_factory=list)
    snapshot: RankingSnapshot | None = None

    def user_of(self, application) -> object:
        return application.applicant


def _application(cycle, offering, status: str, *, number: int) -> Application:
    profile = ApplicantProfileFactory(
        last_name_native="Сейтқали",
        first_name_native="Айгерім",
        patronymic_native="Нұрланқызы",
        preferred_language="kk",
    )
    submitted = status != ApplicationStatus.DRAFT
    application = Application.objects.create(
        applicant=profile.user,
        cycle=cycle,
        status=status,
        reference=f"KZO-{cycle.code}-{900000 + number}" if submitted else None,
        submitted_at=timezone.now() - timedelta(days=3) if submitted else None,
        **completed_application_fields(),
        documents_request_message="Please upload a clearer scan of your passport.",
        decision_note="",
    )
    ChoiceFactory(
        application=application, offering=offering, priority=1, language=LanguageFactory(code="kk")
    )
    ExamResultFactory(application=application, exam="unt", subject="History of Kazakhstan")
    for kind in ("identity", "education", "photo"):
        DocumentFactory(application=application, kind=kind)
    confirm_email(application.applicant)
    if submitted:
        StatusEvent.objects.create(
            application=application, from_status="draft", to_status=status, note=""
        )
    return application


def build_world() -> World:
    out = io.StringIO()
    call_command("seed", stdout=out)
    call_command("setup_roles", stdout=out)
    call_command("setup_periodic_tasks", stdout=out)
    cycle = cycle_open()
    offering = cycle.offerings.select_related("program").order_by("pk").first()
    fund = cycle.funds.order_by("pk").first()
    superuser = UserFactory(
        username="admin-check", email="admin@example.org", is_staff=True, is_superuser=True
    )
    world = World(
        superuser=superuser,
        draft=_application(cycle, offering, ApplicationStatus.DRAFT, number=0),
    )
    for number, status in enumerate(ApplicationStatus.values, start=1):
        world.by_status[status] = _application(cycle, offering, status, number=number)
    accepted = world.by_status[ApplicationStatus.ACCEPTED]
    Review.objects.create(application=accepted, reviewer=superuser, score=Decimal("80"))
    for number, state in enumerate(
        (AwardState.OFFERED, AwardState.ACCEPTED, AwardState.DECLINED, AwardState.EXPIRED)
    ):
        application = (
            accepted
            if number == 0
            else _application(cycle, offering, ApplicationStatus.ACCEPTED, number=20 + number)
        )
        now = timezone.now()
        world.awards.append(
            ScholarshipAward.objects.create(
                application=application,
                fund=fund,
                offering=offering,
                state=state,
                offered_at=now - timedelta(days=1),
                respond_by=now + timedelta(days=6),
                responded_at=now if state in (AwardState.ACCEPTED, AwardState.DECLINED) else None,
            )
        )
    world.snapshot = RankingSnapshot.objects.create(
        offering=offering,
        published_by=superuser,
        rows=[
            {
                "rank": 1,
                "reference": accepted.reference,
                "score": "87.50",
                "priority": 1,
                "outcome": "scholarship",
            }
        ],
    )
    _rows_for_every_admin_page(world, offering)
    return world


def _rows_for_every_admin_page(world: World, offering) -> None:
    """One row in each remaining admin table, so its change page can be opened."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_celery_beat.models import ClockedSchedule, SolarSchedule

    from admissions.models import OutgoingMail, ReviewerAssignment

    now = timezone.now()
    applicant = world.draft.applicant
    common = {
        "user_agent": "Mozilla/5.0",
        "ip_address": "127.0.0.1",
        "username": "x@example.org",
        "http_accept": "text/html",
        "path_info": "/kk/accounts/login/",
    }
    AccessAttempt.objects.create(
        get_data="", post_data="", failures_since_start=1, attempt_time=now, **common
    )
    AccessLog.objects.create(attempt_time=now, **common)
    AccessFailureLog.objects.create(attempt_time=now, locked_out=False, **common)
    ClockedSchedule.objects.create(clocked_time=now + timedelta(days=1))
    SolarSchedule.objects.create(
        event="sunrise", latitude=Decimal("54.98"), longitude=Decimal("73.37")
    )
    OutgoingMail.objects.create(
        recipient=applicant.email,
        user=applicant,
        template="application_submitted",
        language="kk",
        context={"reference": "KZO-1", "name": "Айгерім"},
        idempotency_key="language-check-1",
    )
    ReviewerAssignment.objects.create(reviewer=world.superuser, program=offering.program)
    from allauth.mfa.models import Authenticator

    from admissions.models import DocumentPurge

    Authenticator.objects.create(
        user=world.superuser, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"}
    )
    rejected = world.by_status[ApplicationStatus.REJECTED]
    DocumentPurge.objects.create(
        application=rejected,
        reference=rejected.reference,
        status=ApplicationStatus.REJECTED,
        documents=3,
        kinds=["identity", "education", "photo"],
        bytes_removed=909,
        retention_days=365,
    )


def any_object(model):
    """A row of `model` for its admin change page: the most complete one there is."""
    preferred = {
        Application: lambda: Application.objects.filter(status=ApplicationStatus.ACCEPTED),
        ApplicantProfile: lambda: ApplicantProfile.objects.order_by("pk"),
        Document: lambda: Document.objects.order_by("pk"),
        get_user_model(): lambda: get_user_model().objects.order_by("-is_superuser", "pk"),
    }
    queryset = preferred[model]() if model in preferred else model._default_manager.all()
    return queryset.order_by("pk").first() if model not in preferred else queryset.first()


def completed_application_fields() -> dict:
    """The fields of an application whose every step is filled in (education, scholarship
    request, motivation, progress), as the language checks need them."""
    return {
        "education_institution": "School no. 1",
        "education_country": "KZ",
        "education_document_kind": "school_certificate",
        "education_document_number": "AB123",
        "graduation_year": timezone.localdate().year,
        "grade_average": Decimal("4.60"),
        "grade_scale_max": Decimal("5.00"),
        "scholarship_requested": True,
        "motivation": "I want to study international law at KazNU in Omsk. " * 12,
        "completed_steps": [step.slug for step in STEPS],
    }

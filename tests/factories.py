"""factory_boy factories shared by the whole suite."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from admissions import models as am
from admissions.applicants.search import profile_search_key
from admissions.applications import steps as form_steps
from admissions.enums import ApplicationStatus
from programs import models as pm
from programs.enums import Level


def steps_done(count: int) -> list[str]:
    """The slugs of the first `count` steps of the application form (progress data)."""
    return [declared.slug for declared in form_steps.STEPS[:count]]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct-horse-battery-staple")


class StaffFactory(UserFactory):
    is_staff = True


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Language
        django_get_or_create = ("code",)

    code = factory.Iterator(["kk", "ru", "en"])
    name = factory.LazyAttribute(
        lambda o: {"kk": "Kazakh", "ru": "Russian"}.get(o.code, "English")
    )


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Field
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"field-{n}")
    name = factory.Sequence(lambda n: f"Field {n}")


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Program
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"program-{n}")
    field = factory.SubFactory(FieldFactory)
    level = Level.BACHELOR
    title = factory.Sequence(lambda n: f"Program {n}")
    description = "A program."
    duration_years = Decimal("4")

    @factory.post_generation
    def languages(self, create, extracted, **kwargs):
        if not create:
            return
        codes = extracted if extracted is not None else ["ru", "kk", "en"]
        for code in codes:
            lang = code if isinstance(code, pm.Language) else LanguageFactory(code=code)
            self.languages.add(lang)


class CycleFactory(factory.django.DjangoModelFactory):
    """An open cycle by default: opened 30 days ago, closes in 30 days."""

    class Meta:
        model = pm.AdmissionCycle
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: str(2030 + n))
    name = factory.LazyAttribute(lambda o: f"Admission {o.code}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    results_at = factory.LazyAttribute(lambda o: o.closes_at + timedelta(days=14))
    offer_response_days = 7
    scholarship_total = 200


class OfferingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.Offering

    cycle = factory.SubFactory(CycleFactory)
    program = factory.SubFactory(ProgramFactory)
    seats = 50
    scholarship_seats = 20
    pass_mark = Decimal("50")


class FundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = pm.ScholarshipFund

    cycle = factory.SubFactory(CycleFactory)
    government = "KZ"
    name = factory.LazyAttribute(lambda o: f"Government of {o.government}")
    seats = 100


class ApplicantProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.ApplicantProfile

    user = factory.SubFactory(UserFactory)
    last_name_native = "Сейтқали"
    first_name_native = "Айгерім"
    patronymic_native = ""
    last_name_latin = "Seitkali"
    first_name_latin = "Aigerim"
    birth_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=18 * 366))
    citizenship = "KZ"
    identifier_kind = "passport"
    identifier = factory.Sequence(lambda n: f"N{n:08d}")
    phone = "+77011234567"
    preferred_language = "ru"
    # As `profile_save` writes it.
    search_key = factory.LazyAttribute(lambda profile: profile_search_key(profile))


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.Application

    applicant = factory.LazyAttribute(lambda o: ApplicantProfileFactory().user)
    cycle = factory.SubFactory(CycleFactory)
    status = ApplicationStatus.DRAFT


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.ApplicationChoice

    application = factory.SubFactory(ApplicationFactory)
    offering = factory.SubFactory(
        OfferingFactory, cycle=factory.SelfAttribute("..application.cycle")
    )
    priority = 1
    language = factory.LazyFunction(lambda: LanguageFactory(code="ru"))


class ExamResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.ExamResult

    application = factory.SubFactory(ApplicationFactory)
    exam = "unt"
    subject = "History of Kazakhstan"
    score = Decimal("100")
    max_score = Decimal("140")


# --- Scholarships (ranking and awards) ------------------------------------------------------
class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.Review

    application = factory.SubFactory(ApplicationFactory)
    reviewer = factory.SubFactory(StaffFactory)
    score = Decimal("80")


class AwardFactory(factory.django.DjangoModelFactory):
    """A live offer; its fund and offering belong to the application's cycle."""

    class Meta:
        model = am.ScholarshipAward

    application = factory.SubFactory(
        ApplicationFactory, status=ApplicationStatus.ACCEPTED, scholarship_requested=True
    )
    fund = factory.SubFactory(FundFactory, cycle=factory.SelfAttribute("..application.cycle"))
    offering = factory.SubFactory(
        OfferingFactory, cycle=factory.SelfAttribute("..application.cycle")
    )
    state = "offered"
    offered_at = factory.LazyFunction(timezone.now)
    respond_by = factory.LazyAttribute(lambda o: o.offered_at + timedelta(days=7))


# --- Documents (applicants engineer) ------------------------------------------------------
def _pdf_file():
    from django.core.files.base import ContentFile

    from tests.files import pdf_bytes

    return ContentFile(pdf_bytes(), name="doc.pdf")


def _sha256_of(file) -> str:
    import hashlib

    file.seek(0)
    digest = hashlib.sha256(file.read()).hexdigest()
    file.seek(0)
    return digest


class DocumentFactory(factory.django.DjangoModelFactory):
    """A stored PDF document (a tiny valid PDF in the per-test private folder)."""

    class Meta:
        model = am.Document

    application = factory.SubFactory(ApplicationFactory)
    kind = "identity"
    file = factory.LazyFunction(_pdf_file)
    original_name = "document.pdf"
    size = factory.LazyAttribute(lambda o: o.file.size)
    sha256 = factory.LazyAttribute(lambda o: _sha256_of(o.file))
    content_type = "application/pdf"


class DocumentPageFactory(factory.django.DjangoModelFactory):
    """A further page of a document scanned page by page (page 2 unless told)."""

    class Meta:
        model = am.DocumentPage

    document = factory.SubFactory(DocumentFactory)
    number = 2
    file = "documents/page-2"
    original_name = "page-2.png"
    size = 10
    sha256 = "0" * 64
    content_type = "image/png"


# --- The online application (applications engineer) -------------------------------------
def confirm_email(user):
    """Mark `user`'s e-mail address as confirmed (allauth), as the confirmation link does."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def ready_application(*, cycle=None, offerings=None, confirmed=True, documents=True, **fields):
    """A draft with every step filled in (profile, one choice, education, an exam, a
    motivation, the always-required documents), ready to submit."""
    cycle = cycle or CycleFactory()
    defaults = {
        "education_institution": "School no. 1",
        "education_country": "KZ",
        "education_document_kind": "school_certificate",
        "education_document_number": "AB123",
        "graduation_year": timezone.localdate().year,
        "grade_average": Decimal("4.5"),
        "grade_scale_max": Decimal("5"),
        "motivation": "I want to study law. " * 20,
        "completed_steps": steps_done(6),
    }
    application = ApplicationFactory(cycle=cycle, **{**defaults, **fields})
    for priority, offering in enumerate(offerings or [OfferingFactory(cycle=cycle)], start=1):
        ChoiceFactory(
            application=application,
            offering=offering,
            priority=priority,
            language=LanguageFactory(code="ru"),
        )
    ExamResultFactory(application=application)
    if documents:
        for kind in ("identity", "education", "photo"):
            DocumentFactory(application=application, kind=kind)
    if confirmed:
        confirm_email(application.applicant)
    return application


# --- Staff review (issue 5) ---------------------------------------------------------------


class SubmittedApplicationFactory(ApplicationFactory):
    """A submitted application with a reference number and a first-priority choice."""

    class Meta:
        skip_postgeneration_save = True

    status = ApplicationStatus.SUBMITTED
    reference = factory.Sequence(lambda n: f"KZO-TEST-{n:06d}")
    submitted_at = factory.LazyFunction(timezone.now)
    choice = factory.RelatedFactory(
        "tests.factories.ChoiceFactory", factory_related_name="application", priority=1
    )


class RubricCriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.RubricCriterion

    cycle = factory.SubFactory(CycleFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    weight = Decimal("1")
    max_score = 10


class ReviewerAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = am.ReviewerAssignment

    reviewer = factory.SubFactory(StaffFactory)
    program = factory.SubFactory(ProgramFactory)
    blind = False


def profile_form_data(**overrides) -> dict:
    """Valid POST data of the applicant profile form (a Kazakh citizen with a valid IIN)."""
    data = {
        "last_name_native": "Сейтқали",
        "first_name_native": "Айгерім",
        "patronymic_native": "",
        "last_name_latin": "Seitkali",
        "first_name_latin": "Aigerim",
        "birth_date": "2006-03-15",
        "citizenship": "KZ",
        "identifier_kind": "iin",
        "identifier": "060315601239",
        "phone": "+77011234567",
        "preferred_language": "kk",
    }
    data.update(overrides)
    return data


def ready_for_decision(application, *, reviews: int = 1):
    """Make `application` pass every decision guard: prior education that opens every
    level chosen, each required document verified, `reviews` reviews, an exam score above
    any pass mark. Returns the application (reloaded)."""
    from admissions.documents.services import document_requirements

    levels = set(application.choices.values_list("offering__program__level", flat=True))
    application.education_document_kind = (
        "bachelor_diploma" if "master" in levels else "school_certificate"
    )
    application.save(update_fields=["education_document_kind"])
    for requirement in document_requirements(application=application):
        if requirement.required:
            DocumentFactory(application=application, kind=requirement.kind, status="verified")
    for _ in range(reviews):
        ReviewFactory(application=application, score=Decimal("90"))
    ExamResultFactory(application=application, score=Decimal("135"), max_score=Decimal("140"))
    application.refresh_from_db()
    return application

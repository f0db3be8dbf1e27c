"""Applicants, applications, documents, reviews, awards and the e-mail outbox.

Models hold data and small derived properties only; every write and state change goes
through the service modules of each context (`admissions/<context>/services.py`).
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import storages
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from admissions.enums import (
    LIVE_AWARD_STATES,
    ApplicationStatus,
    AwardState,
    DocumentKind,
    DocumentStatus,
    EducationDocumentKind,
    ExamKind,
    IdentifierKind,
    MailState,
    SiteLanguage,
)
from config.countries import CldrCountries
from programs.models import AdmissionCycle, Language, Offering, Program, ScholarshipFund


def private_storage():
    return storages["private"]


def new_calendar_token() -> str:
    """A secret for the applicant's calendar feed address (32 random bytes, URL-safe)."""
    return secrets.token_urlsafe(32)


class ApplicantProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="applicant_profile",
        verbose_name=_("user"),
    )
    last_name_native = models.CharField(_("last name"), max_length=100)
    first_name_native = models.CharField(_("first name"), max_length=100)
    patronymic_native = models.CharField(_("patronymic"), max_length=100, blank=True)
    last_name_latin = models.CharField(_("last name (Latin letters)"), max_length=100)
    first_name_latin = models.CharField(_("first name (Latin letters)"), max_length=100)
    birth_date = models.DateField(_("date of birth"))
    citizenship = CountryField(_("citizenship"), countries=CldrCountries)
    identifier_kind = models.CharField(
        _("identifier"), max_length=16, choices=IdentifierKind.choices
    )
    identifier = models.CharField(_("identifier number"), max_length=32)
    phone = PhoneNumberField(_("phone"))
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=SiteLanguage.choices, default="ru"
    )
    # The calendar feed is read by calendar apps that cannot log in: its address carries this
    # secret instead; the applicant can replace it (the old address then stops working).
    calendar_token = models.CharField(
        _("calendar feed secret"),
        max_length=64,
        unique=True,
        default=new_calendar_token,
        editable=False,
    )
    # Folded names for search (`admissions.applicants.search.profile_search_key`), written
    # with the profile by `profile_save`.
    search_key = models.TextField(
        _("search key"), blank=True, default="", db_default="", editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("applicant profile")
        verbose_name_plural = _("applicant profiles")
        indexes = [models.Index(fields=("identifier",))]

    def __str__(self) -> str:
        return self.full_name_native

    @property
    def full_name_native(self) -> str:
        return " ".join(
            p for p in (self.last_name_native, self.first_name_native, self.patronymic_native) if p
        )

    @property
    def full_name_latin(self) -> str:
        return f"{self.first_name_latin} {self.last_name_latin}".strip()

    def first_name_for(self, language: str) -> str:
        """The first name to greet with in `language`: the Latin spelling in English (a
        reader of English mail may not read Cyrillic), the native one in Kazakh and
        Russian."""
        if language == SiteLanguage.EN and self.first_name_latin:
            return self.first_name_latin
        return self.first_name_native


class UserLanguage(models.Model):
    """The language a person reads the portal's mail in, apart from the applicant profile.

    Set at sign-up to the language of the sign-up page, changed by an explicit choice (the
    language switcher of a signed-in user, the profile's preferred language, a staff
    member's own setting in the admin). It is what staff mail (the digest) is written in,
    and what an applicant's mail uses before the profile exists; see
    `admissions.selectors.applicant_language`.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="language_preference",
        verbose_name=_("user"),
    )
    language = models.CharField(_("language"), max_length=8, choices=SiteLanguage.choices)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("language of e-mails")
        verbose_name_plural = _("languages of e-mails")

    def __str__(self) -> str:
        return str(self.get_language_display())


class Application(models.Model):
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("applicant"),
    )
    cycle = models.ForeignKey(
        AdmissionCycle,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("cycle"),
    )
    reference = models.CharField(
        _("reference number"), max_length=32, unique=True, null=True, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        db_index=True,
    )
    # Prior education
    education_institution = models.CharField(_("institution"), max_length=255, blank=True)
    education_country = CountryField(
        _("country of education"), countries=CldrCountries, blank=True
    )
    education_document_kind = models.CharField(
        _("education document"), max_length=32, choices=EducationDocumentKind.choices, blank=True
    )
    education_document_number = models.CharField(_("document number"), max_length=64, blank=True)
    graduation_year = models.PositiveSmallIntegerField(
        _("year of graduation"), null=True, blank=True
    )
    # A pupil finishing school in the cycle's year: the certificate comes later (the rules:
    # `applications.services.graduation_year_problem`, `documents.requirements`).
    graduation_expected = models.BooleanField(
        _("graduation expected"),
        default=False,
        help_text=_("Not graduated yet: the certificate or diploma is to be provided later."),
    )
    grade_average = models.DecimalField(
        _("grade average"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    grade_scale_max = models.DecimalField(
        _("maximum of the grade scale"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1"))],
    )
    scholarship_requested = models.BooleanField(_("scholarship requested"), default=False)
    motivation = models.TextField(_("motivation statement"), blank=True)
    consent_version = models.CharField(_("consent text version"), max_length=32, blank=True)
    consent_given_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_ip = models.GenericIPAddressField(
        _("consent given from address"), null=True, blank=True
    )
    # Slugs of the steps of the application form the applicant has done (to resume at the
    # first one not done; see admissions.applications.steps).
    completed_steps = models.JSONField(default=list, blank=True, editable=False)
    documents_request_message = models.TextField(_("documents requested"), blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    # While a decision waits for the cycle's results time: the status the applicant still
    # sees. Blank when nothing is held (the applicant sees `status`).
    released_status = models.CharField(
        _("status shown to the applicant"),
        max_length=24,
        choices=ApplicationStatus.choices,
        blank=True,
        default="",
        db_default="",
        db_index=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ("-submitted_at", "-created_at")
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=("applicant", "cycle"), name="application_one_per_applicant_and_cycle"
            )
        ]
        indexes = [models.Index(fields=("cycle", "status"))]
        permissions = [
            (
                "override_application",
                _("Can decide despite failed checks, with a written reason"),
            )
        ]

    def __str__(self) -> str:
        return self.reference or _("Draft #%(pk)s") % {"pk": self.pk}

    @property
    def is_editable_by_applicant(self) -> bool:
        from admissions.applications.lifecycle import Group, statuses_in

        return self.status in statuses_in(Group.EDITABLE)


# How many programs an application may rank (the forms, the service and the constraint
# below read it; changing it needs a migration of the constraint).
MAX_CHOICES = 3


class ApplicationChoice(models.Model):
    """One of up to `MAX_CHOICES` programs an application ranks by priority (1 = most wanted)."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="choices",
        verbose_name=_("application"),
    )
    offering = models.ForeignKey(
        Offering, on_delete=models.PROTECT, related_name="choices", verbose_name=_("program")
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), validators=[MinValueValidator(1), MaxValueValidator(MAX_CHOICES)]
    )
    language = models.ForeignKey(
        Language,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("language of instruction"),
    )

    class Meta:
        ordering = ("application", "priority")
        verbose_name = _("program choice")
        verbose_name_plural = _("program choices")
        constraints = [
            models.UniqueConstraint(
                fields=("application", "offering"), name="choice_offering_once"
            ),
            models.UniqueConstraint(
                fields=("application", "priority"), name="choice_priority_once"
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1) & Q(priority__lte=MAX_CHOICES),
                name="choice_priority_1_to_3",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.priority}. {self.offering.program}"


class ExamResult(models.Model):
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="exam_results",
        verbose_name=_("application"),
    )
    exam = models.CharField(_("exam"), max_length=16, choices=ExamKind.choices)
    subject = models.CharField(_("subject"), max_length=120)
    score = models.DecimalField(
        _("score"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    max_score = models.DecimalField(
        _("maximum score"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    taken_on = models.DateField(_("date taken"), null=True, blank=True)

    class Meta:
        ordering = ("application", "pk")
        verbose_name = _("exam result")
        verbose_name_plural = _("exam results")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=F("max_score")) & Q(max_score__gt=0),
                name="exam_score_within_maximum",
                violation_error_message=_("The score cannot exceed the maximum."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_exam_display()} {self.subject}: {self.score}/{self.max_score}"

    @property
    def normalised(self) -> Decimal:
        return (self.score / self.max_score * 100).quantize(Decimal("0.01"))


def document_upload_to(instance: Document, filename: str) -> str:
    # Never reuse the applicant's file name on disk: it is kept in `original_name` only.
    return f"documents/{instance.application_id}/{uuid.uuid4().hex}"


class Document(models.Model):
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("application"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=DocumentKind.choices)
    file = models.FileField(
        _("file"), upload_to=document_upload_to, storage=private_storage, max_length=255
    )
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("detected type"), max_length=64)
    status = models.CharField(
        _("verification"),
        max_length=16,
        choices=DocumentStatus.choices,
        default=DocumentStatus.PENDING,
        db_index=True,
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        ordering = ("application", "kind", "-uploaded_at")
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        # Not the uploaded file name: it may name the applicant, and this text reaches
        # admin history and row titles that blind reviewers read.
        return f"{self.get_kind_display()} #{self.pk}"

    # The document's own file is its first page; further pages are `DocumentPage` rows.
    number = 1

    @property
    def pages(self) -> list:
        """Every file of the document in order: itself (page 1), then its `extra_pages`
        (prefetch "extra_pages" when listing many documents)."""
        return [self, *self.extra_pages.all()]

    @property
    def page_count(self) -> int:
        return 1 + len(self.extra_pages.all())

    @property
    def total_size(self) -> int:
        """Bytes of all its files."""
        return self.size + sum(page.size for page in self.extra_pages.all())

    @property
    def download_url(self) -> str:
        from django.urls import reverse

        return reverse("admissions:document_download", kwargs={"pk": self.pk})


def document_page_upload_to(instance: DocumentPage, filename: str) -> str:
    return f"documents/{instance.document.application_id}/{uuid.uuid4().hex}"


class DocumentPage(models.Model):
    """A further file of one document (page 2, 3... of a passport scanned page by page).
    The document is verified, replaced and removed as a whole; each file was inspected on
    upload like the first (`documents.validation`)."""

    document = models.ForeignKey(
        Document,
        on_delete=models.CASCADE,
        related_name="extra_pages",
        verbose_name=_("document"),
    )
    number = models.PositiveSmallIntegerField(_("page"), validators=[MinValueValidator(2)])
    file = models.FileField(
        _("file"), upload_to=document_page_upload_to, storage=private_storage, max_length=255
    )
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("detected type"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ("document", "number")
        verbose_name = _("document page")
        verbose_name_plural = _("document pages")
        constraints = [
            models.UniqueConstraint(fields=("document", "number"), name="document_page_once"),
            models.CheckConstraint(condition=Q(number__gte=2), name="document_page_from_2"),
        ]

    def __str__(self) -> str:
        return f"{self.document} p. {self.number}"

    @property
    def download_url(self) -> str:
        from django.urls import reverse

        return reverse(
            "admissions:document_page_download",
            kwargs={"pk": self.document_id, "number": self.number},
        )


class DocumentRequest(models.Model):
    """What the admissions office asked the applicant to upload, one row per request: the
    document kinds wanted and a message. Staff ask with `documents_request`; the applicant
    answers with `documents_request_answer` (admissions/documents/requests.py)."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="document_requests",
        verbose_name=_("application"),
    )
    # DocumentKind values, in the order of DocumentKind.
    kinds = models.JSONField(_("document kinds"), default=list)
    note = models.TextField(_("message to the applicant"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    # The language the officer worked in: the "documents uploaded" mail is written in it.
    language = models.CharField(
        _("language"), max_length=8, choices=SiteLanguage.choices, default="ru"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ("-requested_at", "-pk")
        verbose_name = _("document request")
        verbose_name_plural = _("document requests")

    def __str__(self) -> str:
        return f"{self.application}: {', '.join(self.kinds)}"


class RubricCriterion(models.Model):
    """A criterion reviewers score, with its weight in the review score."""

    cycle = models.ForeignKey(
        AdmissionCycle, on_delete=models.CASCADE, related_name="rubric", verbose_name=_("cycle")
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    max_score = models.PositiveSmallIntegerField(
        _("maximum score"), default=10, validators=[MinValueValidator(1)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ("cycle", "position", "pk")
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")

    def __str__(self) -> str:
        return self.name


class ReviewerAssignment(models.Model):
    """Which programs a reviewer scores. A reviewer sees nothing else."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="review_assignments",
        verbose_name=_("reviewer"),
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        related_name="reviewer_assignments",
        verbose_name=_("program"),
    )
    blind = models.BooleanField(
        _("blind review"), default=False, help_text=_("Hide applicants' names from the reviewer.")
    )

    class Meta:
        verbose_name = _("reviewer assignment")
        verbose_name_plural = _("reviewer assignments")
        constraints = [
            models.UniqueConstraint(fields=("reviewer", "program"), name="assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.program}"


class Review(models.Model):
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=_("application"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviews",
        verbose_name=_("reviewer"),
    )
    # Weighted rubric score normalised to 0-100.
    score = models.DecimalField(
        _("score (0-100)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ("application", "created_at")
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=("application", "reviewer"), name="review_one_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="review_score_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer}: {self.score}"


class ReviewScore(models.Model):
    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="scores", verbose_name=_("review")
    )
    criterion = models.ForeignKey(
        RubricCriterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    value = models.PositiveSmallIntegerField(_("value"))

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        constraints = [
            models.UniqueConstraint(fields=("review", "criterion"), name="review_score_once")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class StatusEvent(models.Model):
    """Audit trail: one row per state change of an application."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("application"),
    )
    from_status = models.CharField(
        _("from"), max_length=24, choices=ApplicationStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=24, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)
    # An officer's written reason for deciding despite failed guards, followed by the
    # guards it overrode (one per line); empty when every guard passed.
    override_reason = models.TextField(_("override reason"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # A decision held until the cycle's results time (or one the applicant never saw,
    # because it was changed before the release): shown to staff only.
    withheld = models.BooleanField(
        _("withheld from the applicant"), default=False, db_default=False
    )
    released_at = models.DateTimeField(_("released to the applicant"), null=True, blank=True)

    class Meta:
        ordering = ("application", "created_at", "pk")
        verbose_name = _("status event")
        verbose_name_plural = _("status events")

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class ScholarshipAward(models.Model):
    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        related_name="awards",
        verbose_name=_("application"),
    )
    fund = models.ForeignKey(
        ScholarshipFund, on_delete=models.PROTECT, related_name="awards", verbose_name=_("fund")
    )
    offering = models.ForeignKey(
        Offering, on_delete=models.PROTECT, related_name="awards", verbose_name=_("program")
    )
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=AwardState.choices,
        default=AwardState.OFFERED,
        db_index=True,
    )
    offered_at = models.DateTimeField(_("offered at"))
    respond_by = models.DateTimeField(_("respond by"), db_index=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offered by"),
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ("-offered_at",)
        verbose_name = _("scholarship award")
        verbose_name_plural = _("scholarship awards")
        constraints = [
            # An application holds at most one live (offered or accepted) award.
            models.UniqueConstraint(
                fields=("application",),
                condition=Q(state__in=sorted(LIVE_AWARD_STATES)),
                name="award_one_live_per_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} — {self.fund} ({self.get_state_display()})"


class AllocationRun(models.Model):
    """Audit: one row per scholarship allocation that made offers (command or admin)."""

    cycle = models.ForeignKey(
        AdmissionCycle,
        on_delete=models.PROTECT,
        related_name="allocation_runs",
        verbose_name=_("cycle"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # Why the committee allocated before the cycle closed; empty for a run after closing.
    early_reason = models.TextField(_("reason for allocating early"), blank=True)
    offers = models.PositiveIntegerField(_("offers made"), default=0)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("scholarship allocation")
        verbose_name_plural = _("scholarship allocations")

    def __str__(self) -> str:
        return f"{self.cycle} @ {self.created_at:%Y-%m-%d %H:%M}"


class RankingSnapshot(models.Model):
    """A published ranked list of one offering, kept as it was published."""

    offering = models.ForeignKey(
        Offering, on_delete=models.PROTECT, related_name="rankings", verbose_name=_("program")
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True, db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    # [{"rank": 1, "reference": "KZO-2025-000001", "score": "87.50", "priority": 1,
    #   "outcome": "scholarship"}, ...]
    rows = models.JSONField(_("rows"), default=list)
    # Hash chain (see admissions/scholarships/ranking_integrity.py): the SHA-256 of this
    # snapshot's canonical JSON, which includes the hash of the previous snapshot of the
    # same offering, so no published list can be changed without breaking the chain.
    content_sha256 = models.CharField(_("SHA-256 of the content"), max_length=64, editable=False)
    previous_sha256 = models.CharField(
        _("SHA-256 of the previous list"), max_length=64, blank=True, editable=False
    )

    class Meta:
        ordering = ("-published_at",)
        verbose_name = _("published ranking")
        verbose_name_plural = _("published rankings")

    def __str__(self) -> str:
        return f"{self.offering} @ {self.published_at:%Y-%m-%d %H:%M}"


class OutgoingMail(models.Model):
    """Transactional outbox: a row per notification, sent at most once by a Celery task."""

    recipient = models.EmailField(_("recipient"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    template = models.CharField(_("template"), max_length=64, db_index=True)
    language = models.CharField(_("language"), max_length=8, choices=SiteLanguage.choices)
    context = models.JSONField(_("context"), default=dict, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    state = models.CharField(
        _("state"), max_length=16, choices=MailState.choices, default=MailState.PENDING
    )
    # The message, rendered when the mail is queued (empty until then); a subject is one
    # header line, at most 998 characters by RFC 5322.
    subject = models.CharField(pgettext_lazy("e-mail", "subject"), max_length=998, blank=True)
    body_text = models.TextField(_("text body"), blank=True)
    body_html = models.TextField(_("HTML body"), blank=True)
    # The whole message as the SMTP server gets it (headers and both bodies, CRLF lines),
    # built when queued; the worker sends these bytes. Empty for a mail whose message is
    # built when sent (see admissions.notifications.outbox).
    message = models.BinaryField(_("message"), blank=True, default=b"")
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    # When a worker claimed the row for sending (state "sending"); also the claim's token:
    # a worker writes its outcome only while the row still carries its claim time.
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        indexes = [models.Index(fields=("state", "created_at"))]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient}"


class SavedFilter(models.Model):
    """A staff member's named filter of the applications list (the list's query string)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_filters",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filter"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ("user", "name")
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        constraints = [
            models.UniqueConstraint(fields=("user", "name"), name="saved_filter_name_once")
        ]

    def __str__(self) -> str:
        return self.name


class ConsentText(models.Model):
    """A version of the personal-data consent text (152-FZ art. 9, 94-V art. 8): what the
    applicant agreed to is the version recorded with the application. Versions are added in
    the admin, never edited once in force; the current one is the latest in force."""

    version = models.CharField(_("version"), max_length=32, unique=True)
    text = models.TextField(
        _("text"), help_text=_("Plain text; an empty line separates paragraphs.")
    )
    in_force_from = models.DateTimeField(_("in force from"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ("-in_force_from",)
        verbose_name = _("personal-data consent text")
        verbose_name_plural = _("personal-data consent texts")

    def __str__(self) -> str:
        return self.version


class DocumentPurge(models.Model):
    """Audit row of the retention job: which application's documents were removed, when and
    under which retention period. No file names or contents: only counts and kinds."""

    application = models.ForeignKey(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        related_name="document_purges",
        verbose_name=_("application"),
    )
    reference = models.CharField(_("reference number"), max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=24, choices=ApplicationStatus.choices)
    documents = models.PositiveIntegerField(_("documents removed"))
    kinds = models.JSONField(_("kinds removed"), default=list)
    bytes_removed = models.PositiveBigIntegerField(_("bytes removed"))
    retention_days = models.PositiveIntegerField(_("retention period (days)"))
    purged_at = models.DateTimeField(_("purged at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("-purged_at",)
        verbose_name = _("document purge")
        verbose_name_plural = _("document purges")

    def __str__(self) -> str:
        return f"{self.reference or self.application_id}: {self.documents}"


class NextStep(models.Model):
    """What an applicant must do after reaching a status in one cycle (hand in the original
    documents, sign the contract, arrive, register), and by when. Text fields are translated
    (admissions/translation.py). Read by `admissions.applications.next_steps`."""

    cycle = models.ForeignKey(
        AdmissionCycle,
        on_delete=models.CASCADE,
        related_name="next_steps",
        verbose_name=_("cycle"),
    )
    status = models.CharField(
        _("after the status"),
        max_length=24,
        choices=ApplicationStatus.choices,
        help_text=_(
            "Shown to applicants from the moment they see this status (a decision held "
            "until the results time: once it is released). Accepting a scholarship "
            "enrols: use “Enrolled” for what follows it."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(
        _("instructions"),
        blank=True,
        help_text=_("Plain text; an empty line separates paragraphs."),
    )
    due_date = models.DateField(
        _("due date"), null=True, blank=True, help_text=_("A fixed date (Omsk time).")
    )
    due_days = models.PositiveSmallIntegerField(
        _("days after the decision"),
        null=True,
        blank=True,
        help_text=_(
            "Or a number of days after the applicant saw the status. Leave both empty "
            "when there is no date."
        ),
    )

    class Meta:
        ordering = ("cycle", "status", "position", "pk")
        verbose_name = _("next step")
        verbose_name_plural = _("next steps")
        constraints = [
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(due_days__isnull=True),
                name="next_step_one_due_rule",
                violation_error_message=_("Give either a due date or a number of days, not both."),
            )
        ]

    def __str__(self) -> str:
        return self.title


class AdmissionsOffice(models.Model):
    """The admissions office's contacts, shown on the program pages, in the site footer and
    in every mail; its reply-to address receives the applicants' answers to mail. One row
    is used (the first); text fields are translated (admissions/translation.py)."""

    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"))
    phone = models.CharField(
        _("phone"), max_length=40, help_text=_("As it should be shown, e.g. +7 3812 22-33-44.")
    )
    email = models.EmailField(_("e-mail"))
    reply_to = models.EmailField(
        _("reply-to address"),
        blank=True,
        help_text=_(
            "Where applicants' replies to the portal's mail go. Leave empty to use the "
            "e-mail above."
        ),
    )
    opening_hours = models.TextField(_("opening hours"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ("pk",)
        verbose_name = _("admissions office")
        verbose_name_plural = _("admissions office")

    def __str__(self) -> str:
        return self.name

    @property
    def phone_uri(self) -> str:
        """The phone as a tel: link target (digits and a leading +)."""
        digits = "".join(c for c in self.phone if c.isdigit())
        return f"tel:+{digits}" if self.phone.strip().startswith("+") else f"tel:{digits}"

    @property
    def reply_address(self) -> str:
        return self.reply_to or self.email

"""The catalogue: languages, fields, programs, admission cycles, offerings and funds.

Translated fields (title, description, ...) are registered in `translation.py`
(django-modeltranslation adds one column per language).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from config.countries import CldrCountries

from .enums import Level


class Language(models.Model):
    """A language of instruction (and of the site): kk, ru, en."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ("position", "code")
        verbose_name = _("language")
        verbose_name_plural = _("languages")

    def __str__(self) -> str:
        return self.name


class Field(models.Model):
    """A field of study, e.g. International Law."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ("position", "slug")
        verbose_name = _("field of study")
        verbose_name_plural = _("fields of study")

    def __str__(self) -> str:
        return self.name


class Program(models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, related_name="programs", verbose_name=_("field")
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    duration_years = models.DecimalField(
        _("duration (years)"),
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("8"))],
    )
    languages = models.ManyToManyField(
        Language, related_name="programs", verbose_name=_("languages of instruction")
    )
    is_dual_degree = models.BooleanField(_("dual degree"), default=False)
    partner_university = models.CharField(_("partner university"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ("position", "field__position", "level", "slug")
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self) -> str:
        return f"{self.title} ({self.get_level_display()})"

    def get_absolute_url(self) -> str:
        return reverse("programs:detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.is_dual_degree and not self.partner_university:
            raise ValidationError(
                {"partner_university": _("A dual-degree program needs a partner university.")}
            )


class AdmissionCycle(models.Model):
    code = models.CharField(
        _("code"), max_length=16, unique=True, help_text=_("Usually the year, e.g. 2025.")
    )
    name = models.CharField(_("name"), max_length=120)
    opens_at = models.DateTimeField(_("applications open"))
    closes_at = models.DateTimeField(_("applications close"))
    results_at = models.DateTimeField(_("results published"))
    release_decisions_immediately = models.BooleanField(
        _("release decisions immediately"),
        default=False,
        help_text=_(
            "Applicants see decisions (accepted, waitlisted, rejected) and get their mail at "
            "once, not at the results time. For later rounds."
        ),
    )
    offer_response_days = models.PositiveSmallIntegerField(
        _("offer response window (days)"), default=7, validators=[MinValueValidator(1)]
    )
    scholarship_total = models.PositiveIntegerField(_("scholarships in total"), default=0)
    # Ranking weights: score = exam_weight * exam score + review_weight * mean review score.
    exam_weight = models.DecimalField(
        _("weight of exam score"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.70"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    review_weight = models.DecimalField(
        _("weight of review score"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.30"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    required_reviews = models.PositiveSmallIntegerField(
        _("reviews required for a decision"),
        default=1,
        help_text=_(
            "How many reviews an application needs before it can be accepted or waitlisted."
        ),
    )
    # Last reference number handed out in this cycle; incremented under a row lock.
    reference_counter = models.PositiveIntegerField(default=0, editable=False)

    # A form that edits the funds together with the cycle checks their sum against the
    # submitted values (not the stored ones) and switches this check off for the instance.
    check_funds_on_clean = True

    class Meta:
        ordering = ("-opens_at",)
        verbose_name = _("admission cycle")
        verbose_name_plural = _("admission cycles")
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="cycle_closes_after_opening",
                violation_error_message=_("Applications must close after they open."),
            ),
            models.CheckConstraint(
                condition=Q(results_at__gte=models.F("closes_at")),
                name="cycle_results_after_closing",
                violation_error_message=_(
                    "Results cannot be published before applications close."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.code

    def clean(self) -> None:
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("Applications must close after they open.")
        if self.closes_at and self.results_at and self.results_at < self.closes_at:
            errors["results_at"] = _("Results cannot be published before applications close.")
        weights = (self.exam_weight, self.review_weight)
        if None not in weights and sum(weights) != Decimal("1"):
            errors["review_weight"] = _("The two weights must add up to 1.")
        if self.pk and self.check_funds_on_clean and self.scholarship_total is not None:
            funded = self.funds.aggregate(total=Sum("seats"))["total"] or 0
            if funded > self.scholarship_total:
                errors["scholarship_total"] = _(
                    "The funds of this cycle already hold %(funded)s scholarships, "
                    "more than this total."
                ) % {"funded": funded}
        if errors:
            raise ValidationError(errors)

    def decisions_released(self, now=None) -> bool:
        """Whether applicants see decisions made now: at and after the results time, or at
        any time when the cycle releases them immediately."""
        now = now or timezone.now()
        return self.release_decisions_immediately or now >= self.results_at

    @property
    def is_open(self) -> bool:
        now = timezone.now()
        return self.opens_at <= now < self.closes_at


class Offering(models.Model):
    """A program offered in one admission cycle."""

    cycle = models.ForeignKey(
        AdmissionCycle,
        on_delete=models.CASCADE,
        related_name="offerings",
        verbose_name=_("cycle"),
    )
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="offerings", verbose_name=_("program")
    )
    seats = models.PositiveIntegerField(_("seats"))
    scholarship_seats = models.PositiveIntegerField(_("scholarship seats"), default=0)
    paid_seats = models.PositiveIntegerField(
        _("paid places"),
        default=0,
        help_text=_("Places with tuition fees, in addition to the funded seats."),
    )
    pass_mark = models.DecimalField(
        _("pass mark (0-100)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    deadline = models.DateTimeField(
        _("own deadline"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the cycle's closing date."),
    )

    class Meta:
        ordering = ("cycle", "program__position", "program__slug")
        verbose_name = _("offering")
        verbose_name_plural = _("offerings")
        constraints = [
            models.UniqueConstraint(fields=("cycle", "program"), name="offering_unique_program"),
            models.CheckConstraint(
                condition=Q(scholarship_seats__lte=models.F("seats")),
                name="offering_scholarships_within_seats",
                violation_error_message=_("Scholarship seats cannot exceed seats."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program} — {self.cycle}"

    @property
    def effective_deadline(self):
        return self.deadline or self.cycle.closes_at

    def clean(self) -> None:
        seats = (self.seats, self.scholarship_seats)
        if None not in seats and self.scholarship_seats > self.seats:
            raise ValidationError(
                {"scholarship_seats": _("Scholarship seats cannot exceed seats.")}
            )
        if self.deadline and self.cycle_id and self.deadline < self.cycle.opens_at:
            raise ValidationError(
                {"deadline": _("The deadline cannot be before the cycle opens.")}
            )


class ScholarshipFund(models.Model):
    """Scholarships granted by one government for one cycle."""

    cycle = models.ForeignKey(
        AdmissionCycle, on_delete=models.CASCADE, related_name="funds", verbose_name=_("cycle")
    )
    government = CountryField(_("funding government"), countries=CldrCountries)
    name = models.CharField(_("name"), max_length=200)
    seats = models.PositiveIntegerField(_("seats"))
    eligible_citizenships = CountryField(
        _("eligible citizenships"),
        countries=CldrCountries,
        multiple=True,
        blank=True,
        help_text=_("Leave empty when applicants of any citizenship are eligible."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    # Off when the funds of a cycle are validated together (see AdmissionCycle).
    check_total_on_clean = True

    class Meta:
        ordering = ("cycle", "position", "pk")
        verbose_name = _("scholarship fund")
        verbose_name_plural = _("scholarship funds")
        constraints = [
            models.UniqueConstraint(fields=("cycle", "government"), name="fund_unique_government")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.cycle_id is None or self.seats is None or not self.check_total_on_clean:
            return
        others = (
            ScholarshipFund.objects.filter(cycle_id=self.cycle_id)
            .exclude(pk=self.pk)
            .aggregate(total=Sum("seats"))["total"]
            or 0
        )
        if others + self.seats > self.cycle.scholarship_total:
            raise ValidationError(
                {
                    "seats": _(
                        "The funds would hold %(sum)s scholarships, more than the cycle's "
                        "total of %(total)s."
                    )
                    % {"sum": others + self.seats, "total": self.cycle.scholarship_total}
                }
            )


class Exam(models.Model):
    """An entrance exam and its own scale, e.g. UNT scored out of 140, IELTS out of 9."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=160)
    max_score = models.DecimalField(
        _("maximum score"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ("position", "code")
        verbose_name = _("entrance exam")
        verbose_name_plural = _("entrance exams")
        constraints = [
            models.CheckConstraint(condition=Q(max_score__gt=0), name="exam_max_score_positive")
        ]

    def __str__(self) -> str:
        return self.name


class OfferingExam(models.Model):
    """An entrance exam an offering requires, with its minimum score on the exam's scale."""

    offering = models.ForeignKey(
        Offering, on_delete=models.CASCADE, related_name="exams", verbose_name=_("offering")
    )
    exam = models.ForeignKey(
        Exam, on_delete=models.PROTECT, related_name="offerings", verbose_name=_("exam")
    )
    minimum_score = models.DecimalField(
        _("minimum score"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("On the exam's own scale. Leave empty when there is no minimum."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ("offering", "position", "pk")
        verbose_name = _("required entrance exam")
        verbose_name_plural = _("required entrance exams")
        constraints = [
            models.UniqueConstraint(fields=("offering", "exam"), name="offering_exam_unique")
        ]

    def __str__(self) -> str:
        return f"{self.exam} — {self.offering}"

    def clean(self) -> None:
        if (
            self.minimum_score is not None
            and self.exam_id
            and self.minimum_score > self.exam.max_score
        ):
            raise ValidationError(
                {
                    "minimum_score": _("The minimum cannot exceed the exam's maximum of %(max)s.")
                    % {"max": self.exam.max_score.normalize()}
                }
            )

    def pass_mark_on_scale(self) -> Decimal:
        """The offering's pass mark (0-100, the scale of the ranking score) on this exam's
        own scale: the exam score that converts to it (score / maximum x 100)."""
        return (self.offering.pass_mark * self.exam.max_score / 100).quantize(Decimal("0.01"))

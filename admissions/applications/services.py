"""Application state changes (every move goes through `application_transition`) and the
applicant's online application: draft, steps, submission, withdrawal, draft reminders."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from admissions.enums import ALLOWED_TRANSITIONS, ApplicationStatus
from admissions.errors import DeadlinePassed, DomainError, IllegalTransition
from admissions.models import (
    ApplicantProfile,
    Application,
    ApplicationChoice,
    ExamResult,
    OutgoingMail,
    StatusEvent,
)
from admissions.notifications.outbox import notification_queue
from admissions.selectors import applicant_language, email_is_confirmed
from programs.models import AdmissionCycle, Language, Offering

__all__ = ["application_notify", "application_transition"]

# Which e-mail template announces arriving in a state; the rest use `status_changed`.
STATUS_TEMPLATES = {
    ApplicationStatus.SUBMITTED: "application_submitted",
    ApplicationStatus.DOCUMENTS_REQUESTED: "documents_requested",
}


def application_notify(*, application: Application, template: str, key: str, **extra) -> None:
    """Queue a mail about `application` to its applicant, in their language."""
    user = application.applicant
    profile = getattr(user, "applicant_profile", None)
    language = applicant_language(user)
    with translation.override(language):
        # A message the system wrote (a lazy string) reaches the applicant in their
        # language; what a person typed stays as typed.
        extra = {
            key: str(value) if isinstance(value, Promise) else value
            for key, value in extra.items()
        }
    context = {
        "application_id": application.pk,
        "reference": application.reference or "",
        "status": application.status,
        "name": profile.first_name_for(language) if profile else "",
        **extra,
    }
    notification_queue(
        recipient=user.email,
        template=template,
        context=context,
        language=language,
        key=key,
        user=user,
    )


@transaction.atomic
def application_transition(
    *,
    application: Application,
    to_status: str,
    actor=None,
    note: str | Promise = "",
) -> StatusEvent:
    """Move `application` to `to_status`, audit it and queue the applicant's mail.

    `note` is what staff typed, or a system message as a lazy string: the audit row keeps
    it in the actor's language, the applicant's mail says it in theirs.

    The row is locked, so two concurrent moves cannot both start from the same state.
    Raises `IllegalTransition` for a move the state machine does not allow.
    """
    locked = Application.objects.select_for_update().get(pk=application.pk)
    from_status = locked.status
    if to_status not in ALLOWED_TRANSITIONS.get(from_status, frozenset()):
        raise IllegalTransition(
            _("An application that is “%(from)s” cannot become “%(to)s”.")
            % {
                "from": ApplicationStatus(from_status).label,
                "to": ApplicationStatus(to_status).label,
            }
        )
    locked.status = to_status
    update_fields = ["status", "updated_at"]
    note_text = str(note)
    if to_status == ApplicationStatus.DOCUMENTS_REQUESTED:
        locked.documents_request_message = note_text
        update_fields.append("documents_request_message")
    elif to_status in (
        ApplicationStatus.REJECTED,
        ApplicationStatus.ACCEPTED,
        ApplicationStatus.WAITLISTED,
    ):
        locked.decision_note = note_text
        update_fields.append("decision_note")
    locked.save(update_fields=update_fields)
    event = StatusEvent.objects.create(
        application=locked,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        note=note_text,
    )
    application_notify(
        application=locked,
        template=STATUS_TEMPLATES.get(to_status, "status_changed"),
        key=f"application-{locked.pk}-event-{event.pk}",
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    # Keep the caller's instance in step with the database.
    application.status = locked.status
    application.documents_request_message = locked.documents_request_message
    application.decision_note = locked.decision_note
    return event


# --- The online application: draft, steps, submission, withdrawal ------------------------
#
# The applicant fills in the application step by step; each step saves through one of the
# `application_save_*` functions below, which refuse once the application has left the
# draft state (invariant 3). `application_submit` is the only way out of the draft.

__all__ += [
    "APPLICATION_STEPS",
    "MAX_CHOICES",
    "MOTIVATION_MAX_LENGTH",
    "MOTIVATION_MIN_LENGTH",
    "ChoiceInput",
    "ExamInput",
    "application_deadline",
    "application_draft_for",
    "application_missing",
    "application_reference",
    "application_save_choices",
    "application_save_education",
    "application_save_exams",
    "application_save_motivation",
    "application_step_complete",
    "application_submit",
    "application_withdraw",
    "drafts_remind",
]

# The steps of the application form, in order (number, slug). Step 1 is the applicant's
# profile, step 6 the documents page; `Application.completed_step` is the highest step done.
APPLICATION_STEPS: tuple[tuple[int, str], ...] = (
    (1, "personal"),
    (2, "programs"),
    (3, "education"),
    (4, "exams"),
    (5, "motivation"),
    (6, "documents"),
    (7, "review"),
)
MAX_CHOICES = 3
MAX_EXAMS = 6
MOTIVATION_MIN_LENGTH = 300
MOTIVATION_MAX_LENGTH = 5000
EDUCATION_FIELDS = (
    "education_institution",
    "education_country",
    "education_document_kind",
    "education_document_number",
    "graduation_year",
    "grade_average",
    "grade_scale_max",
)


@dataclass(frozen=True)
class ChoiceInput:
    offering: Offering
    language: Language


@dataclass(frozen=True)
class ExamInput:
    exam: str
    subject: str
    score: Decimal
    max_score: Decimal
    taken_on: _dt.date | None = None


def _lock_draft(application: Application) -> Application:
    """Lock the application row and refuse unless it is still a draft (invariant 3)."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status != ApplicationStatus.DRAFT:
        raise DomainError(_("This application has been submitted and can no longer be changed."))
    return locked


def application_reference(*, cycle: AdmissionCycle, number: int) -> str:
    """The reference of the `number`-th application submitted in `cycle`."""
    return f"KZO-{cycle.code}-{number:06d}"


def _mark_step(locked: Application, step: int) -> None:
    if locked.completed_step < step:
        locked.completed_step = step


@transaction.atomic
def application_draft_for(*, user, cycle: AdmissionCycle) -> Application:
    """The applicant's one application for `cycle`, created as a draft on first use.

    The unique constraint (applicant, cycle) decides a race between two first requests:
    the loser reads the winner's row.
    """
    existing = Application.objects.filter(applicant=user, cycle=cycle).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Application.objects.create(applicant=user, cycle=cycle)
    except IntegrityError:
        return Application.objects.get(applicant=user, cycle=cycle)


@transaction.atomic
def application_step_complete(*, application: Application, step: int) -> Application:
    """Record that the applicant has done `step` (used by steps saved elsewhere)."""
    locked = _lock_draft(application)
    if locked.completed_step < step:
        locked.completed_step = step
        locked.save(update_fields=["completed_step", "updated_at"])
    application.completed_step = locked.completed_step
    return application


def _offering_is_closed(offering: Offering, now: _dt.datetime) -> bool:
    return offering.effective_deadline <= now


@transaction.atomic
def application_save_choices(
    *, application: Application, choices: Sequence[ChoiceInput]
) -> Application:
    """Replace the ranked program choices (first = priority 1).

    Refused: none or more than three, an offering twice, an offering of another cycle or
    already closed, a language the program is not taught in.
    """
    locked = _lock_draft(application)
    if not choices:
        raise DomainError(_("Choose at least one program."))
    if len(choices) > MAX_CHOICES:
        raise DomainError(_("Choose at most %(max)s programs.") % {"max": MAX_CHOICES})
    now = timezone.now()
    seen: set[int] = set()
    for choice in choices:
        offering = choice.offering
        if offering.pk in seen:
            raise DomainError(
                _("“%(program)s” is chosen more than once.") % {"program": offering.program}
            )
        seen.add(offering.pk)
        if offering.cycle_id != locked.cycle_id:
            raise DomainError(
                _("“%(program)s” is not offered in this admission cycle.")
                % {"program": offering.program}
            )
        if _offering_is_closed(offering, now):
            raise DeadlinePassed(
                _("Applications to “%(program)s” are closed.") % {"program": offering.program}
            )
        if not offering.program.languages.filter(pk=choice.language.pk).exists():
            raise DomainError(
                _("“%(program)s” is not taught in %(language)s.")
                % {"program": offering.program, "language": choice.language}
            )
    locked.choices.all().delete()
    ApplicationChoice.objects.bulk_create(
        ApplicationChoice(
            application=locked,
            offering=choice.offering,
            language=choice.language,
            priority=priority,
        )
        for priority, choice in enumerate(choices, start=1)
    )
    _mark_step(locked, 2)
    locked.save(update_fields=["completed_step", "updated_at"])
    application.completed_step = locked.completed_step
    return locked


@transaction.atomic
def application_save_education(*, application: Application, **fields) -> Application:
    """Save the prior-education fields (see EDUCATION_FIELDS)."""
    locked = _lock_draft(application)
    unknown = set(fields) - set(EDUCATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown education fields: {sorted(unknown)}")
    year = fields.get("graduation_year")
    if year is not None and year > timezone.localdate().year:
        raise DomainError(_("The year of graduation cannot be in the future."))
    average, scale = fields.get("grade_average"), fields.get("grade_scale_max")
    if average is not None and scale is not None and average > scale:
        raise DomainError(_("The grade average cannot exceed the maximum of the scale."))
    for name, value in fields.items():
        setattr(locked, name, value)
    _mark_step(locked, 3)
    locked.save(update_fields=[*fields, "completed_step", "updated_at"])
    for name in (*fields, "completed_step"):
        setattr(application, name, getattr(locked, name))
    return locked


@transaction.atomic
def application_save_exams(*, application: Application, exams: Sequence[ExamInput]) -> Application:
    """Replace the exam results. At least one; a score never above its maximum."""
    locked = _lock_draft(application)
    if not exams:
        raise DomainError(_("Enter at least one exam result."))
    if len(exams) > MAX_EXAMS:
        raise DomainError(_("Enter at most %(max)s exam results.") % {"max": MAX_EXAMS})
    for exam in exams:
        if exam.max_score <= 0 or exam.score < 0:
            raise DomainError(_("Scores must be positive numbers."))
        if exam.score > exam.max_score:
            raise DomainError(
                _("The score %(score)s is above the maximum %(max)s.")
                % {"score": exam.score, "max": exam.max_score}
            )
    locked.exam_results.all().delete()
    ExamResult.objects.bulk_create(
        ExamResult(
            application=locked,
            exam=exam.exam,
            subject=exam.subject.strip(),
            score=exam.score,
            max_score=exam.max_score,
            taken_on=exam.taken_on,
        )
        for exam in exams
    )
    _mark_step(locked, 4)
    locked.save(update_fields=["completed_step", "updated_at"])
    application.completed_step = locked.completed_step
    return locked


@transaction.atomic
def application_save_motivation(
    *, application: Application, scholarship_requested: bool, motivation: str
) -> Application:
    """Save the scholarship request and the motivation statement (kept as plain text)."""
    locked = _lock_draft(application)
    motivation = motivation.strip()
    if len(motivation) < MOTIVATION_MIN_LENGTH:
        raise DomainError(
            _("The motivation statement needs at least %(min)s characters.")
            % {"min": MOTIVATION_MIN_LENGTH}
        )
    if len(motivation) > MOTIVATION_MAX_LENGTH:
        raise DomainError(
            _("The motivation statement can have at most %(max)s characters.")
            % {"max": MOTIVATION_MAX_LENGTH}
        )
    locked.scholarship_requested = scholarship_requested
    locked.motivation = motivation
    _mark_step(locked, 5)
    locked.save(
        update_fields=["scholarship_requested", "motivation", "completed_step", "updated_at"]
    )
    application.scholarship_requested = scholarship_requested
    application.motivation = motivation
    application.completed_step = locked.completed_step
    return locked


def application_deadline(*, application: Application) -> _dt.datetime:
    """The last moment `application` can be submitted.

    Rule: the earliest effective deadline among its chosen offerings (an offering's own
    deadline replaces the cycle's closing date for that program, even when later); without
    choices, the cycle's closing date.
    """
    choices = application.choices.select_related("offering__cycle", "offering__program")
    return _earliest_deadline([choice.offering for choice in choices], application.cycle)


def _earliest_deadline(offerings: Sequence[Offering], cycle: AdmissionCycle) -> _dt.datetime:
    deadlines = [offering.effective_deadline for offering in offerings]
    return min(deadlines) if deadlines else cycle.closes_at


def application_missing(*, application: Application) -> list[str]:
    """What still keeps `application` from being submitted, as user-facing messages.

    Time (cycle dates, deadlines) and e-mail confirmation are checked by the submit itself.
    Uses the prefetched choices, exam results and documents when the caller loaded them.
    """
    from admissions.documents.services import document_requirements

    missing: list[str] = []
    if not ApplicantProfile.objects.filter(user_id=application.applicant_id).exists():
        missing.append(_("Fill in your personal data."))
    if not application.choices.all():
        missing.append(_("Choose at least one program."))
    education = [getattr(application, name) for name in EDUCATION_FIELDS]
    if any(value in (None, "") for value in education):
        missing.append(_("Complete your prior education."))
    if not application.exam_results.all():
        missing.append(_("Enter at least one exam result."))
    if len(application.motivation or "") < MOTIVATION_MIN_LENGTH:
        missing.append(_("Write your motivation statement."))
    missing.extend(
        _("Upload the required document: %(kind)s.") % {"kind": requirement.label}
        for requirement in document_requirements(application=application)
        if requirement.status == "missing"
    )
    return missing


@transaction.atomic
def application_submit(*, application: Application, actor, consent: bool = False) -> Application:
    """Submit a draft: reference number, audit event and confirmation mail, exactly once.

    Refused (DomainError, nothing changed, the draft kept): e-mail not confirmed, outside the
    cycle's dates or after the deadline (`application_deadline`: DeadlinePassed), anything
    missing (`application_missing`), no consent to the current consent text.
    `consent=True` records the consent with the current text version.

    The application row is locked first, so a repeated or concurrent submit waits and then
    finds it submitted: it is returned unchanged (no error, no second mail). The reference
    comes from the cycle's counter, incremented under a lock on the cycle row in this same
    transaction, so a refused submit leaves no gap.
    """
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status != ApplicationStatus.DRAFT:
        if locked.submitted_at is not None:
            return locked
        raise DomainError(_("This application can no longer be submitted."))
    user = locked.applicant
    if not email_is_confirmed(user):
        raise DomainError(
            _("Confirm your e-mail address before submitting: follow the link we sent you.")
        )
    cycle = locked.cycle
    now = timezone.now()
    if now < cycle.opens_at:
        raise DomainError(_("Applications for this cycle are not open yet."))
    deadline = application_deadline(application=locked)
    if now >= deadline:
        local = timezone.localtime(deadline)
        raise DeadlinePassed(
            _(
                "The deadline (%(deadline)s) has passed: the application can no longer be "
                "submitted. Your draft is kept."
            )
            % {"deadline": date_format(local, "DATETIME_FORMAT")}
        )
    missing = application_missing(application=locked)
    if missing:
        raise DomainError(" ".join(str(message) for message in missing))
    version = settings.PERSONAL_DATA_CONSENT_VERSION
    if consent:
        locked.consent_version = version
        locked.consent_given_at = now
    elif locked.consent_version != version or locked.consent_given_at is None:
        raise DomainError(_("Give your consent to the processing of your personal data."))
    counter_cycle = AdmissionCycle.objects.select_for_update().get(pk=cycle.pk)
    counter_cycle.reference_counter += 1
    counter_cycle.save(update_fields=["reference_counter"])
    locked.reference = application_reference(cycle=cycle, number=counter_cycle.reference_counter)
    locked.submitted_at = now
    _mark_step(locked, len(APPLICATION_STEPS))
    locked.save(
        update_fields=[
            "reference",
            "submitted_at",
            "consent_version",
            "consent_given_at",
            "completed_step",
            "updated_at",
        ]
    )
    application_transition(application=locked, to_status=ApplicationStatus.SUBMITTED, actor=actor)
    for name in ("reference", "submitted_at", "status", "consent_version", "consent_given_at"):
        setattr(application, name, getattr(locked, name))
    application.completed_step = locked.completed_step
    return locked


@transaction.atomic
def application_withdraw(*, application: Application, actor, reason: str = "") -> StatusEvent:
    """Withdraw the application (any state before a final one), audited and announced."""
    return application_transition(
        application=application,
        to_status=ApplicationStatus.WITHDRAWN,
        actor=actor,
        note=reason.strip(),
    )


# Reminders of unfinished drafts, this many days before the deadline (each once).
DRAFT_REMINDER_DAYS = (1, 3, 7)


def drafts_remind(*, now: _dt.datetime | None = None) -> int:
    """Queue "draft_reminder" mail for drafts whose deadline is 7, 3 or 1 days away.

    Days left are counted up (2.5 days -> 3). The reminder sent is the one for the
    smallest threshold >= days left, at most one per application and run; the outbox key
    `draft-reminder-<id>-<threshold>` makes each reminder go out once, so a job that missed
    a day still sends the nearest reminder, and running the job twice sends nothing new.
    Returns the number of reminders queued.
    """
    now = now or timezone.now()
    horizon = now + _dt.timedelta(days=max(DRAFT_REMINDER_DAYS))
    drafts = (
        Application.objects.filter(
            status=ApplicationStatus.DRAFT,
            cycle__opens_at__lte=now,
            cycle__closes_at__gt=now,
        )
        .select_related("cycle", "applicant__applicant_profile")
        .prefetch_related("choices__offering__cycle")
    )
    planned: list[tuple[Application, int, _dt.datetime, int]] = []
    for draft in drafts.iterator(chunk_size=500):
        deadline = _earliest_deadline(
            [choice.offering for choice in draft.choices.all()], draft.cycle
        )
        if deadline <= now or deadline > horizon:
            continue
        remaining = deadline - now
        days_left = remaining.days + (1 if remaining % _dt.timedelta(days=1) else 0)
        threshold = min(days for days in DRAFT_REMINDER_DAYS if days >= days_left)
        planned.append((draft, threshold, deadline, days_left))
    keys = {f"draft-reminder-{draft.pk}-{threshold}" for draft, threshold, *_rest in planned}
    already = set(
        OutgoingMail.objects.filter(idempotency_key__in=keys).values_list(
            "idempotency_key", flat=True
        )
    )
    queued = 0
    for draft, threshold, deadline, days_left in planned:
        key = f"draft-reminder-{draft.pk}-{threshold}"
        if key in already:
            continue
        with translation.override(applicant_language(draft.applicant)):
            path = reverse("admissions:application_continue")
        with transaction.atomic():
            application_notify(
                application=draft,
                template="draft_reminder",
                key=key,
                days_left=days_left,
                threshold=threshold,
                deadline=timezone.localtime(deadline).isoformat(),
                url=f"{settings.SITE_URL}{path}",
            )
        queued += 1
    return queued

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

from admissions.applications import lifecycle
from admissions.applications import steps as form_steps
from admissions.applications.eligibility import eligibility_problems
from admissions.applications.next_steps import next_steps_mail_context
from admissions.applications.steps import steps_through
from admissions.enums import ApplicationStatus
from admissions.errors import DeadlinePassed, DomainError, GuardRefused, IllegalTransition
from admissions.models import (
    MAX_CHOICES,
    Application,
    ApplicationChoice,
    ExamResult,
    OutgoingMail,
    StatusEvent,
)
from admissions.notifications.outbox import notification_queue
from admissions.selectors import (
    applicant_language,
    consent_version_current,
    email_is_confirmed,
)
from programs.models import AdmissionCycle, Language, Offering

__all__ = ["application_next_statuses", "application_notify", "application_transition"]

# Mails that tell the applicant a new status, so they also say what to do next and by when.
MAILS_WITH_NEXT_STEPS = frozenset(
    {"status_changed", "offer_accepted", "application_submitted", "documents_requested"}
)


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
    if template in MAILS_WITH_NEXT_STEPS:
        context["next_steps"] = next_steps_mail_context(application=application, language=language)
    notification_queue(
        recipient=user.email,
        template=template,
        context=context,
        language=language,
        key=key,
        user=user,
    )


def application_next_statuses(application: Application) -> frozenset[str]:
    """The statuses `application` may move to now: the lifecycle's moves, and while a
    decision is held (`released_status` set) `lifecycle.held_decision_moves` too, so that
    a decision no applicant has seen can be corrected."""
    allowed = lifecycle.allowed_next(application.status)
    if application.released_status:
        allowed = allowed | lifecycle.held_decision_moves(application.status)
    return allowed


@transaction.atomic
def application_transition(
    *,
    application: Application,
    to_status: str,
    actor=None,
    note: str | Promise = "",
    override_reason: str = "",
    notify: bool = True,
    mail_context: dict | None = None,
) -> StatusEvent:
    """Move `application` to `to_status`, audit it and queue the applicant's mail.

    `note` is what staff typed, or a system message as a lazy string: the audit row keeps
    it in the actor's language, the applicant's mail says it in theirs.

    What is allowed, which note is required, which mail an arrival sends and which guards
    it checks are declared in `admissions.applications.lifecycle`. The row is locked, so
    two concurrent moves cannot both start from the same state.

    Raises `IllegalTransition` for a move the lifecycle does not allow, `DomainError` when
    the move needs a note and `note` is empty, and `GuardRefused` (its `problems` list the
    reasons, in the active language) when a guard of the target status fails and no
    `override_reason` is given. An officer's `override_reason` (staff with the permission
    `admissions.override_application`) lets the move pass the guards; the reason and the
    guards it overrode are kept in the audit row's `override_reason`. `notify=False` leaves
    the mail to the caller, which sends one mail about several moves (accepting an offer).
    `mail_context` (JSON-serialisable) adds to what the mail's template receives, e.g. the
    requested document kinds.

    A decision released at the results time (`lifecycle.Group.RELEASED_AT_RESULTS`) made
    before the cycle releases its results is held: recorded and audited at once (staff see
    it), but the applicant keeps seeing the status they saw (`released_status`), the audit
    row is `withheld` and no mail is queued; the release job (`decisions_release`) shows it
    and mails it at the results time. A held decision may still be changed
    (`lifecycle.held_decision_moves`); the applicant never sees it.
    """
    from admissions.applications.guards import guard_problems

    locked = Application.objects.select_for_update().get(pk=application.pk)
    from_status = locked.status
    shown = locked.released_status or from_status  # what the applicant sees now
    if to_status not in application_next_statuses(locked):
        raise IllegalTransition(
            _("An application that is “%(from)s” cannot become “%(to)s”.")
            % {
                "from": ApplicationStatus(from_status).label,
                "to": ApplicationStatus(to_status).label,
            }
        )
    target = lifecycle.spec(to_status)
    system_note = note if isinstance(note, Promise) else None
    note = str(note or "").strip()
    if target.note_required is not None and not note:
        raise DomainError(str(target.note_required))
    override_reason = (override_reason or "").strip()
    overridden: list[str] = []
    guards = lifecycle.guards_on_move(from_status, to_status)
    if guards:
        problems = guard_problems(application=locked, guards=guards)
        if problems and not override_reason:
            raise GuardRefused(problems)
        if problems:
            if actor is None or not actor.has_perm("admissions.override_application"):
                raise DomainError(
                    _("Only an admissions officer can override the checks of a decision.")
                )
            overridden = [str(problem) for problem in problems]
    held = lifecycle.released_at_results(to_status) and not locked.cycle.decisions_released()
    locked.status = to_status
    locked.released_status = shown if held else ""
    update_fields = ["status", "released_status", "updated_at"]
    if target.note_field:
        setattr(locked, target.note_field, note)
        update_fields.append(target.note_field)
    locked.save(update_fields=update_fields)
    # An undone held decision returns the applicant to what they see already: no news.
    announced = not held and to_status != shown
    event = StatusEvent.objects.create(
        application=locked,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        note=note,
        override_reason=(
            "\n".join([override_reason, *(f"- {problem}" for problem in overridden)])
            if overridden
            else ""
        ),
        withheld=not announced,
    )
    if notify and announced and target.mail:
        application_notify(
            application=locked,
            template=target.mail,
            key=f"application-{locked.pk}-event-{event.pk}",
            from_status=shown,
            to_status=to_status,
            note=system_note or note,
            **(mail_context or {}),
        )
    # Keep the caller's instance in step with the database.
    for name in ("status", "released_status", "documents_request_message", "decision_note"):
        setattr(application, name, getattr(locked, name))
    return event


# --- The online application: draft, steps, submission, withdrawal ------------------------
#
# The applicant fills in the application step by step; each step saves through one of the
# `application_save_*` functions below, which refuse once the application has left the
# draft state (invariant 3). `application_submit` is the only way out of the draft.

__all__ += [
    "MAX_CHOICES",
    "MOTIVATION_MAX_LENGTH",
    "MOTIVATION_MIN_LENGTH",
    "ChoiceInput",
    "ExamInput",
    "application_deadline",
    "application_deadline_passed",
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
    "graduation_last_expected_year",
    "graduation_year_problem",
]

MAX_EXAMS = 6
MOTIVATION_MIN_LENGTH = 300
MOTIVATION_MAX_LENGTH = 5000
EDUCATION_FIELDS = (
    "education_institution",
    "education_country",
    "education_document_kind",
    "education_document_number",
    "graduation_year",
    "graduation_expected",
    "grade_average",
    "grade_scale_max",
)
# Education fields that may stay blank while the graduation is expected (no certificate yet).
EDUCATION_FIELDS_LATER = ("education_document_number",)
# The earliest year of graduation accepted (older entries are typing mistakes).
GRADUATION_YEAR_MIN = 1950


def graduation_last_expected_year(cycle: AdmissionCycle) -> int:
    """The latest year of graduation `cycle` admits: the year its applications close (studies
    start after it; a pupil graduating later applies in a later cycle)."""
    return timezone.localtime(cycle.closes_at).year


def graduation_year_problem(
    *, year: int | None, expected: bool, cycle: AdmissionCycle, today: _dt.date | None = None
) -> str | None:
    """Why `year` cannot be the year of graduation (a user-facing message), or None.

    Graduated (`expected` False): from `GRADUATION_YEAR_MIN` to the current year. Expected
    (the applicant has not graduated yet): the current year up to the cycle's year
    (`graduation_last_expected_year`); later years are refused, as are past years marked
    as expected.
    """
    if year is None:
        return None
    this_year = (today or timezone.localdate()).year
    last = max(graduation_last_expected_year(cycle), this_year)
    if year < GRADUATION_YEAR_MIN:
        return _("Please check the year of graduation: it cannot be before %(year)s.") % {
            "year": GRADUATION_YEAR_MIN
        }
    if year > last:
        return _(
            "This admission cycle admits applicants who graduate by %(last)s at the latest. "
            "If you graduate in %(year)s, please apply in a later admission cycle."
        ) % {"last": last, "year": year}
    if expected and year < this_year:
        return _(
            "%(year)s has passed: if you have graduated, untick “I have not graduated yet”."
        ) % {"year": year}
    if not expected and year > this_year:
        return _(
            "The year of graduation is in the future. If you have not graduated yet, tick "
            "“I have not graduated yet”."
        )
    return None


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
    if locked.status not in lifecycle.statuses_in(lifecycle.Group.EDITABLE):
        raise DomainError(_("This application has been submitted and can no longer be changed."))
    return locked


def application_reference(*, cycle: AdmissionCycle, number: int) -> str:
    """The reference of the `number`-th application submitted in `cycle`."""
    return f"KZO-{cycle.code}-{number:06d}"


def _mark_step(locked: Application, slug: str) -> None:
    """Record step `slug` as done (progress is kept by slug, see `steps`)."""
    if slug not in locked.completed_steps:
        locked.completed_steps = [*locked.completed_steps, slug]


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
def application_step_complete(*, application: Application, step: str) -> Application:
    """Record that the applicant has done step `step` (a slug of `steps.STEPS`; used by the
    steps saved elsewhere: the profile, the documents page)."""
    locked = _lock_draft(application)
    if step not in locked.completed_steps:
        _mark_step(locked, step)
        locked.save(update_fields=["completed_steps", "updated_at"])
    application.completed_steps = locked.completed_steps
    return application


def _offering_is_closed(offering: Offering, now: _dt.datetime) -> bool:
    return offering.effective_deadline <= now


@transaction.atomic
def application_save_choices(
    *, application: Application, choices: Sequence[ChoiceInput]
) -> Application:
    """Replace the ranked program choices (first = priority 1).

    Refused: none or more than three, an offering twice, an offering of another cycle or
    already closed, a language the program is not taught in, a program the applicant's
    education does not qualify for (`eligibility`; once the education step is filled in).
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
    problems = eligibility_problems(
        education_document_kind=locked.education_document_kind,
        programs=[choice.offering.program for choice in choices],
    )
    if problems:
        raise DomainError(" ".join(str(problem) for problem in problems))
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
    _mark_step(locked, "programs")
    locked.save(update_fields=["completed_steps", "updated_at"])
    application.completed_steps = locked.completed_steps
    return locked


@transaction.atomic
def application_save_education(*, application: Application, **fields) -> Application:
    """Save the prior-education fields (see EDUCATION_FIELDS)."""
    locked = _lock_draft(application)
    unknown = set(fields) - set(EDUCATION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown education fields: {sorted(unknown)}")
    problem = graduation_year_problem(
        year=fields.get("graduation_year"),
        expected=bool(fields.get("graduation_expected", locked.graduation_expected)),
        cycle=locked.cycle,
    )
    if problem:
        raise DomainError(problem)
    average, scale = fields.get("grade_average"), fields.get("grade_scale_max")
    if average is not None and scale is not None and average > scale:
        raise DomainError(_("The grade average cannot exceed the maximum of the scale."))
    for name, value in fields.items():
        setattr(locked, name, value)
    _mark_step(locked, "education")
    locked.save(update_fields=[*fields, "completed_steps", "updated_at"])
    for name in (*fields, "completed_steps"):
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
    _mark_step(locked, "exams")
    locked.save(update_fields=["completed_steps", "updated_at"])
    application.completed_steps = locked.completed_steps
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
    _mark_step(locked, "motivation")
    locked.save(
        update_fields=["scholarship_requested", "motivation", "completed_steps", "updated_at"]
    )
    application.scholarship_requested = scholarship_requested
    application.motivation = motivation
    application.completed_steps = locked.completed_steps
    return locked


def application_deadline(*, application: Application) -> _dt.datetime:
    """The last moment `application` can be submitted.

    Rule: the earliest effective deadline among its chosen offerings (an offering's own
    deadline replaces the cycle's closing date for that program, even when later); without
    choices, the cycle's closing date.
    """
    prefetched = getattr(application, "_prefetched_objects_cache", {}).get("choices")
    if prefetched is None:
        choices = application.choices.select_related("offering__cycle", "offering__program")
    else:  # loaded with the application (the dashboard's and the review's selectors)
        choices = prefetched
    return _earliest_deadline([choice.offering for choice in choices], application.cycle)


def application_deadline_passed(*, application: Application, now=None) -> bool:
    """Whether `application` can no longer be submitted (the rule of `application_deadline`;
    the dashboard and the submission both ask this)."""
    return (now or timezone.now()) >= application_deadline(application=application)


def _earliest_deadline(offerings: Sequence[Offering], cycle: AdmissionCycle) -> _dt.datetime:
    deadlines = [offering.effective_deadline for offering in offerings]
    return min(deadlines) if deadlines else cycle.closes_at


def application_missing(*, application: Application) -> list[str]:
    """What still keeps `application` from being submitted, as user-facing messages: what
    each step of `steps.STEPS` misses, in the order of the steps (the programs step also
    names the chosen programs the applicant's education does not qualify for).

    Time (cycle dates, deadlines) and e-mail confirmation are checked by the submit itself.
    Uses the prefetched choices, exam results and documents when the caller loaded them.
    """
    return [message for declared in form_steps.STEPS for message in declared.missing(application)]


@transaction.atomic
def application_submit(
    *, application: Application, actor, consent: bool = False, consent_ip: str | None = None
) -> Application:
    """Submit a draft: reference number, audit event and confirmation mail, exactly once.

    Refused (DomainError, nothing changed, the draft kept): e-mail not confirmed, outside the
    cycle's dates or after the deadline (`application_deadline`: DeadlinePassed), anything
    missing (`application_missing`), no consent to the current consent text.
    `consent=True` records the consent with the current text version
    (`selectors.consent_version_current`), its time and `consent_ip`, the client address it
    was given from (152-FZ art. 9 part 1 and 94-V art. 8: the operator proves the consent).

    The application row is locked first, so a repeated or concurrent submit waits and then
    finds it submitted: it is returned unchanged (no error, no second mail). The reference
    comes from the cycle's counter, incremented under a lock on the cycle row in this same
    transaction, so a refused submit leaves no gap.
    """
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status not in lifecycle.statuses_in(lifecycle.Group.EDITABLE):
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
    if application_deadline_passed(application=locked, now=now):
        local = timezone.localtime(application_deadline(application=locked))
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
    version = consent_version_current(now=now)
    if consent:
        locked.consent_version = version
        locked.consent_given_at = now
        locked.consent_ip = consent_ip
    elif locked.consent_version != version or locked.consent_given_at is None:
        raise DomainError(_("Give your consent to the processing of your personal data."))
    counter_cycle = AdmissionCycle.objects.select_for_update().get(pk=cycle.pk)
    counter_cycle.reference_counter += 1
    counter_cycle.save(update_fields=["reference_counter"])
    locked.reference = application_reference(cycle=cycle, number=counter_cycle.reference_counter)
    locked.submitted_at = now
    for slug in steps_through(form_steps.STEPS[-1].slug):
        _mark_step(locked, slug)
    locked.save(
        update_fields=[
            "reference",
            "submitted_at",
            "consent_version",
            "consent_given_at",
            "consent_ip",
            "completed_steps",
            "updated_at",
        ]
    )
    application_transition(application=locked, to_status=ApplicationStatus.SUBMITTED, actor=actor)
    for name in (
        "reference",
        "submitted_at",
        "status",
        "consent_version",
        "consent_given_at",
        "consent_ip",
    ):
        setattr(application, name, getattr(locked, name))
    application.completed_steps = locked.completed_steps
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

"""Scholarship awards: the one offer service, answers, revocation, expiry and reminders.

Limits (cycle total, fund seats, offering scholarship seats) are guarded in `award_offer`
only: it locks the cycle, fund and offering rows (always in that order, so two offers never
wait on each other crosswise; `admissions.locking.lock_rows`) and the application row, then
counts live awards under the locks and writes. The partial unique constraint
`award_one_live_per_application` refuses a second live award for one application at the
database level as well.

Every change of an award locks its row first, so concurrent accept / decline / revoke /
expire of one offer end in exactly one outcome.

Accepting an offer also confirms the place (consent to enrol): a waitlisted application is
first admitted (waitlisted -> accepted), then the accepted application becomes enrolled;
both moves go through `application_transition` (audited), and the applicant receives one
mail that says all of it (`offer_accepted`).

When a seat is freed (decline, revoke, expiry) it is offered at once to the next applicant
in rank order (`admissions.scholarships.allocation.awards_promote`), and the mail about an
expired offer says whether that happened.

Who may be offered a fund (`fund_accepts_applicant`) and whether an offer can still be
answered (`offer_is_open`) are decided here once; the admin and the applicant's pages ask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from admissions.applications import lifecycle
from admissions.applications.services import application_notify, application_transition
from admissions.enums import LIVE_AWARD_STATES, ApplicationStatus, AwardState
from admissions.errors import DomainError, NoSeatLeft
from admissions.locking import lock_rows
from admissions.models import Application, ApplicationChoice, OutgoingMail, ScholarshipAward
from admissions.scholarships.deferred_acceptance import citizenship_accepted
from admissions.selectors import applicant_language
from programs.models import AdmissionCycle, Offering, ScholarshipFund

__all__ = [
    "OfferCapacity",
    "award_accept",
    "award_decline",
    "award_offer",
    "award_offer_refusal",
    "award_revoke",
    "awards_expire",
    "awards_remind",
    "fund_accepts_applicant",
    "offer_capacity",
    "offer_is_open",
]

LIVE = sorted(LIVE_AWARD_STATES)
REMINDER_DAYS = (2, 1)


def fund_accepts_applicant(fund: ScholarshipFund, citizenship: str) -> bool:
    """Whether `fund` may be offered to an applicant of `citizenship` (ISO code, "" when
    the profile has none). The rule is `deferred_acceptance.citizenship_accepted`: the
    allocation, the offer service and the admin's offer buttons all ask it."""
    return citizenship_accepted(
        frozenset(c.code for c in fund.eligible_citizenships), citizenship or ""
    )


def offer_is_open(award: ScholarshipAward, now: datetime | None = None) -> bool:
    """Whether the applicant can still answer the offer (until its deadline, inclusive)."""
    now = now or timezone.now()
    return award.state == AwardState.OFFERED and award.respond_by >= now


# --- Offers --------------------------------------------------------------------------------
def _award_mail_context(award: ScholarshipAward) -> dict:
    applicant = award.application.applicant
    language = applicant_language(applicant)
    profile = getattr(applicant, "applicant_profile", None)
    with translation.override(language):
        # Names of data (modeltranslation fields) follow the recipient's language too.
        fund = str(award.fund.name)
        program = str(award.offering.program.title)
        path = reverse("admissions:award_detail", kwargs={"pk": award.pk})
        respond_by_local = date_format(
            timezone.localtime(award.respond_by), "DATETIME_FORMAT", use_l10n=True
        )
    return {
        "award_id": award.pk,
        "name": profile.first_name_for(language) if profile else "",
        "fund": fund,
        "program": program,
        "respond_by": award.respond_by.isoformat(),
        "respond_by_local": respond_by_local,
        "offer_url": settings.SITE_URL.rstrip("/") + path,
    }


def _notify(award: ScholarshipAward, template: str, key: str, **extra) -> None:
    application_notify(
        application=award.application,
        template=template,
        key=key,
        **_award_mail_context(award),
        **extra,
    )


@transaction.atomic
def award_offer(
    *,
    application: Application,
    fund: ScholarshipFund,
    offering: Offering,
    actor=None,
) -> ScholarshipAward:
    """Offer `application` a scholarship of `fund` at `offering`. The only way to make one.

    Raises NoSeatLeft when the cycle, the fund or the offering has no seat left, and
    DomainError when the applicant cannot get this award.
    """
    cycle_id = application.cycle_id
    if fund.cycle_id != cycle_id or offering.cycle_id != cycle_id:
        raise DomainError(_("The fund, the program and the application must be of one cycle."))
    # Always cycle, fund, offering, application: one order, no crosswise waits.
    cycle = lock_rows(AdmissionCycle.objects.all(), [cycle_id])[cycle_id]
    fund = lock_rows(ScholarshipFund.objects.all(), [fund.pk])[fund.pk]
    offering = lock_rows(Offering.objects.select_related("program"), [offering.pk])[offering.pk]
    application = lock_rows(Application.objects.select_related("applicant"), [application.pk])[
        application.pk
    ]

    if application.status not in lifecycle.statuses_in(lifecycle.Group.OFFERABLE):
        raise DomainError(
            _("Only accepted or waitlisted applications can be offered a scholarship.")
        )
    if application.released_status:
        # The offer mail would tell the applicant a decision they must not see yet.
        raise DomainError(
            _("The decision on this application is not released yet: offer after the results.")
        )
    if not application.scholarship_requested:
        raise DomainError(_("The applicant did not ask for a scholarship."))
    if not ApplicationChoice.objects.filter(application=application, offering=offering).exists():
        raise DomainError(_("The applicant did not choose this program."))
    profile = getattr(application.applicant, "applicant_profile", None)
    citizenship = profile.citizenship.code if profile and profile.citizenship else ""
    if not fund_accepts_applicant(fund, citizenship):
        raise DomainError(
            _("The applicant is not eligible for the fund “%(fund)s”.") % {"fund": fund.name}
        )
    if ScholarshipAward.objects.filter(application=application, state__in=LIVE).exists():
        raise DomainError(_("The applicant already holds a scholarship offer or award."))

    live = _live_counts(cycle_id=cycle_id, fund_id=fund.pk, offering_id=offering.pk)
    if live["total"] >= cycle.scholarship_total:
        raise NoSeatLeft(_("All scholarships of this cycle have been awarded."))
    if live["in_fund"] >= fund.seats:
        raise NoSeatLeft(_("No scholarship of the fund “%(fund)s” is left.") % {"fund": fund.name})
    if live["at_offering"] >= offering.scholarship_seats:
        raise NoSeatLeft(
            _("No scholarship seat of the program “%(program)s” is left.")
            % {"program": offering.program.title}
        )

    now = timezone.now()
    award = ScholarshipAward.objects.create(
        application=application,
        fund=fund,
        offering=offering,
        state=AwardState.OFFERED,
        offered_at=now,
        respond_by=now + timedelta(days=cycle.offer_response_days),
        offered_by=actor,
    )
    _notify(award, "scholarship_offered", key=f"award-{award.pk}-offered")
    return award


def _live_counts(*, cycle_id: int, fund_id: int, offering_id: int) -> dict[str, int]:
    """Live awards of the cycle, of the fund and at the offering (one query). Called under
    the locks of `award_offer`: what it counts cannot change before the write."""
    return ScholarshipAward.objects.filter(fund__cycle_id=cycle_id, state__in=LIVE).aggregate(
        total=Count("pk"),
        in_fund=Count("pk", filter=Q(fund_id=fund_id)),
        at_offering=Count("pk", filter=Q(offering_id=offering_id)),
    )


@dataclass(frozen=True)
class OfferCapacity:
    """Scholarships still free in a cycle, its funds and one offering (live awards
    subtracted), read once for a whole ranked list."""

    total_left: int
    offering_left: int
    fund_left: dict[int, int]


def offer_capacity(*, offering: Offering) -> OfferCapacity:
    """The `OfferCapacity` of `offering` and its cycle, in two queries."""
    cycle = offering.cycle
    live = ScholarshipAward.objects.filter(fund__cycle_id=cycle.pk, state__in=LIVE).aggregate(
        total=Count("pk"), at_offering=Count("pk", filter=Q(offering_id=offering.pk))
    )
    funds = ScholarshipFund.objects.filter(cycle_id=cycle.pk).annotate(
        live=Count("awards", filter=Q(awards__state__in=LIVE))
    )
    return OfferCapacity(
        total_left=max(cycle.scholarship_total - live["total"], 0),
        offering_left=max(offering.scholarship_seats - live["at_offering"], 0),
        fund_left={fund.pk: max(fund.seats - fund.live, 0) for fund in funds},
    )


def award_offer_refusal(
    *, entry, funds: list[ScholarshipFund], capacity: OfferCapacity
) -> tuple[str | None, list[ScholarshipFund]]:
    """Why `award_offer` would refuse a manual offer to ranked `entry` (a `RankedEntry`
    of the offering of `capacity`), and the funds it could be offered from.

    The same rules as `award_offer`, read from figures loaded once for a whole list, so a
    list shows an Offer button only where the offer can be made; `award_offer` still
    decides under its locks. Returns (reason or None, eligible funds with a seat left).
    """
    if entry.award is not None:
        return _("The applicant already holds a scholarship offer or award."), []
    if not entry.scholarship_requested:
        return _("Not requested"), []
    if entry.status not in lifecycle.statuses_in(lifecycle.Group.OFFERABLE):
        return _("Only accepted or waitlisted applications can be offered a scholarship."), []
    if entry.decision_held:
        return _("The decision is not released yet: offer after the results."), []
    if capacity.total_left <= 0:
        return _("All scholarships of this cycle have been awarded."), []
    if capacity.offering_left <= 0:
        return _("No scholarship seat of this program is left."), []
    eligible = [
        fund
        for fund in funds
        if fund_accepts_applicant(fund, entry.citizenship)
        and capacity.fund_left.get(fund.pk, 0) > 0
    ]
    if not eligible:
        return _("No eligible fund with a seat left."), []
    return None, eligible


def _awards_for_update():
    """Awards locked (their own rows only) with what their mail and checks read."""
    return ScholarshipAward.objects.select_for_update(of=("self",)).select_related(
        "application__applicant", "application__cycle", "fund", "offering__program"
    )


def _lock_award(award: ScholarshipAward) -> ScholarshipAward:
    return _awards_for_update().get(pk=award.pk)


def _refuse_unless_open(award: ScholarshipAward, now) -> None:
    if offer_is_open(award, now):
        return
    if award.state in (AwardState.EXPIRED, AwardState.OFFERED):
        raise DomainError(
            _("This offer expired on %(date)s; it can no longer be answered.")
            % {"date": date_format(timezone.localtime(award.respond_by), "DATETIME_FORMAT")}
        )
    if award.state == AwardState.REVOKED:
        raise DomainError(_("This offer was withdrawn by the scholarship committee."))
    if award.state in (AwardState.ACCEPTED, AwardState.DECLINED):
        raise DomainError(
            _("You already answered this offer (%(state)s).")
            % {"state": AwardState(award.state).label}
        )


def _lock_for_answer(award: ScholarshipAward, actor) -> tuple[ScholarshipAward, datetime]:
    """Lock the award and refuse unless `actor` is its applicant and the offer is still
    open; the time of the answer is taken once the lock is held."""
    locked = _lock_award(award)
    if actor is None or locked.application.applicant_id != actor.pk:
        raise DomainError(_("Only the applicant can answer this offer."))
    now = timezone.now()
    _refuse_unless_open(locked, now)
    return locked, now


def _sync(target: ScholarshipAward, source: ScholarshipAward) -> None:
    for name in ("state", "responded_at", "reason"):
        setattr(target, name, getattr(source, name))


@transaction.atomic
def award_accept(*, award: ScholarshipAward, actor) -> ScholarshipAward:
    """The applicant accepts the offer, which also confirms their place (enrolment).

    A waitlisted application is admitted first (waitlisted -> accepted), then enrolled
    (accepted -> enrolled); both moves are audited as the applicant's own action, and the
    applicant gets one mail (`offer_accepted`) saying that the scholarship is theirs and
    that they are enrolled.
    """
    locked, now = _lock_for_answer(award, actor)
    application = locked.application
    if application.status not in lifecycle.statuses_in(lifecycle.Group.ANSWERS_OFFERS):
        raise DomainError(_("Your application is no longer active; the offer cannot be accepted."))
    locked.state = AwardState.ACCEPTED
    locked.responded_at = now
    locked.save(update_fields=["state", "responded_at"])
    if ApplicationStatus.ACCEPTED in lifecycle.allowed_next(application.status):
        application_transition(
            application=application,
            to_status=ApplicationStatus.ACCEPTED,
            actor=actor,
            note=_("Accepted the scholarship offer, which admits from the waiting list."),
            notify=False,
        )
    if ApplicationStatus.ENROLLED in lifecycle.allowed_next(application.status):
        application_transition(
            application=application,
            to_status=ApplicationStatus.ENROLLED,
            actor=actor,
            note=_("Accepted the scholarship offer and confirmed enrolment."),
            notify=False,
        )
    _notify(
        locked,
        "offer_accepted",
        key=f"award-{locked.pk}-accepted",
        enrolled=application.status == ApplicationStatus.ENROLLED,
    )
    _sync(award, locked)
    return locked


@transaction.atomic
def award_decline(*, award: ScholarshipAward, actor) -> ScholarshipAward:
    """The applicant declines the offer; the seat goes to the next applicant."""
    locked, now = _lock_for_answer(award, actor)
    locked.state = AwardState.DECLINED
    locked.responded_at = now
    locked.save(update_fields=["state", "responded_at"])
    _promote(cycle=locked.application.cycle)
    _sync(award, locked)
    return locked


@transaction.atomic
def award_revoke(*, award: ScholarshipAward, actor, reason: str) -> ScholarshipAward:
    """The committee withdraws a live award (a reason is required); the seat is re-offered."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give a reason for revoking the scholarship."))
    locked = _lock_award(award)
    if locked.state not in LIVE_AWARD_STATES:
        raise DomainError(
            _("Only an offered or accepted scholarship can be revoked (this one is %(state)s).")
            % {"state": AwardState(locked.state).label}
        )
    locked.state = AwardState.REVOKED
    locked.reason = reason
    locked.responded_at = locked.responded_at or timezone.now()
    locked.save(update_fields=["state", "reason", "responded_at"])
    _promote(cycle=locked.application.cycle, actor=actor)
    _sync(award, locked)
    return locked


def _promote(*, cycle: AdmissionCycle, actor=None) -> list[ScholarshipAward]:
    from admissions.scholarships.allocation import awards_promote

    return awards_promote(cycle=cycle, actor=actor)


def awards_expire(*, now=None) -> int:
    """Expire offers not answered by their date; offer each freed seat to the next applicant.

    Each award is expired in its own transaction under its row lock, so concurrent runs (or
    a concurrent answer) cannot both act on it. The applicant's mail says what happened to
    the seat: offered to the next applicant (`promoted`), or still open (nobody else can be
    offered it now, or the cycle has not closed and no early allocation was recorded).
    """
    now = now or timezone.now()
    ids = list(
        ScholarshipAward.objects.filter(state=AwardState.OFFERED, respond_by__lt=now)
        .order_by("respond_by", "pk")
        .values_list("pk", flat=True)
    )
    expired = 0
    for pk in ids:
        with transaction.atomic():
            award = (
                _awards_for_update()
                .filter(pk=pk, state=AwardState.OFFERED, respond_by__lt=now)
                .first()
            )
            if award is None:
                continue
            award.state = AwardState.EXPIRED
            award.save(update_fields=["state"])
            made = _promote(cycle=award.application.cycle)
            _notify(award, "offer_expired", key=f"award-{award.pk}-expired", promoted=bool(made))
            expired += 1
    return expired


def awards_remind(*, now=None) -> int:
    """Remind open offers 2 days and 1 day before they expire (each reminder once)."""
    now = now or timezone.now()
    awards = ScholarshipAward.objects.filter(
        state=AwardState.OFFERED,
        respond_by__gt=now,
        respond_by__lte=now + timedelta(days=max(REMINDER_DAYS)),
    ).select_related("application__applicant", "fund", "offering__program")
    sent = 0
    for award in awards:
        left = award.respond_by - now
        days = min(d for d in REMINDER_DAYS if left <= timedelta(days=d))
        key = f"award-{award.pk}-expiring-{days}d"
        if OutgoingMail.objects.filter(idempotency_key=key).exists():
            continue
        with transaction.atomic():
            _notify(award, "offer_expiring", key=key, days_left=days)
        sent += 1
    return sent

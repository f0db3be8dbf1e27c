"""Scholarship awards: the one offer service, answers, revocation, expiry, allocation.

Limits (cycle total, fund seats, offering scholarship seats) are guarded in `award_offer`
only: it locks the cycle, fund and offering rows (always in that order, so two offers never
wait on each other crosswise) and the application row, then counts live awards under the
locks and writes. The partial unique constraint `award_one_live_per_application` refuses a
second live award for one application at the database level as well.

Every change of an award locks its row first, so concurrent accept / decline / revoke /
expire of one offer end in exactly one outcome.

Accepting an offer also confirms the place (consent to enrol): a waitlisted application is
first admitted (waitlisted -> accepted), then the accepted application becomes enrolled;
both moves go through `application_transition` (audited, with mail).

When a seat is freed (decline, revoke, expiry) it is offered at once to the next applicant
in rank order (`awards_promote`): the allocation is recomputed over what is left and the
first offer of that plan is made. Applications that already had an offer in the cycle
(declined, expired, revoked) are not offered again automatically.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from admissions.applications.services import application_notify, application_transition
from admissions.enums import LIVE_AWARD_STATES, ApplicationStatus, AwardState
from admissions.errors import DomainError, NoSeatLeft
from admissions.models import Application, ApplicationChoice, OutgoingMail, ScholarshipAward
from admissions.scholarships.deferred_acceptance import (
    AllocationApplicant,
    AllocationFund,
    AllocationOutcome,
    Reason,
    allocate,
)
from admissions.scholarships.ranking import ranking_compute_cycle
from admissions.selectors import applicant_language
from programs.models import AdmissionCycle, Offering, ScholarshipFund

__all__ = [
    "OFFERABLE_STATUSES",
    "REASON_LABELS",
    "AllocationPlan",
    "AllocationReport",
    "allocation_plan",
    "allocation_run",
    "award_accept",
    "award_decline",
    "award_offer",
    "award_revoke",
    "awards_expire",
    "awards_promote",
    "awards_remind",
    "locking_disabled",
]

OFFERABLE_STATUSES = (ApplicationStatus.ACCEPTED, ApplicationStatus.WAITLISTED)
LIVE = sorted(LIVE_AWARD_STATES)
REMINDER_DAYS = (2, 1)

REASON_LABELS = {
    Reason.OFFERED: gettext_lazy("Offered a scholarship"),
    Reason.NOT_REQUESTED: gettext_lazy("Did not ask for a scholarship"),
    Reason.ALREADY_HOLDS: gettext_lazy("Already holds a scholarship offer or award"),
    Reason.HAD_OFFER: gettext_lazy(
        "Already had an offer in this cycle (declined, expired or revoked)"
    ),
    Reason.BELOW_PASS_MARK: gettext_lazy("Below the pass mark"),
    Reason.NOT_ELIGIBLE: gettext_lazy("Not eligible for any fund (citizenship)"),
    Reason.FUNDS_FULL: gettext_lazy(
        "The funds they are eligible for were taken by higher-ranked applicants"
    ),
    Reason.TOTAL_REACHED: gettext_lazy("All scholarships of the cycle are taken"),
    Reason.SEATS_TAKEN: gettext_lazy("Scholarship seats taken by higher-ranked applicants"),
}

# --- Test-only hook ------------------------------------------------------------------------
# The concurrency tests switch the row locks off to show that they catch the race the locks
# prevent. The hook only works when settings.TESTING is true; anywhere else it is inert.
_hook = {"locks_off": False, "delay": 0.0}


@contextmanager
def locking_disabled(*, delay: float = 0.0):
    """TEST ONLY: take no row locks in `award_offer` and sleep `delay` seconds between
    counting and writing. Inert (locks stay on, no sleep) unless settings.TESTING."""
    if not getattr(settings, "TESTING", False):
        yield False
        return
    previous = dict(_hook)
    _hook.update(locks_off=True, delay=delay)
    try:
        yield True
    finally:
        _hook.update(previous)


def _locks_on() -> bool:
    return not (_hook["locks_off"] and getattr(settings, "TESTING", False))


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
    locking = _locks_on()
    cycles = AdmissionCycle.objects.all()
    funds = ScholarshipFund.objects.all()
    offerings = Offering.objects.select_related("program")
    applications = Application.objects.select_related("applicant")
    if locking:
        # Always cycle, fund, offering, application: one order, no crosswise waits.
        cycles = cycles.select_for_update()
        funds = funds.select_for_update()
        offerings = offerings.select_for_update(of=("self",))
        applications = applications.select_for_update(of=("self",))
    cycle = cycles.get(pk=cycle_id)
    fund = funds.get(pk=fund.pk)
    offering = offerings.get(pk=offering.pk)
    application = applications.get(pk=application.pk)

    if application.status not in OFFERABLE_STATUSES:
        raise DomainError(
            _("Only accepted or waitlisted applications can be offered a scholarship.")
        )
    if not application.scholarship_requested:
        raise DomainError(_("The applicant did not ask for a scholarship."))
    if not ApplicationChoice.objects.filter(application=application, offering=offering).exists():
        raise DomainError(_("The applicant did not choose this program."))
    profile = getattr(application.applicant, "applicant_profile", None)
    citizenship = profile.citizenship.code if profile and profile.citizenship else ""
    if not citizenship or not fund.accepts_citizenship(citizenship):
        raise DomainError(
            _("The applicant is not eligible for the fund “%(fund)s”.") % {"fund": fund.name}
        )
    if ScholarshipAward.objects.filter(application=application, state__in=LIVE).exists():
        raise DomainError(_("The applicant already holds a scholarship offer or award."))

    live = ScholarshipAward.objects.filter(fund__cycle_id=cycle_id, state__in=LIVE).aggregate(
        total=Count("pk"),
        in_fund=Count("pk", filter=Q(fund_id=fund.pk)),
        at_offering=Count("pk", filter=Q(offering_id=offering.pk)),
    )
    if live["total"] >= cycle.scholarship_total:
        raise NoSeatLeft(_("All scholarships of this cycle have been awarded."))
    if live["in_fund"] >= fund.seats:
        raise NoSeatLeft(_("No scholarship of the fund “%(fund)s” is left.") % {"fund": fund.name})
    if live["at_offering"] >= offering.scholarship_seats:
        raise NoSeatLeft(
            _("No scholarship seat of the program “%(program)s” is left.")
            % {"program": offering.program.title}
        )
    if not locking and _hook["delay"]:
        time.sleep(_hook["delay"])  # test only: widen the count-then-write window

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


def _awards_for_update():
    """Awards locked (their own rows only) with what their mail and checks read."""
    return ScholarshipAward.objects.select_for_update(of=("self",)).select_related(
        "application__applicant", "application__cycle", "fund", "offering__program"
    )


def _lock_award(award: ScholarshipAward) -> ScholarshipAward:
    return _awards_for_update().get(pk=award.pk)


def _refuse_unless_open(award: ScholarshipAward, now) -> None:
    if award.state == AwardState.EXPIRED or (
        award.state == AwardState.OFFERED and award.respond_by < now
    ):
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
    """The applicant accepts the offer, which also confirms their place (enrolment)."""
    locked, now = _lock_for_answer(award, actor)
    application = locked.application
    if application.status not in (*OFFERABLE_STATUSES, ApplicationStatus.ENROLLED):
        raise DomainError(_("Your application is no longer active; the offer cannot be accepted."))
    locked.state = AwardState.ACCEPTED
    locked.responded_at = now
    locked.save(update_fields=["state", "responded_at"])
    if application.status == ApplicationStatus.WAITLISTED:
        application_transition(
            application=application,
            to_status=ApplicationStatus.ACCEPTED,
            actor=actor,
            note=gettext_lazy("Admitted with a scholarship offer."),
        )
    if application.status == ApplicationStatus.ACCEPTED:
        application_transition(
            application=application,
            to_status=ApplicationStatus.ENROLLED,
            actor=actor,
            note=gettext_lazy("Scholarship accepted; the applicant consented to enrol."),
        )
    _notify(locked, "offer_accepted", key=f"award-{locked.pk}-accepted")
    _sync(award, locked)
    return locked


@transaction.atomic
def award_decline(*, award: ScholarshipAward, actor) -> ScholarshipAward:
    """The applicant declines the offer; the seat goes to the next applicant."""
    locked, now = _lock_for_answer(award, actor)
    locked.state = AwardState.DECLINED
    locked.responded_at = now
    locked.save(update_fields=["state", "responded_at"])
    awards_promote(cycle=locked.application.cycle)
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
    awards_promote(cycle=locked.application.cycle, actor=actor)
    _sync(award, locked)
    return locked


def awards_expire(*, now=None) -> int:
    """Expire offers not answered by their date; offer each freed seat to the next applicant.

    Each award is expired in its own transaction under its row lock, so concurrent runs (or
    a concurrent answer) cannot both act on it.
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
            _notify(award, "offer_expired", key=f"award-{award.pk}-expired")
            awards_promote(cycle=award.application.cycle)
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


# --- Allocation ----------------------------------------------------------------------------
@dataclass
class AllocationPlan:
    """What the allocation would do now, with an explanation per application."""

    cycle: AdmissionCycle
    offers: list  # list[AllocationOffer], rank order
    outcomes: dict[int, AllocationOutcome]
    order: list[int]
    references: dict[int, str]
    scores: dict[int, object]
    offerings: dict[int, Offering]
    funds: dict[int, ScholarshipFund]
    total_left: int

    def rows(self):
        """Rows for the preview, in rank order."""
        for rank, application_id in enumerate(self.order, start=1):
            outcome = self.outcomes[application_id]
            offering = self.offerings.get(outcome.offering_id)
            fund = self.funds.get(outcome.fund_id)
            yield {
                "rank": rank,
                "application_id": application_id,
                "reference": self.references.get(application_id, ""),
                "score": self.scores.get(application_id),
                "reason": outcome.reason,
                "offered": outcome.reason == Reason.OFFERED,
                "explanation": REASON_LABELS[outcome.reason],
                "offering": offering,
                "fund": fund,
                "priority": outcome.priority,
                "skipped": [
                    (self.offerings.get(o), REASON_LABELS[reason]) for o, reason in outcome.skipped
                ],
            }


@dataclass
class AllocationReport:
    plan: AllocationPlan
    awards: list[ScholarshipAward] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def message(self) -> str:
        if not self.plan.offers:
            return _(
                "There is nothing to allocate: no scholarship can be offered now. Nothing changed."
            )
        if self.dry_run:
            return _("Dry run: %(count)s scholarships would be offered.") % {
                "count": len(self.plan.offers)
            }
        return _("%(count)s scholarships offered.") % {"count": len(self.awards)}


def allocation_plan(*, cycle: AdmissionCycle) -> AllocationPlan:
    """Compute the allocation over what is left (a constant number of queries)."""
    ranking = ranking_compute_cycle(cycle=cycle)
    funds = list(ScholarshipFund.objects.filter(cycle=cycle).order_by("position", "pk"))
    live = ScholarshipAward.objects.filter(fund__cycle=cycle, state__in=LIVE)
    by_fund = dict(
        live.values("fund_id").annotate(n=Count("pk")).values_list("fund_id", "n").order_by()
    )
    by_offering = dict(
        live.values("offering_id")
        .annotate(n=Count("pk"))
        .values_list("offering_id", "n")
        .order_by()
    )
    total_live = sum(by_fund.values())
    applicants = []
    order = []
    for application_id in ranking.order:
        entry = ranking.entries_by_application[application_id]
        if entry.status not in OFFERABLE_STATUSES and entry.award is None:
            continue
        score = entry.score
        choices = tuple(o for _p, o in ranking.choices[application_id])
        passed = frozenset(
            o
            for o in choices
            if o in ranking.offerings and score >= ranking.offerings[o].pass_mark
        )
        applicants.append(
            AllocationApplicant(
                id=application_id,
                choices=choices,
                passed=passed,
                citizenship=entry.citizenship,
                requested=entry.scholarship_requested,
                holds_award=entry.award is not None,
                had_offer=application_id in ranking.had_award and entry.award is None,
            )
        )
        order.append(application_id)
    total_left = cycle.scholarship_total - total_live
    result = allocate(
        applicants=applicants,
        offering_seats_left={
            o.pk: o.scholarship_seats - by_offering.get(o.pk, 0)
            for o in ranking.offerings.values()
        },
        funds=[
            AllocationFund(
                id=f.pk,
                seats_left=f.seats - by_fund.get(f.pk, 0),
                citizenships=frozenset(c.code for c in f.eligible_citizenships),
            )
            for f in funds
        ],
        total_left=total_left,
    )
    return AllocationPlan(
        cycle=cycle,
        offers=result.offers,
        outcomes=result.outcomes,
        order=order,
        references={a: ranking.entries_by_application[a].reference for a in order},
        scores={a: ranking.entries_by_application[a].score for a in order},
        offerings=ranking.offerings,
        funds={f.pk: f for f in funds},
        total_left=total_left,
    )


def allocation_run(
    *, cycle: AdmissionCycle, actor=None, dry_run: bool = False
) -> AllocationReport:
    """Allocate the scholarships of `cycle` (rule: admissions.scholarships.deferred_acceptance).

    The run holds the cycle row lock, so two runs never interleave; every offer goes through
    `award_offer`. Running it again offers only what has been freed since: nothing changes
    when nothing was freed.
    """
    if dry_run:
        return AllocationReport(plan=allocation_plan(cycle=cycle), dry_run=True)
    with transaction.atomic():
        cycle = AdmissionCycle.objects.select_for_update().get(pk=cycle.pk)
        plan = allocation_plan(cycle=cycle)
        report = AllocationReport(plan=plan)
        applications = Application.objects.in_bulk([o.applicant_id for o in plan.offers])
        for offer in plan.offers:
            application = applications[offer.applicant_id]
            try:
                with transaction.atomic():
                    award = award_offer(
                        application=application,
                        fund=plan.funds[offer.fund_id],
                        offering=plan.offerings[offer.offering_id],
                        actor=actor,
                    )
            except DomainError as exc:
                report.failures.append((application.reference or "", str(exc)))
            else:
                report.awards.append(award)
    return report


def awards_promote(*, cycle: AdmissionCycle, limit: int = 1, actor=None) -> list:
    """Offer up to `limit` freed seats to the next applicants in rank order."""
    plan = allocation_plan(cycle=cycle)
    made = []
    if not plan.offers:
        return made
    applications = Application.objects.in_bulk([o.applicant_id for o in plan.offers[: limit * 3]])
    for offer in plan.offers:
        if len(made) >= limit:
            break
        application = applications.get(offer.applicant_id) or Application.objects.get(
            pk=offer.applicant_id
        )
        try:
            with transaction.atomic():
                made.append(
                    award_offer(
                        application=application,
                        fund=plan.funds[offer.fund_id],
                        offering=plan.offerings[offer.offering_id],
                        actor=actor,
                    )
                )
        except DomainError:
            continue
    return made

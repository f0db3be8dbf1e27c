"""Scholarship allocation: the plan (who would be offered what, and why not), the run
(the committee's confirmation, through `award_offer`) and the promotion of the next
applicant when a seat is freed.

The rule is `admissions.scholarships.deferred_acceptance` (plain data); the ranking and its
score come from `ranking.py` and `scoring.py`; every offer is made by
`awards.award_offer`, which guards the limits under row locks.

Timing (DESIGN.md invariant 10): scholarships are allocated after the cycle closes for
applications, so that late, stronger applicants can still reach them. Before then, a run
needs the committee's written early-allocation reason, which is kept (`AllocationRun`);
freed seats are then promoted as well. Every run that makes offers is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from admissions.applications.lifecycle import Group, statuses_in
from admissions.enums import LIVE_AWARD_STATES
from admissions.errors import DomainError
from admissions.models import AllocationRun, Application, ScholarshipAward
from admissions.scholarships.awards import award_offer
from admissions.scholarships.deferred_acceptance import (
    AllocationApplicant,
    AllocationFund,
    AllocationOutcome,
    Reason,
    allocate,
)
from admissions.scholarships.ranking import CycleRanking, ranking_compute_cycle
from programs.models import AdmissionCycle, Offering, ScholarshipFund

__all__ = [
    "REASON_LABELS",
    "AllocationPlan",
    "AllocationReport",
    "allocation_allowed",
    "allocation_is_early",
    "allocation_plan",
    "allocation_run",
    "awards_promote",
]

LIVE = sorted(LIVE_AWARD_STATES)

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


def allocation_is_early(*, cycle: AdmissionCycle, now=None) -> bool:
    """Whether an allocation now is early: the cycle is still open for applications, so a
    run needs the committee's written reason."""
    return (now or timezone.now()) < cycle.closes_at


def allocation_allowed(*, cycle: AdmissionCycle, now=None) -> bool:
    """Whether offers may be made by allocation now without a new reason: the cycle has
    closed for applications, or the committee recorded an early allocation for it."""
    if not allocation_is_early(cycle=cycle, now=now):
        return True
    return AllocationRun.objects.filter(cycle=cycle).exclude(early_reason="").exists()


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


def allocation_plan(
    *, cycle: AdmissionCycle, ranking: CycleRanking | None = None
) -> AllocationPlan:
    """Compute the allocation over what is left (a constant number of queries).

    `ranking`: the cycle's ranking when the caller has just computed it
    (`ranking_compute_cycle`), so it is not computed twice; by default it is computed here."""
    if ranking is None:
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
    offerable = statuses_in(Group.OFFERABLE)
    for application_id in ranking.order:
        entry = ranking.entries_by_application[application_id]
        if entry.status not in offerable and entry.award is None:
            continue
        if entry.decision_held and entry.award is None:
            continue  # an offer would tell the applicant a decision not released yet
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
    *, cycle: AdmissionCycle, actor=None, dry_run: bool = False, early_reason: str = ""
) -> AllocationReport:
    """Allocate the scholarships of `cycle` (rule: admissions.scholarships.deferred_acceptance).

    Before the cycle closes for applications the run is refused (`DomainError`, nothing
    changed) unless `early_reason` gives the committee's reason for allocating early; the
    reason is kept with the run (`AllocationRun`). A dry run explains and changes nothing.

    The run holds the cycle row lock, so two runs never interleave; every offer goes through
    `award_offer`. Running it again offers only what has been freed since: nothing changes
    when nothing was freed.
    """
    early_reason = (early_reason or "").strip()
    if dry_run:
        return AllocationReport(plan=allocation_plan(cycle=cycle), dry_run=True)
    with transaction.atomic():
        cycle = AdmissionCycle.objects.select_for_update().get(pk=cycle.pk)
        early = allocation_is_early(cycle=cycle)
        if early and not early_reason:
            raise DomainError(
                _(
                    "Applications to this cycle are open until %(closes)s: stronger applicants "
                    "may still apply. Allocate after that, or give the reason for allocating "
                    "early."
                )
                % {"closes": timezone.localtime(cycle.closes_at).strftime("%Y-%m-%d %H:%M")}
            )
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
        if report.awards or early:
            AllocationRun.objects.create(
                cycle=cycle,
                actor=actor,
                early_reason=early_reason if early else "",
                offers=len(report.awards),
            )
    return report


def awards_promote(*, cycle: AdmissionCycle, limit: int = 1, actor=None) -> list:
    """Offer up to `limit` freed seats to the next applicants in rank order; returns the
    awards made (empty: the seat stays open). Nothing is offered before the cycle closes,
    unless the committee recorded an early allocation (`allocation_allowed`)."""
    if not allocation_allowed(cycle=cycle):
        return []
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

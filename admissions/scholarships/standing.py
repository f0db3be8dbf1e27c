"""Where an applicant stands, per chosen program: the one home of that rule.

For each choice of an application (priority order) the applicant is told their place in
the current ranking (`ranking.ranking_compute_cycle`) and in the last published list
(`RankingSnapshot`), the pass mark, the places and scholarship seats of the program, and
in plain words why the scholarship allocation (`allocation.allocation_plan`, the rule in
`deferred_acceptance`) comes out as it does for them. Nothing here decides anything: the
reasons are the allocation's own outcomes (`Reason`), put into words per choice.

What may be shown (the release rules, `applications.release`):
* only the status the applicant sees counts (`released_status` while a decision is held):
  an application whose visible status is not in the lifecycle group "ranked" gets no
  place, and the same words whether or not a decision is held for it;
* a current ranking that still names a held decision is not shown (the publication rule,
  `ranking.ranking_publish_refusal`): its places would tell of decisions not released.

Cost: ranking and allocating a cycle reads every ranked application (a constant number of
queries, about a second at 20,000 applicants). It is computed once per data version and
kept in the shared cache, in a fixed number of small entries, so a dashboard reads its
own with no database query. The version (one counter per cycle, and one for changes
whose cycle is not known without a query) is incremented by the receivers connected in
`admissions.apps` whenever something the ranking or the allocation reads is saved or
deleted; entries also expire after `CACHE_SECONDS`, which bounds how long a change made
without signals (queryset `update()`, `bulk_create`, a profile's citizenship edited by
staff) can go unseen.
"""

from __future__ import annotations

import bisect
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from django.core.cache import cache
from django.db.models import OuterRef, Subquery
from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from admissions.applications.lifecycle import Group, statuses_in
from admissions.enums import AwardState
from admissions.models import (
    Application,
    ApplicationChoice,
    ExamResult,
    RankingSnapshot,
    Review,
    ScholarshipAward,
)
from admissions.scholarships.allocation import allocation_plan
from admissions.scholarships.deferred_acceptance import Reason
from admissions.scholarships.ranking import ranking_compute_cycle, ranking_publish_refusal
from programs.models import AdmissionCycle, Offering, ScholarshipFund

__all__ = [
    "CACHE_SECONDS",
    "ApplicationStanding",
    "ChoiceStanding",
    "Outcome",
    "application_standing",
    "choice_label",
    "ordinal",
    "standing_cycle_facts",
    "standing_invalidate",
    "standing_receivers",
]

logger = logging.getLogger(__name__)

# How long a computed standing may be served at most (seconds), whatever the signals say.
CACHE_SECONDS = 600
# The cached facts of a cycle are split into this many entries (by application id).
BUCKETS = 64
# How long a computation may hold the right to compute a version (seconds).
LOCK_SECONDS = 60
GLOBAL_VERSION_KEY = "standing:version"

# Application fields the ranking and the allocation read: a save that names none of them
# (a draft's progress, say) changes no standing.
APPLICATION_FIELDS_READ = frozenset(
    {"status", "released_status", "scholarship_requested", "submitted_at", "reference", "cycle"}
)


class Outcome(StrEnum):
    """What a choice's standing says, one code per wording (`_reason`)."""

    NOT_RANKED_YET = "not_ranked_yet"  # no positive decision visible to the applicant
    HIDDEN = "hidden"  # the current ranking names decisions not released yet
    HOLDS_OFFER = "holds_offer"
    HOLDS_AWARD = "holds_award"
    PLACED = "placed"  # within the scholarship seats at the next allocation
    RELEASED = "released"  # placed in a higher choice
    BELOW_PASS_MARK = "below_pass_mark"  # noqa: S105 (a code)
    SEATS_TAKEN = "seats_taken"
    NOT_ELIGIBLE = "not_eligible"
    FUNDS_FULL = "funds_full"
    TOTAL_REACHED = "total_reached"
    NOT_REQUESTED = "not_requested"
    HAD_OFFER = "had_offer"
    RANKED = "ranked"  # ranked, no scholarship question (enrolled without one, say)


# --- Words -----------------------------------------------------------------------------------
def _kazakh_ordinal_suffix(number: int) -> str:
    """ "ші" or "шы": the ordinal suffix follows the vowels of the last number word read
    aloud (бір-інші, алты-ншы, он-ыншы, елу-інші, жүз-інші, мың-ыншы)."""
    if number % 10:
        return "шы" if number % 10 in (6, 9) else "ші"
    if number % 100:
        return "ші" if (number % 100) // 10 in (5, 7, 8) else "шы"
    if number % 1000:
        return "ші"  # жүз
    return "шы"  # мың, миллион, миллиард


# Russian ordinals written with digits take the ending of the word they agree with
# ("2-й приоритет", "2-е место", "по 2-му приоритету", "на 2-м месте"); Kazakh and
# English ordinals do not change.
RUSSIAN_ENDINGS = {"masculine": "й", "neuter": "е", "dative": "му", "prepositional": "м"}


def ordinal(number: int, *, form: str = "masculine") -> str:
    """`number` as an ordinal in the active language, written with digits: "212th",
    "212-ші", "212-й". `form` (a key of `RUSSIAN_ENDINGS`) is the Russian ending the
    sentence needs; other languages ignore it. KeyError for an unknown form."""
    ending = RUSSIAN_ENDINGS[form]
    language = (get_language() or "").split("-")[0]
    if language == "kk":
        return f"{number}-{_kazakh_ordinal_suffix(number)}"
    if language == "ru":
        return f"{number}-{ending}"
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _number(value: Decimal) -> str:
    """A score or a gap, localised: "3.5", "3,5", "50" (no trailing zeros)."""
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else -value.normalize().as_tuple().exponent
    return formats.number_format(value, decimal_pos=places, use_l10n=True)


def _points(value: Decimal) -> str:
    """ "3.5 points", "3,5 балла", "3,5 ұпай": a fractional number takes the form of 2
    (English plural, Russian genitive singular), a whole one its own."""
    value = Decimal(value)
    count = int(value) if value == value.to_integral_value() else 2
    return ngettext("%(points)s point", "%(points)s points", count) % {"points": _number(value)}


def _date(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def choice_label(offering: Offering, language) -> str:
    """How a chosen program is named to the applicant: title, level and language of
    instruction ("Customs (Bachelor's), taught in Kazakh")."""
    if language is None:
        return str(offering.program)
    return _("%(program)s, taught in %(language)s") % {
        "program": offering.program,
        "language": language.name,
    }


# --- The cycle's facts (computed once per data version) ------------------------------------
def _latest_snapshots(cycle: AdmissionCycle) -> list[RankingSnapshot]:
    latest = (
        RankingSnapshot.objects.filter(offering_id=OuterRef("pk"))
        .order_by("-published_at", "-pk")
        .values("pk")[:1]
    )
    return list(
        RankingSnapshot.objects.filter(
            pk__in=Offering.objects.filter(cycle=cycle)
            .annotate(latest=Subquery(latest))
            .values("latest")
        ).only("pk", "offering_id", "published_at", "rows")
    )


def standing_cycle_facts(*, cycle: AdmissionCycle) -> dict[int, dict]:
    """{application id: its facts} for every application the ranking of `cycle` considers.

    Facts are plain data (no translations, cacheable): `score` (Decimal), `held` (its own
    decision is held), `award` ((state, offering id) of its live award or None), `outcome`
    ((reason, offering id, priority, {offering id: reason}) from the allocation plan, or
    None when the plan leaves it out), and `choices` {offering id: {"priority", "rank"
    (None below the pass mark), "ranked" (how many are ranked), "held" (the list names a
    held decision), "gap" (points below the pass mark), "open_ahead" / "open_by" (offers
    still open to applicants ranked above, and when the last of them expires),
    "published" ((rank or None, published at, snapshot id) of the latest publication)}}.

    A constant number of queries whatever the number of applications."""
    ranking = ranking_compute_cycle(cycle=cycle)
    plan = allocation_plan(cycle=cycle, ranking=ranking)
    open_offers: dict[int, list[tuple[int, datetime]]] = {}
    for application_id, offering_id, respond_by in ScholarshipAward.objects.filter(
        fund__cycle=cycle, state=AwardState.OFFERED
    ).values_list("application_id", "offering_id", "respond_by"):
        open_offers.setdefault(offering_id, []).append((application_id, respond_by))
    published = {
        snapshot.offering_id: (
            {row.get("reference"): row.get("rank") for row in snapshot.rows},
            snapshot.published_at,
            snapshot.pk,
        )
        for snapshot in _latest_snapshots(cycle)
    }

    per_offering: dict[int, dict] = {}
    for offering_id, entries in ranking.ranked.items():
        ranks = {entry.application_id: entry.rank for entry in entries}
        # Offers still open at this offering, by the rank of their holder (0: not ranked
        # here, counted as ahead), with the latest expiry up to each of them.
        offers = sorted(
            (ranks.get(holder) or 0, respond_by)
            for holder, respond_by in open_offers.get(offering_id, [])
        )
        latest_by: list[datetime] = []
        for _rank, respond_by in offers:
            latest_by.append(max(latest_by[-1], respond_by) if latest_by else respond_by)
        per_offering[offering_id] = {
            "ranks": ranks,
            "ranked": len(entries),
            "held": ranking_publish_refusal(entries) is not None,
            "offer_ranks": [rank for rank, _by in offers],
            "latest_by": latest_by,
            "published": published.get(offering_id),
        }

    facts: dict[int, dict] = {}
    for application_id, choices in ranking.choices.items():
        entry = ranking.entries_by_application[application_id]
        outcome = plan.outcomes.get(application_id)
        result = {
            "score": entry.score,
            "held": entry.decision_held,
            "award": entry.award[:2] if entry.award else None,
            "outcome": (
                str(outcome.reason),
                outcome.offering_id,
                outcome.priority,
                {offering_id: str(reason) for offering_id, reason in outcome.skipped},
            )
            if outcome is not None
            else None,
            "choices": {},
        }
        for priority, offering_id in choices:
            known = per_offering.get(offering_id)
            if known is None:
                continue
            rank = known["ranks"].get(application_id)
            offering = ranking.offerings[offering_id]
            open_ahead, open_by = 0, None
            if rank is not None:
                # Holders ranked above (a smaller rank; never the applicant themselves).
                open_ahead = bisect.bisect_left(known["offer_ranks"], rank)
                open_by = known["latest_by"][open_ahead - 1] if open_ahead else None
            published_rank = None
            if known["published"] is not None:
                rows, published_at, snapshot_id = known["published"]
                published_rank = (rows.get(entry.reference), published_at, snapshot_id)
            result["choices"][offering_id] = {
                "priority": priority,
                "rank": rank,
                "ranked": known["ranked"],
                "held": known["held"],
                "gap": None if rank is not None else offering.pass_mark - entry.score,
                "open_ahead": open_ahead,
                "open_by": open_by,
                "published": published_rank,
            }
        facts[application_id] = result
    return facts


# --- The cache -------------------------------------------------------------------------------
def _cycle_version_key(cycle_id: int) -> str:
    return f"standing:version:{cycle_id}"


def _versions(cycle_id: int) -> tuple[int, int]:
    keys = [GLOBAL_VERSION_KEY, _cycle_version_key(cycle_id)]
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    for key in missing:
        # Milliseconds since the epoch: after an eviction of the key, a new count never
        # meets entries stored under an earlier number.
        cache.add(key, int(time.time() * 1000), timeout=None)
    if missing:
        found.update(cache.get_many(missing))
    return found.get(keys[0], 0), found.get(keys[1], 0)


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # no version yet: the next read starts one
        pass
    except Exception:  # the cache is unreachable: saving the data must not fail for it
        logger.warning("Standing: the version %s could not be incremented", key, exc_info=True)


def _bucket_key(cycle_id: int, versions: tuple[int, int], application_id: int) -> str:
    return f"standing:{cycle_id}:{versions[0]}:{versions[1]}:{application_id % BUCKETS}"


def _store(cycle_id: int, versions: tuple[int, int], facts: dict[int, dict]) -> None:
    buckets: dict[str, dict[int, dict]] = {
        _bucket_key(cycle_id, versions, number): {} for number in range(BUCKETS)
    }
    for application_id, value in facts.items():
        buckets[_bucket_key(cycle_id, versions, application_id)][application_id] = value
    cache.set_many(buckets, CACHE_SECONDS)
    cache.set(f"standing:{cycle_id}:latest", versions, CACHE_SECONDS)


def _application_facts(application: Application) -> dict | None:
    """The facts of `application` (`standing_cycle_facts`), from the cache when the data
    did not change since they were computed; else the cycle is computed and stored.

    The facts are kept in `BUCKETS` entries per cycle (by application id), so a read
    fetches a small entry and a bounded cache keeps them all. While one process computes
    a new version, the others serve the last complete one (at most one computation's
    time old) rather than compute it too."""
    cycle_id = application.cycle_id
    try:
        versions = _versions(cycle_id)
        bucket = cache.get(_bucket_key(cycle_id, versions, application.pk))
    except Exception:  # the cache is unreachable: compute without it
        logger.warning("Standing: the cache could not be read", exc_info=True)
        return standing_cycle_facts(cycle=application.cycle).get(application.pk)
    if bucket is not None:
        return bucket.get(application.pk)
    lock = f"standing:{cycle_id}:{versions[0]}:{versions[1]}:computing"
    computing = cache.add(lock, 1, timeout=LOCK_SECONDS)
    if not computing:
        latest = cache.get(f"standing:{cycle_id}:latest")
        stale = cache.get(_bucket_key(cycle_id, latest, application.pk)) if latest else None
        if stale is not None:
            return stale.get(application.pk)
    facts = standing_cycle_facts(cycle=application.cycle)
    try:
        _store(cycle_id, versions, facts)
        if computing:
            cache.delete(lock)
    except Exception:  # the page is still right; the next request computes again
        logger.warning("Standing: the cache could not be written", exc_info=True)
    return facts.get(application.pk)


def _related_cycle_id(instance, name: str) -> int | None:
    """The cycle of `instance`'s `name` relation when it is loaded already (no query)."""
    relation = instance._meta.get_field(name)
    if relation.is_cached(instance):
        related = getattr(instance, name)
        return getattr(related, "cycle_id", None)
    return None


def standing_invalidate(sender, instance=None, update_fields=None, **_kwargs) -> None:
    """Make computed standings stale after a change of what they read (a signal receiver of
    post_save and post_delete; see `standing_receivers`)."""
    if sender is AdmissionCycle:
        if update_fields is not None and set(update_fields) <= {"reference_counter"}:
            return  # a submission numbered: nothing ranked changed
        _bump(_cycle_version_key(instance.pk))
        return
    if sender is Application:
        if update_fields is not None and not set(update_fields) & APPLICATION_FIELDS_READ:
            return
        _bump(_cycle_version_key(instance.cycle_id))
        return
    if sender in (Offering, ScholarshipFund):
        _bump(_cycle_version_key(instance.cycle_id))
        return
    if sender in (ApplicationChoice, ExamResult, Review) and instance._meta.get_field(
        "application"
    ).is_cached(instance):
        application = instance.application
        ranked = statuses_in(Group.RANKED)
        if application.status not in ranked and application.released_status not in ranked:
            return  # an input of an application nobody ranks yet
        _bump(_cycle_version_key(application.cycle_id))
        return
    cycle_id = None
    if sender is ScholarshipAward:
        cycle_id = _related_cycle_id(instance, "fund") or _related_cycle_id(instance, "offering")
    _bump(_cycle_version_key(cycle_id) if cycle_id else GLOBAL_VERSION_KEY)


def standing_receivers() -> list[type]:
    """The models whose changes make standings stale (connected in `admissions.apps`)."""
    return [
        AdmissionCycle,
        Offering,
        ScholarshipFund,
        Application,
        ApplicationChoice,
        ExamResult,
        Review,
        ScholarshipAward,
        RankingSnapshot,
    ]


# --- The applicant's standing ----------------------------------------------------------------
@dataclass(frozen=True)
class ChoiceStanding:
    """One chosen program, as the applicant may see it."""

    priority: int
    offering: Offering
    label: str  # title, level and language of instruction
    pass_mark: Decimal
    seats: int
    scholarship_seats: int
    outcome: Outcome
    reason: str  # in plain words, in the active language
    place: int | None = None  # in the current ranking (None: not ranked or not shown)
    ranked_count: int | None = None
    published_place: int | None = None
    published_at: datetime | None = None
    published_snapshot_id: int | None = None

    @property
    def tone(self) -> str:
        """Bootstrap colour name of the outcome (border and text of the reason)."""
        if self.outcome in (Outcome.PLACED, Outcome.HOLDS_OFFER, Outcome.HOLDS_AWARD):
            return "success"
        if self.outcome in (Outcome.RELEASED, Outcome.RANKED, Outcome.NOT_REQUESTED):
            return "secondary"
        if self.outcome in (Outcome.NOT_RANKED_YET, Outcome.HIDDEN):
            return "light"
        return "warning"

    @property
    def place_ordinal(self) -> str:
        return ordinal(self.place, form="neuter") if self.place else ""

    @property
    def published_ordinal(self) -> str:
        return ordinal(self.published_place, form="neuter") if self.published_place else ""


@dataclass(frozen=True)
class ApplicationStanding:
    """Where an application stands, choice by choice (priority order)."""

    choices: list[ChoiceStanding] = field(default_factory=list)
    score: Decimal | None = None
    # Why current places are not shown ("" when they are).
    note: str = ""
    # The program an accepted applicant is placed in (its scholarship's, else the first
    # choice whose pass mark they reached), or None.
    admitted: ChoiceStanding | None = None

    @property
    def shown(self) -> bool:
        return not self.note


def _visible_status(application: Application) -> str:
    return application.released_status or application.status


def _reason(
    *, facts: dict, offering_id: int, known: dict, offering: Offering
) -> tuple[Outcome, str]:
    """The outcome of one choice and its words, from the allocation's own outcome."""
    award = facts["award"]
    holds_at = award[1] if award else None
    outcome = facts["outcome"]
    placed_at = outcome[1] if outcome and outcome[0] == Reason.OFFERED else holds_at
    priorities = {o: c["priority"] for o, c in facts["choices"].items()}
    # "Ranked 2nd" / "на 2-м месте" / "2-ші орындасыз".
    place = ordinal(known["rank"], form="prepositional") if known["rank"] else ""
    if holds_at == offering_id:
        if award[0] == AwardState.ACCEPTED:
            return Outcome.HOLDS_AWARD, _("You accepted the scholarship for this program.")
        return Outcome.HOLDS_OFFER, _(
            "You have a scholarship offer for this program: answer it before it expires."
        )
    if placed_at == offering_id:
        return Outcome.PLACED, ngettext(
            "Ranked %(place)s for %(seats)s scholarship seat: within the seats, so the "
            "next allocation would offer you this scholarship.",
            "Ranked %(place)s for %(seats)s scholarship seats: within the seats, so the "
            "next allocation would offer you this scholarship.",
            offering.scholarship_seats,
        ) % {"place": place, "seats": offering.scholarship_seats}
    if placed_at is not None and priorities.get(placed_at, 0) < known["priority"]:
        return Outcome.RELEASED, _(
            "Placed in your %(choice)s choice, so this choice is released."
        ) % {"choice": ordinal(priorities[placed_at], form="dative")}
    if known["rank"] is None:
        return Outcome.BELOW_PASS_MARK, _(
            "Below the pass mark (%(mark)s) by %(gap)s: not ranked for this program."
        ) % {"mark": _number(offering.pass_mark), "gap": _points(known["gap"])}
    ranked = _("Ranked %(place)s of %(count)s.") % {
        "place": place,
        "count": known["ranked"],
    }
    if outcome is None or holds_at is not None:
        return Outcome.RANKED, ranked
    reason = outcome[0]
    skipped = outcome[3].get(offering_id, reason)
    if skipped == Reason.SEATS_TAKEN:
        text = ngettext(
            "Ranked %(place)s for %(seats)s scholarship seat: the seat is taken by "
            "applicants ranked higher.",
            "Ranked %(place)s for %(seats)s scholarship seats: the seats are taken by "
            "applicants ranked higher.",
            offering.scholarship_seats,
        ) % {"place": place, "seats": offering.scholarship_seats}
        if known["open_ahead"]:
            text += " " + ngettext(
                "%(count)s offer ahead of you is still open; if it is not accepted by "
                "%(date)s, its seat goes to the next applicant.",
                "%(count)s offers ahead of you are still open; those not accepted by "
                "%(date)s go to the next applicants.",
                known["open_ahead"],
            ) % {"count": known["open_ahead"], "date": _date(known["open_by"])}
        return Outcome.SEATS_TAKEN, text
    words = {
        Reason.NOT_ELIGIBLE: (
            Outcome.NOT_ELIGIBLE,
            _("No scholarship fund accepts your citizenship, so no scholarship can be offered."),
        ),
        Reason.FUNDS_FULL: (
            Outcome.FUNDS_FULL,
            _("The scholarship funds open to you were taken by applicants ranked higher."),
        ),
        Reason.TOTAL_REACHED: (
            Outcome.TOTAL_REACHED,
            _("All scholarships of this admission cycle are taken."),
        ),
        Reason.NOT_REQUESTED: (
            Outcome.NOT_REQUESTED,
            _("You did not ask for a scholarship."),
        ),
        Reason.HAD_OFFER: (
            Outcome.HAD_OFFER,
            _("You already had a scholarship offer in this cycle."),
        ),
    }
    if reason in words:
        code, text = words[reason]
        return code, f"{ranked} {text}"
    return Outcome.RANKED, ranked


def application_standing(*, application: Application | None) -> ApplicationStanding | None:
    """Where `application` stands for each of its choices (`ApplicationStanding`), in the
    active language; None for no application or a draft.

    `application` should come with its choices prefetched (offering, program, language:
    `selectors.application_current_full`), so that no query is made for them; the ranking
    facts come from the cache (`_application_facts`), computed on a miss."""
    if application is None or not application.submitted_at:
        return None
    choices = list(application.choices.all())
    ranked_statuses = statuses_in(Group.RANKED)
    waiting = _("You are ranked once the admissions office has decided on your application.")

    def unranked(note: str, code: Outcome, facts: dict | None = None) -> ApplicationStanding:
        shown = []
        for choice in choices:
            known = (facts or {}).get("choices", {}).get(choice.offering_id) or {}
            published = known.get("published") or (None, None, None)
            shown.append(
                ChoiceStanding(
                    priority=choice.priority,
                    offering=choice.offering,
                    label=choice_label(choice.offering, choice.language),
                    pass_mark=choice.offering.pass_mark,
                    seats=choice.offering.seats,
                    scholarship_seats=choice.offering.scholarship_seats,
                    outcome=code,
                    reason="",
                    published_place=published[0],
                    published_at=published[1],
                    published_snapshot_id=published[2],
                )
            )
        return ApplicationStanding(note=note, choices=shown)

    # A held decision is not told: the words are those of an application still in review.
    if application.released_status or _visible_status(application) not in ranked_statuses:
        if _visible_status(application) in statuses_in(Group.IDENTITY_LOCKING):
            return unranked(waiting, Outcome.NOT_RANKED_YET)
        return None
    facts = _application_facts(application)
    if facts is None:
        return unranked(waiting, Outcome.NOT_RANKED_YET)
    if any(c["held"] for c in facts["choices"].values()):
        return unranked(
            pgettext(
                "standing",
                "The current ranking is shown once every decision in it is released "
                "(at the results time).",
            ),
            Outcome.HIDDEN,
            facts,
        )
    result: list[ChoiceStanding] = []
    for choice in choices:
        known = facts["choices"].get(choice.offering_id)
        if known is None:
            continue
        code, reason = _reason(
            facts=facts, offering_id=choice.offering_id, known=known, offering=choice.offering
        )
        published = known["published"] or (None, None, None)
        result.append(
            ChoiceStanding(
                priority=choice.priority,
                offering=choice.offering,
                label=choice_label(choice.offering, choice.language),
                pass_mark=choice.offering.pass_mark,
                seats=choice.offering.seats,
                scholarship_seats=choice.offering.scholarship_seats,
                outcome=code,
                reason=reason,
                place=known["rank"],
                ranked_count=known["ranked"],
                published_place=published[0],
                published_at=published[1],
                published_snapshot_id=published[2],
            )
        )
    award = facts["award"]
    admitted = next((c for c in result if award and c.offering.pk == award[1]), None)
    if admitted is None:
        admitted = next((c for c in result if c.place is not None), None)
    return ApplicationStanding(choices=result, score=facts["score"], admitted=admitted)

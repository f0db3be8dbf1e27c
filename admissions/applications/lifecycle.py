"""The application lifecycle, as data: one declaration per status.

Everything that depends on an application's status reads this module, at call time (so a
test that changes `LIFECYCLE` sees every place follow): the transition
service (allowed moves, the mail each arrival sends, the note it requires, the guards it
checks), the admin (decision buttons and bulk actions are generated from `decisions()`), the
applicant's dashboard (badge, what may still be done), reviews, ranking, awards, document
rules, the retention purge and `seed_demo` (the path of states that leads to each status).

Adding a status: add it to `ApplicationStatus` (admissions/enums.py, with a migration of
the `choices`), then one `StatusSpec` entry below; nothing else lists statuses.

Rules (DESIGN.md "Application states"):
draft -> submitted -> under_review <-> documents_requested;
under_review -> accepted | waitlisted | rejected; waitlisted -> accepted | rejected;
accepted -> enrolled (the applicant confirms); any state before a final one -> withdrawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from admissions.enums import ApplicationStatus

__all__ = [
    "LIFECYCLE",
    "Group",
    "Guard",
    "StatusSpec",
    "allowed_next",
    "badge",
    "decisions",
    "final_statuses",
    "guards_on_move",
    "note_required",
    "path_to",
    "spec",
    "statuses_in",
]

S = ApplicationStatus


class Group(StrEnum):
    """Named sets of statuses; a status belongs to the groups its spec lists."""

    # The applicant may still edit the application (the steps).
    EDITABLE = "editable"
    # The applicant may upload, replace or remove documents (verified ones stay in
    # `documents_requested`, see admissions.documents.services).
    DOCUMENTS_MAY_CHANGE = "documents_may_change"
    # Reviewers may write or revise a review.
    REVIEWABLE = "reviewable"
    # Waiting for reviewers: counted as owed reviews.
    AWAITING_REVIEW = "awaiting_review"
    # In the office's hands: the applicant's identity data is locked.
    IDENTITY_LOCKING = "identity_locking"
    # Ranked for each chosen offering (a positive decision was taken).
    RANKED = "ranked"
    # May be offered a scholarship.
    OFFERABLE = "offerable"
    # May answer a scholarship offer already made.
    ANSWERS_OFFERS = "answers_offers"
    # Documents are deleted after the retention period.
    PURGEABLE = "purgeable"


class Guard(StrEnum):
    """Checks a staff decision must pass (or an officer overrides, with a written reason);
    their logic is in admissions.applications.guards."""

    DOCUMENTS_VERIFIED = "documents_verified"
    REVIEWS = "reviews"
    ELIGIBILITY = "eligibility"
    PASS_MARK = "pass_mark"  # noqa: S105 (a guard name)


@dataclass(frozen=True)
class StatusSpec:
    """Everything the portal knows about one status.

    `next`: the statuses it may move to (none: final). `mail`: the e-mail template an
    arrival queues ("" for none). `note_field`: the Application field the transition's note
    is copied to. `note_required`: the message refusing a move here without a note (staff
    decisions the applicant must be told the reason of). `decision` / `action`: the staff
    button label and bulk-action description (None: not a staff decision). `guards`: checked
    on arrival from a status without these guards. `badge`: Bootstrap badge class.
    `by_applicant`: the applicant's own move (submit, enrol, withdraw), not staff's.
    `demo_weight`: share of this status in `seed_demo`. `path`: the statuses an application
    passes through to get here, after draft (seed data and fixtures).
    """

    status: ApplicationStatus
    next: frozenset[ApplicationStatus]
    badge: str
    path: tuple[ApplicationStatus, ...]
    groups: frozenset[Group] = field(default_factory=frozenset)
    mail: str = "status_changed"
    note_field: str = ""
    note_required: Promise | None = None
    decision: Promise | None = None
    action: Promise | None = None
    guards: tuple[Guard, ...] = ()
    by_applicant: bool = False
    demo_weight: int = 0

    @property
    def is_final(self) -> bool:
        return not self.next


G = Group
ALL_GUARDS = tuple(Guard)

LIFECYCLE: dict[str, StatusSpec] = {
    spec_.status: spec_
    for spec_ in (
        StatusSpec(
            status=S.DRAFT,
            next=frozenset({S.SUBMITTED, S.WITHDRAWN}),
            badge="text-bg-secondary",
            path=(),
            groups=frozenset({G.EDITABLE, G.DOCUMENTS_MAY_CHANGE}),
            mail="",
            demo_weight=18,
        ),
        StatusSpec(
            status=S.SUBMITTED,
            by_applicant=True,
            next=frozenset({S.UNDER_REVIEW, S.WITHDRAWN}),
            badge="text-bg-primary",
            path=(S.SUBMITTED,),
            groups=frozenset({G.REVIEWABLE, G.AWAITING_REVIEW, G.IDENTITY_LOCKING}),
            mail="application_submitted",
            demo_weight=14,
        ),
        StatusSpec(
            status=S.UNDER_REVIEW,
            next=frozenset(
                {S.DOCUMENTS_REQUESTED, S.ACCEPTED, S.WAITLISTED, S.REJECTED, S.WITHDRAWN}
            ),
            badge="text-bg-info",
            path=(S.SUBMITTED, S.UNDER_REVIEW),
            groups=frozenset({G.REVIEWABLE, G.AWAITING_REVIEW, G.IDENTITY_LOCKING}),
            decision=_("Start review"),
            action=_("Start review of the selected applications"),
            demo_weight=18,
        ),
        StatusSpec(
            status=S.DOCUMENTS_REQUESTED,
            next=frozenset({S.UNDER_REVIEW, S.WITHDRAWN}),
            badge="text-bg-warning",
            path=(S.SUBMITTED, S.UNDER_REVIEW, S.DOCUMENTS_REQUESTED),
            groups=frozenset({G.REVIEWABLE, G.IDENTITY_LOCKING, G.DOCUMENTS_MAY_CHANGE}),
            mail="documents_requested",
            note_field="documents_request_message",
            note_required=_("Say which documents are needed."),
            decision=_("Request documents"),
            action=_("Request documents (with a message)"),
            demo_weight=6,
        ),
        StatusSpec(
            status=S.ACCEPTED,
            next=frozenset({S.ENROLLED, S.WITHDRAWN}),
            badge="text-bg-success",
            path=(S.SUBMITTED, S.UNDER_REVIEW, S.ACCEPTED),
            groups=frozenset({G.IDENTITY_LOCKING, G.RANKED, G.OFFERABLE, G.ANSWERS_OFFERS}),
            note_field="decision_note",
            decision=_("Accept"),
            action=_("Accept the selected applications"),
            guards=ALL_GUARDS,
            demo_weight=14,
        ),
        StatusSpec(
            status=S.WAITLISTED,
            next=frozenset({S.ACCEPTED, S.REJECTED, S.WITHDRAWN}),
            badge="text-bg-warning",
            path=(S.SUBMITTED, S.UNDER_REVIEW, S.WAITLISTED),
            groups=frozenset({G.IDENTITY_LOCKING, G.RANKED, G.OFFERABLE, G.ANSWERS_OFFERS}),
            note_field="decision_note",
            decision=_("Waitlist"),
            action=_("Waitlist the selected applications"),
            guards=ALL_GUARDS,
            demo_weight=8,
        ),
        StatusSpec(
            status=S.REJECTED,
            next=frozenset(),
            badge="text-bg-danger",
            path=(S.SUBMITTED, S.UNDER_REVIEW, S.REJECTED),
            groups=frozenset({G.PURGEABLE}),
            note_field="decision_note",
            note_required=_("Give the reason for the rejection."),
            decision=_("Reject"),
            action=_("Reject (with a reason)"),
            demo_weight=10,
        ),
        StatusSpec(
            status=S.ENROLLED,
            by_applicant=True,
            next=frozenset(),
            badge="text-bg-success",
            path=(S.SUBMITTED, S.UNDER_REVIEW, S.ACCEPTED, S.ENROLLED),
            groups=frozenset({G.IDENTITY_LOCKING, G.RANKED, G.ANSWERS_OFFERS}),
            decision=_("Mark enrolled"),
            action=_("Mark the selected applications enrolled"),
            demo_weight=6,
        ),
        StatusSpec(
            status=S.WITHDRAWN,
            by_applicant=True,
            next=frozenset(),
            badge="text-bg-dark",
            path=(S.SUBMITTED, S.WITHDRAWN),
            groups=frozenset({G.PURGEABLE}),
            demo_weight=6,
        ),
    )
}


def spec(status: str) -> StatusSpec:
    """The declaration of `status` (KeyError for an unknown one)."""
    return LIFECYCLE[status]


def statuses_in(group: Group) -> frozenset[str]:
    """The statuses that belong to `group`."""
    return frozenset(s for s, declared in LIFECYCLE.items() if group in declared.groups)


def badge(status: str) -> str:
    """The Bootstrap badge class of `status` ("" for an unknown one)."""
    declared = LIFECYCLE.get(status)
    return declared.badge if declared else ""


def path_to(status: str) -> tuple[str, ...]:
    """The statuses an application passes through, after draft, to reach `status`."""
    return LIFECYCLE[status].path


def final_statuses() -> frozenset[str]:
    """Statuses with no way out (enrolled, rejected, withdrawn)."""
    return frozenset(s for s, declared in LIFECYCLE.items() if declared.is_final)


def allowed_next(status: str) -> frozenset[str]:
    """The statuses `status` may move to (empty for a final or unknown one)."""
    declared = LIFECYCLE.get(status)
    return declared.next if declared else frozenset()


def guards_on_move(from_status: str, to_status: str) -> tuple[Guard, ...]:
    """The guards a move checks: those of `to_status`, unless `from_status` already had to
    pass the same ones (waitlisted -> accepted was checked on the way to the waiting list)."""
    target = LIFECYCLE[to_status].guards
    origin = LIFECYCLE.get(from_status)
    if not target or (origin is not None and set(target) <= set(origin.guards)):
        return ()
    return target


def decisions() -> dict[str, StatusSpec]:
    """Staff decisions, in the order of the declaration: {status: its spec}."""
    return {s: declared for s, declared in LIFECYCLE.items() if declared.decision}


def note_required(status: str) -> bool:
    """Whether a move to `status` must carry a note for the applicant."""
    return LIFECYCLE[status].note_required is not None

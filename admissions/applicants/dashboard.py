"""The applicant's dashboard: status, timeline, documents, where they stand and what to do next.

A fixed number of queries whatever the number of events, documents or choices (everything
is loaded by `selectors.application_full`)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from admissions.applications import lifecycle
from admissions.applications import steps as form_steps
from admissions.applications.next_steps import application_next_steps
from admissions.applications.release import application_as_applicant_sees
from admissions.applications.services import application_deadline, application_deadline_passed
from admissions.applications.steps import next_step
from admissions.documents.services import document_requirements
from admissions.enums import LIVE_AWARD_STATES, ApplicationStatus, AwardState
from admissions.models import ApplicantProfile
from admissions.private_pages import cache_private_page, private_page_changes_at
from admissions.scholarships.standing import application_standing
from admissions.selectors import (
    application_current_full,
    cycle_open_cached,
    email_is_confirmed,
)
from admissions.templatetags.awards import award_program


def _next_steps(
    *, application, has_profile, confirmed, requirements, deadline_passed=False
) -> list[dict]:
    """What the applicant is expected to do now: [{"text", "url", "label", "note"}]."""
    steps: list[dict] = []
    if not confirmed and (application is None or application.status == ApplicationStatus.DRAFT):
        steps.append(
            {
                "text": _("Confirm your e-mail address: follow the link in the mail we sent."),
                "url": reverse("account_email"),
                "label": _("E-mail settings"),
            }
        )
    if application is None:
        if not has_profile:
            steps.append({"text": _("Complete your personal data.")})
        return steps
    status = application.status
    if status == ApplicationStatus.DRAFT and deadline_passed:
        # A draft of a closed cycle: "continue" would only lead to a refusal.
        steps.append(
            {
                "text": _(
                    "The deadline for this application has passed; it can no longer be submitted."
                )
            }
        )
    elif status == ApplicationStatus.DRAFT:
        if not has_profile:
            steps.append(
                {
                    "text": _("Complete your personal data."),
                    "url": reverse("admissions:application_step", kwargs={"step": "personal"}),
                    "label": _("Personal data"),
                }
            )
        resume = next_step(application.completed_steps)
        if resume is not form_steps.STEPS[-1]:
            steps.append(
                {
                    "text": _("Continue your application with step %(number)s: %(title)s.")
                    % {"number": resume.number, "title": resume.title},
                    "url": reverse("admissions:application_continue"),
                    "label": _("Continue"),
                }
            )
        else:
            steps.append(
                {
                    "text": _("Review your application and submit it before the deadline."),
                    "url": reverse("admissions:application_step", kwargs={"step": "review"}),
                    "label": _("Review and submit"),
                }
            )
    elif status == ApplicationStatus.DOCUMENTS_REQUESTED:
        steps.append(
            {
                "text": _("The admissions office asked you for documents."),
                "note": application.documents_request_message,
                "url": reverse("admissions:documents"),
                "label": _("Upload documents"),
            }
        )
    elif status in (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW):
        steps.append({"text": _("Nothing to do: wait for the review of your application.")})
    elif status == ApplicationStatus.WAITLISTED:
        steps.append({"text": _("You are on the waiting list: we will write to you.")})
    elif status == ApplicationStatus.ACCEPTED:
        if any(award.state == AwardState.OFFERED for award in application.live_awards):
            steps.append({"text": _("Answer the scholarship offer below before it expires.")})
        else:
            steps.append({"text": _("You are accepted: we will write to you about enrolment.")})
    rejected_required = [
        r
        for r in requirements
        if r.status == "rejected" and r.required and not application.is_editable_by_applicant
    ]
    if (
        rejected_required
        and status not in lifecycle.final_statuses()
        and status != ApplicationStatus.DOCUMENTS_REQUESTED
    ):
        steps.append(
            {
                "text": _("Some documents were rejected: see the reasons in the checklist."),
                "url": reverse("admissions:documents"),
                "label": _("Documents"),
            }
        )
    return steps


def _invites_new_application(*, application, open_cycle) -> bool:
    """Whether to invite the applicant to apply in `open_cycle`: not while they already
    apply in it, nor while their application holds a place or a scholarship offer (a
    positive decision, or a live award) in an earlier cycle."""
    if open_cycle is None or application is None:
        return open_cycle is not None
    if application.cycle_id == open_cycle.pk:
        return False
    holds = application.status in lifecycle.statuses_in(lifecycle.Group.RANKED)
    return not (holds or application.live_awards)


@never_cache
@login_required
@cache_private_page("applicant-dashboard")
def dashboard(request):
    user = request.user
    # Read once each: the open cycle (from the catalogue's cached cycles), the application
    # with everything shown, its awards.
    open_cycle = cycle_open_cached()
    application = application_current_full(user, open_cycle=open_cycle)
    # A decision held until the results time is not shown (nor its audit row below).
    application = application_as_applicant_sees(application)
    if application is None:
        has_profile = ApplicantProfile.objects.filter(user=user).exists()
        confirmed = email_is_confirmed(user)
    else:
        has_profile = application.calendar_token is not None
        confirmed = application.email_confirmed
    requirements = document_requirements(application=application) if application else []
    deadline = None
    if application is not None:
        application.live_awards = [
            award for award in application.awards.all() if award.state in LIVE_AWARD_STATES
        ]
        if application.is_editable_by_applicant:
            deadline = application_deadline(application=application)
    # The submission's own rule: what the dashboard says and what it refuses agree.
    deadline_passed = deadline is not None and application_deadline_passed(application=application)
    if not _invites_new_application(application=application, open_cycle=open_cycle):
        open_cycle = None
    # Place and reason per chosen program (from the cache: no query when unchanged).
    standing = application_standing(application=application)
    admitted_to = ""  # the program an accepted applicant is placed in, named in full
    if application is not None and application.status in (
        ApplicationStatus.ACCEPTED,
        ApplicationStatus.ENROLLED,
    ):
        if standing is not None and standing.admitted is not None:
            admitted_to = standing.admitted.label
        elif application.live_awards:
            admitted_to = award_program(application.live_awards[0])
    # What the page says changes at these moments without any write: the cached page
    # is not served past them.
    private_page_changes_at(
        request,
        deadline,
        open_cycle.closes_at if open_cycle is not None else None,
        application.cycle.results_at if application is not None else None,
        *(award.respond_by for award in (application.live_awards if application else [])),
    )
    return render(
        request,
        "admissions/dashboard.html",
        {
            "application": application,
            "open_cycle": open_cycle,
            "badge": lifecycle.badge(application.status) if application else "",
            "events": [e for e in application.events.all() if not e.withheld]
            if application
            else [],
            "requirements": requirements,
            "next_steps": _next_steps(
                application=application,
                has_profile=has_profile,
                confirmed=confirmed,
                requirements=requirements,
                deadline_passed=deadline_passed,
            ),
            "deadline": deadline,
            "deadline_passed": deadline_passed,
            "can_withdraw": application is not None
            and application.status not in lifecycle.final_statuses(),
            "email_confirmed": confirmed,
            # What to do after the status the applicant sees (never a held decision's).
            "decision_steps": application_next_steps(application=application),
            "standing": standing,
            "admitted_to": admitted_to,
        },
    )

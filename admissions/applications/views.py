"""The online application, step by step: every step saves the draft through a service and
the applicant can leave and come back (`application_continue` resumes at the first step
not done). After submission every step is read-only: the review page shows it all."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from admissions.applicants.services import profile_save
from admissions.applicants.throttle import client_address
from admissions.applications import lifecycle
from admissions.applications import steps as form_steps
from admissions.applications.eligibility import LEVEL_REQUIREMENTS, education_qualifies
from admissions.applications.forms import WithdrawForm
from admissions.applications.release import application_as_applicant_sees
from admissions.applications.services import (
    EDUCATION_FIELDS,
    MAX_EXAMS,
    ChoiceInput,
    ExamInput,
    application_draft_for,
    application_missing,
    application_save_choices,
    application_save_education,
    application_save_exams,
    application_save_motivation,
    application_step_complete,
    application_submit,
    application_withdraw,
)
from admissions.applications.steps import next_step, reachable, step_number
from admissions.applications.steps import step as step_spec
from admissions.documents.services import document_requirements
from admissions.errors import DomainError
from admissions.models import ApplicantProfile
from admissions.selectors import (
    application_current,
    application_full,
    consent_text_current,
    consent_version_current,
    cycle_open,
    offerings_selectable,
)
from programs.models import Language


def step_url(slug: str) -> str:
    """The page of step `slug` (the documents step is the documents page)."""
    return step_spec(slug).url


def _neighbour(slug: str, offset: int):
    index = step_number(slug) - 1 + offset
    return form_steps.STEPS[index] if 0 <= index < len(form_steps.STEPS) else None


def _application_for(request):
    """The application the steps work on: the open cycle's (created as a draft on first
    visit), else the applicant's latest one. None when there is nothing to work on."""
    cycle = cycle_open()
    current = application_current(request.user)
    if cycle is not None and (current is None or current.cycle_id != cycle.pk):
        return application_draft_for(user=request.user, cycle=cycle)
    return current


def _saved(request, slug: str):
    if "save_only" in request.POST:
        messages.success(request, _("Your draft has been saved."))
        return redirect(step_url(slug))
    following = _neighbour(slug, 1) or step_spec(slug)
    return redirect(following.url)


@login_required
def application_continue(request):
    """Resume the application at the first step not done (or the dashboard)."""
    application = _application_for(request)
    if application is None:
        messages.info(request, _("Applications are not open at the moment."))
        return redirect("admissions:dashboard")
    if not application.is_editable_by_applicant:
        return redirect("admissions:dashboard")
    return redirect(next_step(application.completed_steps).url)


@login_required
@require_http_methods(["GET", "POST"])
def application_step(request, step: str):
    if step not in STEP_VIEWS and step not in {declared.slug for declared in form_steps.STEPS}:
        raise Http404
    application = _application_for(request)
    if application is None:
        messages.info(request, _("Applications are not open at the moment."))
        return redirect("admissions:dashboard")
    if step == form_steps.STEPS[-1].slug:  # the review: also shows a submitted application
        return _review(request, application)
    if not application.is_editable_by_applicant:
        if request.method == "POST":
            messages.error(
                request, _("This application has been submitted and can no longer be changed.")
            )
        return redirect(form_steps.STEPS[-1].url)
    if not reachable(step, application.completed_steps):
        messages.info(request, _("Please complete the earlier steps first."))
        return redirect("admissions:application_continue")
    if step not in STEP_VIEWS:  # served by its own page (the documents page)
        return redirect(step_url(step))
    return STEP_VIEWS[step](request, application, step)


def _render(request, application, slug: str, context: dict):
    declared = step_spec(slug)
    previous = _neighbour(slug, -1)
    return render(
        request,
        declared.template,
        {
            "application": application,
            "step": declared.number,
            "step_title": declared.title,
            "previous_url": previous.url if previous else None,
            **context,
        },
    )


def _form_step(request, application, number: str, form, save):
    """A step of one form: on a valid POST, `save(cleaned_data)` and go on; a refusal of
    the service is shown above the form."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return _saved(request, number)
    return _render(request, application, number, {"form": form})


def _personal(request, application, number):
    profile = ApplicantProfile.objects.filter(user=request.user).first()
    form = step_spec(number).form_class(request.POST or None, instance=profile, user=request.user)

    def save(data):
        profile_save(user=request.user, data=data)
        application_step_complete(application=application, step=number)

    return _form_step(request, application, number, form, save)


def _programs(request, application, number):
    # Only the programs the applicant's education qualifies for (once it is known).
    offerings = [
        offering
        for offering in offerings_selectable(cycle=application.cycle)
        if education_qualifies(
            education_document_kind=application.education_document_kind,
            level=offering.program.level,
        )
    ]
    languages = list(Language.objects.all())
    kwargs = {"form_kwargs": {"offerings": offerings, "languages": languages}}
    formset_class = step_spec(number).form_class
    if request.method == "POST":
        formset = formset_class(request.POST, prefix="choices", **kwargs)
        if formset.is_valid():
            try:
                application_save_choices(
                    application=application,
                    choices=[
                        ChoiceInput(offering=offering, language=language)
                        for offering, language in formset.chosen()
                    ],
                )
            except DomainError as exc:
                formset._non_form_errors = formset.error_class([exc.message])
            else:
                return _saved(request, number)
    else:
        initial = [
            {"offering": choice.offering_id, "language": choice.language_id}
            for choice in application.choices.all().order_by("priority")
        ]
        formset = formset_class(initial=initial, prefix="choices", **kwargs)
    return _render(
        request,
        application,
        number,
        {
            "formset": formset,
            "offerings": offerings,
            "level_requirements": [r.needed for r in LEVEL_REQUIREMENTS.values()],
        },
    )


def _education(request, application, number):
    form = step_spec(number).form_class(request.POST or None, instance=application)
    return _form_step(
        request,
        application,
        number,
        form,
        lambda data: application_save_education(
            application=application, **{name: data[name] for name in EDUCATION_FIELDS}
        ),
    )


def _exams(request, application, number):
    if request.method == "POST":
        formset = step_spec(number).form_class(request.POST, prefix="exams")
        if formset.is_valid():
            try:
                application_save_exams(
                    application=application,
                    exams=[
                        ExamInput(
                            exam=row["exam"],
                            subject=row["subject"],
                            score=row["score"],
                            max_score=row["max_score"],
                            taken_on=row.get("taken_on"),
                        )
                        for row in formset.filled()
                    ],
                )
            except DomainError as exc:
                formset._non_form_errors = formset.error_class([exc.message])
            else:
                return _saved(request, number)
    else:
        initial = [
            {
                "exam": result.exam,
                "subject": result.subject,
                "score": result.score,
                "max_score": result.max_score,
                "taken_on": result.taken_on,
            }
            for result in application.exam_results.all()
        ]
        formset = step_spec(number).form_class(initial=initial, prefix="exams")
        # Every row up to MAX_EXAMS; the page's script shows the filled ones, one empty row
        # (three rows at least) and an "add a result" button for the rest.
        formset.extra = MAX_EXAMS - len(initial)
    return _render(request, application, number, {"formset": formset})


def _motivation(request, application, number):
    form = step_spec(number).form_class(
        request.POST or None,
        initial={
            "scholarship_requested": application.scholarship_requested,
            "motivation": application.motivation,
        },
    )
    return _form_step(
        request,
        application,
        number,
        form,
        lambda data: application_save_motivation(
            application=application,
            scholarship_requested=data["scholarship_requested"],
            motivation=data["motivation"],
        ),
    )


def _review(request, application):
    number = form_steps.STEPS[-1].slug
    is_draft = application.is_editable_by_applicant
    consent_form = step_spec(number).form_class
    if request.method == "POST":
        if not is_draft:
            # A repeated submit (double click, back button): nothing to do.
            return redirect("admissions:dashboard")
        form = consent_form(request.POST)
        if form.is_valid():
            try:
                submitted = application_submit(
                    application=application,
                    actor=request.user,
                    consent=True,
                    consent_ip=client_address(request),
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("Your application has been submitted. Your reference number is %(ref)s.")
                    % {"ref": submitted.reference},
                )
                return redirect("admissions:dashboard")
    else:
        form = consent_form()
        # Reaching the review counts the documents step as done: the page lists what is missing.
        if is_draft and not reachable("documents", application.completed_steps):
            messages.info(request, _("Please complete the earlier steps first."))
            return redirect("admissions:application_continue")
        if is_draft and "documents" not in application.completed_steps:
            application_step_complete(application=application, step="documents")
    full = application_as_applicant_sees(application_full(pk=application.pk))
    missing = application_missing(application=full) if is_draft else []
    consent_text = consent_text_current() if is_draft else None
    documents_url = reverse("admissions:documents")
    return _render(
        request,
        full,
        number,
        {
            "form": form,
            "is_draft": is_draft,
            "missing": missing,
            "requirements": document_requirements(application=full),
            "profile": getattr(full.applicant, "applicant_profile", None),
            "consent_text": consent_text,
            "consent_version": consent_text.version
            if consent_text is not None
            else consent_version_current(),
            "documents_url": documents_url,
            "previous_url": documents_url if is_draft else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw_view(request):
    application = application_as_applicant_sees(application_current(request.user))
    if application is None or application.status in lifecycle.final_statuses():
        raise Http404
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application_withdraw(
                application=application, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your application has been withdrawn."))
            return redirect("admissions:dashboard")
    return render(
        request,
        "admissions/application/withdraw.html",
        {"application": application, "form": form},
    )


# The code of each step page that saves through a service (the others have their own page).
STEP_VIEWS = {
    "personal": _personal,
    "programs": _programs,
    "education": _education,
    "exams": _exams,
    "motivation": _motivation,
    "review": lambda request, application, slug: _review(request, application),
}

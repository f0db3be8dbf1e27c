"""The online application, step by step: every step saves the draft through a service and
the applicant can leave and come back (`application_continue` resumes at the first step
not done). After submission every step is read-only: the review page shows it all."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from admissions.applicants.forms import ApplicantProfileForm
from admissions.applicants.services import profile_save
from admissions.applications.forms import (
    ChoiceFormSet,
    ConsentForm,
    EducationForm,
    ExamFormSet,
    MotivationForm,
    WithdrawForm,
)
from admissions.applications.release import application_as_applicant_sees
from admissions.applications.services import (
    APPLICATION_STEPS,
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
from admissions.documents.services import document_requirements
from admissions.enums import FINAL_STATUSES, ApplicationStatus
from admissions.errors import DomainError
from admissions.models import ApplicantProfile
from admissions.selectors import (
    application_current,
    application_full,
    cycle_open,
    offerings_selectable,
)
from programs.models import Language

STEP_NUMBERS = {slug: number for number, slug in APPLICATION_STEPS}
STEP_SLUGS = dict(APPLICATION_STEPS)
LAST_STEP = len(APPLICATION_STEPS)
TEMPLATES = {
    "personal": "admissions/application/personal.html",
    "programs": "admissions/application/programs.html",
    "education": "admissions/application/education.html",
    "exams": "admissions/application/exams.html",
    "motivation": "admissions/application/motivation.html",
    "review": "admissions/application/review.html",
}


def step_url(number: int) -> str:
    """The page of step `number`; the documents step is the documents page."""
    slug = STEP_SLUGS[number]
    if slug == "documents":
        return reverse("admissions:documents")
    return reverse("admissions:application_step", kwargs={"step": slug})


def _application_for(request):
    """The application the steps work on: the open cycle's (created as a draft on first
    visit), else the applicant's latest one. None when there is nothing to work on."""
    cycle = cycle_open()
    current = application_current(request.user)
    if cycle is not None and (current is None or current.cycle_id != cycle.pk):
        return application_draft_for(user=request.user, cycle=cycle)
    return current


def _saved(request, number: int):
    if "save_only" in request.POST:
        messages.success(request, _("Your draft has been saved."))
        return redirect(step_url(number))
    return redirect(step_url(min(number + 1, LAST_STEP)))


@login_required
def application_continue(request):
    """Resume the application at the first step not done (or the dashboard)."""
    application = _application_for(request)
    if application is None:
        messages.info(request, _("Applications are not open at the moment."))
        return redirect("admissions:dashboard")
    if application.status != ApplicationStatus.DRAFT:
        return redirect("admissions:dashboard")
    return redirect(step_url(min(application.completed_step + 1, LAST_STEP)))


@login_required
@require_http_methods(["GET", "POST"])
def application_step(request, step: str):
    number = STEP_NUMBERS.get(step)
    if number is None:
        raise Http404
    application = _application_for(request)
    if application is None:
        messages.info(request, _("Applications are not open at the moment."))
        return redirect("admissions:dashboard")
    if step == "review":
        return _review(request, application)
    if application.status != ApplicationStatus.DRAFT:
        if request.method == "POST":
            messages.error(
                request, _("This application has been submitted and can no longer be changed.")
            )
        return redirect(step_url(LAST_STEP))
    if number > application.completed_step + 1:
        messages.info(request, _("Please complete the earlier steps first."))
        return redirect("admissions:application_continue")
    if step == "documents":  # served by the documents page (its URL comes first)
        return redirect(step_url(number))
    handler = {
        "personal": _personal,
        "programs": _programs,
        "education": _education,
        "exams": _exams,
        "motivation": _motivation,
    }[step]
    return handler(request, application, number)


def _render(request, application, number: int, context: dict):
    return render(
        request,
        TEMPLATES[STEP_SLUGS[number]],
        {
            "application": application,
            "step": number,
            "previous_url": step_url(number - 1) if number > 1 else None,
            **context,
        },
    )


def _form_step(request, application, number: int, form, save):
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
    form = ApplicantProfileForm(request.POST or None, instance=profile, user=request.user)

    def save(data):
        profile_save(user=request.user, data=data)
        application_step_complete(application=application, step=number)

    return _form_step(request, application, number, form, save)


def _programs(request, application, number):
    offerings = offerings_selectable(cycle=application.cycle)
    languages = list(Language.objects.all())
    kwargs = {"form_kwargs": {"offerings": offerings, "languages": languages}}
    if request.method == "POST":
        formset = ChoiceFormSet(request.POST, prefix="choices", **kwargs)
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
        formset = ChoiceFormSet(initial=initial, prefix="choices", **kwargs)
    return _render(request, application, number, {"formset": formset, "offerings": offerings})


def _education(request, application, number):
    form = EducationForm(request.POST or None, instance=application)
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
        formset = ExamFormSet(request.POST, prefix="exams")
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
        formset = ExamFormSet(initial=initial, prefix="exams")
        # Existing results plus at least one empty row, three rows at least.
        formset.extra = max(min(MAX_EXAMS - len(initial), 1), 3 - len(initial))
    return _render(request, application, number, {"formset": formset})


def _motivation(request, application, number):
    form = MotivationForm(
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
    number = LAST_STEP
    is_draft = application.status == ApplicationStatus.DRAFT
    if request.method == "POST":
        if not is_draft:
            # A repeated submit (double click, back button): nothing to do.
            return redirect("admissions:dashboard")
        form = ConsentForm(request.POST)
        if form.is_valid():
            try:
                submitted = application_submit(
                    application=application, actor=request.user, consent=True
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
        form = ConsentForm()
        documents_step = STEP_NUMBERS["documents"]
        # Reaching the review counts the documents step as done: the page lists what is missing.
        if is_draft and application.completed_step < documents_step - 1:
            messages.info(request, _("Please complete the earlier steps first."))
            return redirect("admissions:application_continue")
        if is_draft and application.completed_step < documents_step:
            application_step_complete(application=application, step=documents_step)
    full = application_as_applicant_sees(application_full(pk=application.pk))
    missing = application_missing(application=full) if is_draft else []
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
            "consent_version": settings.PERSONAL_DATA_CONSENT_VERSION,
            "documents_url": documents_url,
            "previous_url": documents_url if is_draft else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw_view(request):
    application = application_as_applicant_sees(application_current(request.user))
    if application is None or application.status in FINAL_STATUSES:
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

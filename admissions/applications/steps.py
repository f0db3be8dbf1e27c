"""The steps of the online application, as data: one `Step` per page, in order.

The views (`admissions.applications.views`), the wizard navigation, the dashboard's "continue
with step N", the submission's list of what is missing (`application_missing`) and the
progress the applicant has made all read `STEPS`. Progress is stored by slug
(`Application.completed_steps`), so inserting or reordering steps keeps every draft's
progress meaningful.

Adding a step: one `Step` entry here, its form (`form`, a dotted path, imported when used)
and template, and its view function in `admissions.applications.views.STEP_VIEWS` (the
code that calls the step's service).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

__all__ = [
    "STEPS",
    "Step",
    "next_step",
    "step",
    "step_number",
    "steps_done",
    "steps_through",
]


def _has_profile(application) -> list:
    from admissions.models import ApplicantProfile

    if ApplicantProfile.objects.filter(user_id=application.applicant_id).exists():
        return []
    return [_("Fill in your personal data.")]


def _has_choices(application) -> list:
    from admissions.applications.eligibility import eligibility_problems

    choices = list(application.choices.all())
    if not choices:
        return [_("Choose at least one program.")]
    return eligibility_problems(
        education_document_kind=application.education_document_kind,
        programs=[choice.offering.program for choice in choices],
    )


def _has_education(application) -> list:
    from admissions.applications.services import EDUCATION_FIELDS, EDUCATION_FIELDS_LATER

    later = EDUCATION_FIELDS_LATER if application.graduation_expected else ()
    values = [getattr(application, name) for name in EDUCATION_FIELDS if name not in later]
    if any(value in (None, "") for value in values):
        return [_("Complete your prior education.")]
    return []


def _has_exams(application) -> list:
    if application.exam_results.all():
        return []
    return [_("Enter at least one exam result.")]


def _has_motivation(application) -> list:
    from admissions.applications.services import MOTIVATION_MIN_LENGTH

    if len(application.motivation or "") >= MOTIVATION_MIN_LENGTH:
        return []
    return [_("Write your motivation statement.")]


def _has_documents(application) -> list:
    from admissions.documents.services import document_requirements

    return [
        _("Upload the required document: %(kind)s.") % {"kind": requirement.label}
        for requirement in document_requirements(application=application)
        if requirement.status == "missing"
    ]


def _nothing_missing(application) -> list:
    return []


@dataclass(frozen=True)
class Step:
    """One page of the application.

    `missing(application)`: what keeps this step from being done, as user-facing messages
    (empty: done; the submission refuses while any step has a message). `form`: dotted path
    of its form or formset class ("" for none). `url_name`: the page, when it is not the
    generic step URL (the documents page serves the documents step).
    """

    slug: str
    title: Promise
    template: str
    missing: Callable[[object], list]
    form: str = ""
    url_name: str = ""

    @property
    def number(self) -> int:
        return step_number(self.slug)

    @property
    def form_class(self):
        return import_string(self.form) if self.form else None

    @property
    def url(self) -> str:
        if self.url_name:
            return reverse(self.url_name)
        return reverse("admissions:application_step", kwargs={"step": self.slug})


STEPS: tuple[Step, ...] = (
    Step(
        slug="personal",
        title=_("Personal data"),
        template="admissions/application/personal.html",
        form="admissions.applicants.forms.ApplicantProfileForm",
        missing=_has_profile,
    ),
    Step(
        slug="programs",
        title=_("Programs"),
        template="admissions/application/programs.html",
        form="admissions.applications.forms.ChoiceFormSet",
        missing=_has_choices,
    ),
    Step(
        slug="education",
        title=_("Prior education"),
        template="admissions/application/education.html",
        form="admissions.applications.forms.EducationForm",
        missing=_has_education,
    ),
    Step(
        slug="exams",
        title=_("Exam results"),
        template="admissions/application/exams.html",
        form="admissions.applications.forms.ExamFormSet",
        missing=_has_exams,
    ),
    Step(
        slug="motivation",
        title=_("Scholarship and motivation"),
        template="admissions/application/motivation.html",
        form="admissions.applications.forms.MotivationForm",
        missing=_has_motivation,
    ),
    Step(
        slug="documents",
        title=_("Documents"),
        template="admissions/documents.html",
        form="admissions.documents.forms.DocumentUploadForm",
        missing=_has_documents,
        url_name="admissions:documents",
    ),
    Step(
        slug="review",
        title=_("Review and submit"),
        template="admissions/application/review.html",
        form="admissions.applications.forms.ConsentForm",
        missing=_nothing_missing,
    ),
)


def step(slug: str) -> Step:
    """The step `slug` (KeyError for an unknown one)."""
    for declared in STEPS:
        if declared.slug == slug:
            return declared
    raise KeyError(slug)


def step_number(slug: str) -> int:
    """Position of step `slug`, from 1 (shown to the applicant as "step N of M")."""
    return [declared.slug for declared in STEPS].index(slug) + 1


def steps_through(slug: str) -> list[str]:
    """The slugs of the steps up to and including `slug`, in order."""
    slugs = [declared.slug for declared in STEPS]
    return slugs[: slugs.index(slug) + 1]


def steps_done(completed: Iterable[str]) -> list[Step]:
    """The declared steps among `completed` slugs (unknown slugs are ignored)."""
    done = set(completed or ())
    return [declared for declared in STEPS if declared.slug in done]


def next_step(completed: Iterable[str]) -> Step:
    """The first step not done (the last step when all are done): where to resume."""
    done = set(completed or ())
    for declared in STEPS:
        if declared.slug not in done:
            return declared
    return STEPS[-1]


def reachable(slug: str, completed: Iterable[str]) -> bool:
    """Whether a draft may open step `slug`: every earlier step is done."""
    done = set(completed or ())
    return all(declared.slug in done for declared in STEPS[: step_number(slug) - 1])

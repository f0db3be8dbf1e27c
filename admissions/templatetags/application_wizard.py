"""Template helpers for the step-by-step application form."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from admissions.applications.services import APPLICATION_STEPS
from admissions.applications.views import step_url
from admissions.enums import ApplicationStatus

register = template.Library()

STEP_TITLES = {
    "personal": _("Personal data"),
    "programs": _("Programs"),
    "education": _("Prior education"),
    "exams": _("Exam results"),
    "motivation": _("Scholarship and motivation"),
    "documents": _("Documents"),
    "review": _("Review and submit"),
}


@register.simple_tag
def wizard_steps(application, current):
    """The steps with their state: done, current, reachable (a link) or locked."""
    current = int(current or 0)
    completed = getattr(application, "completed_step", 0) or 0
    is_draft = getattr(application, "status", ApplicationStatus.DRAFT) == ApplicationStatus.DRAFT
    steps = []
    for number, slug in APPLICATION_STEPS:
        reachable = number <= completed + 1 if is_draft else slug == "review"
        steps.append(
            {
                "number": number,
                "slug": slug,
                "title": STEP_TITLES[slug],
                "url": step_url(number) if reachable else "",
                "done": number <= completed,
                "current": number == current,
            }
        )
    return steps

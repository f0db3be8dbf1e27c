"""Template helpers for the step-by-step application form (steps: applications/steps.py)."""

from __future__ import annotations

from django import template

from admissions.applications import steps as form_steps
from admissions.applications.steps import reachable

register = template.Library()


@register.simple_tag
def wizard_steps(application, current):
    """The steps with their state: done, current, reachable (a link) or locked."""
    current = int(current or 0)
    completed = list(getattr(application, "completed_steps", None) or [])
    is_draft = getattr(application, "is_editable_by_applicant", True)
    steps = []
    for number, declared in enumerate(form_steps.STEPS, start=1):
        open_ = (
            reachable(declared.slug, completed) if is_draft else declared is form_steps.STEPS[-1]
        )
        steps.append(
            {
                "number": number,
                "slug": declared.slug,
                "title": declared.title,
                "url": declared.url if open_ else "",
                "done": declared.slug in completed,
                "current": number == current,
            }
        )
    return steps


@register.filter
def steps_done_count(steps) -> int:
    """How many of the `wizard_steps` rows are done."""
    return sum(1 for row in steps if row["done"])

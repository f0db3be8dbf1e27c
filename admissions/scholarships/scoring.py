"""The ranking score of an application: its inputs, their weights, the formula, the tie-break.

Read by the ranking and the allocation (`ranking.py`), the decision guard "pass mark", the
applications list in the admin ("ranking score" beside the "review mean") and the export.

Formula (DESIGN.md "Ranking and allocation"): each input is a value 0-100 per application,
aggregated over its rows (`SCORE_INPUTS`), with a weight that is data of the cycle (a field
of `AdmissionCycle`). The score is the weighted mean of the inputs present:

    score = sum(weight_i * value_i) / sum(weight_i)

An optional input an application does not have yet (nobody reviewed it) is left out of both
sums rather than counted as 0, which would punish applicants for the committee's backlog;
a required input it lacks (no exam result) counts as 0. Scores are rounded half up to 0.01.
Ties go to the earlier submission, then the lower id (`tie_break_key`).

Adding an input (an interview score, say): one `ScoreInput` entry, its weight field on
`AdmissionCycle` (a migration) and the model its rows live in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from django.db.models import Avg, Expression, FloatField, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from admissions.models import Application, ExamResult, Review

__all__ = [
    "CENT",
    "SCORE_INPUTS",
    "ScoreInput",
    "application_ranking_score",
    "application_score",
    "cycle_weights",
    "input_annotations",
    "inputs_by_application",
    "quantise",
    "ranking_score",
    "ranking_score_of_row",
    "tie_break_key",
]

CENT = Decimal("0.01")


def quantise(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ScoreInput:
    """One input of the score: the mean of `value()` over the rows of `model` that belong
    to an application (`model.application`), 0-100; its weight is the cycle's field
    `weight_field`. `optional`: left out of the formula when the application has none."""

    name: str
    label: Promise
    model: type
    value: Callable[[], Expression]
    weight_field: str
    optional: bool = False

    def annotation(self) -> str:
        """The attribute name `input_annotations` gives this input on Application rows."""
        return f"score_input_{self.name}"


SCORE_INPUTS: tuple[ScoreInput, ...] = (
    ScoreInput(
        name="exam",
        label=_("exam score"),
        model=ExamResult,
        value=lambda: Cast("score", FloatField()) * 100 / Cast("max_score", FloatField()),
        weight_field="exam_weight",
    ),
    ScoreInput(
        name="review",
        label=_("review mean"),
        model=Review,
        value=lambda: Cast("score", FloatField()),
        weight_field="review_weight",
        optional=True,
    ),
)


def cycle_weights(cycle) -> dict[str, Decimal]:
    """{input name: weight} of `cycle` (data of the cycle, edited in the admin)."""
    return {item.name: Decimal(getattr(cycle, item.weight_field)) for item in SCORE_INPUTS}


def ranking_score(*, values: Mapping[str, object], weights: Mapping[str, Decimal]) -> Decimal:
    """The score (0-100, see the module docstring) from `values` {input name: 0-100 or None}
    and `weights` {input name: weight}."""
    total = Decimal(0)
    weight_sum = Decimal(0)
    for item in SCORE_INPUTS:
        value = values.get(item.name)
        if value is None:
            if item.optional:
                continue
            value = 0
        weight = Decimal(weights.get(item.name, 0))
        total += weight * quantise(value)
        weight_sum += weight
    if weight_sum == 0:
        # Every weight zero: the exam alone, as before weights existed (never NaN).
        return quantise(values.get(SCORE_INPUTS[0].name) or 0)
    return quantise(total / weight_sum)


def application_score(
    *,
    exam_score: Decimal,
    review_score: Decimal | None,
    exam_weight: Decimal,
    review_weight: Decimal,
) -> Decimal:
    """The score of an application from its exam score and review mean (both 0-100)."""
    return ranking_score(
        values={"exam": exam_score, "review": review_score},
        weights={"exam": exam_weight, "review": review_weight},
    )


def tie_break_key(*, score: Decimal, submitted_at: datetime | None, application_id: int):
    """Sort key, best first: higher score, then earlier submission, then lower id."""
    submitted = submitted_at.timestamp() if submitted_at else float("inf")
    return (-score, submitted, application_id)


def inputs_by_application(**application_filter) -> dict[str, dict[int, Decimal]]:
    """{input name: {application id: value 0-100}} of the applications matching
    `application_filter` (lookups on the input's `application__` relation, e.g.
    `application__cycle=cycle`): one GROUP BY query per input, whatever the number."""
    result: dict[str, dict[int, Decimal]] = {}
    for item in SCORE_INPUTS:
        rows = (
            item.model.objects.filter(**application_filter)
            .values("application_id")
            .annotate(mean=Avg(item.value()))
            .values_list("application_id", "mean")
            .order_by()
        )
        result[item.name] = {
            application_id: quantise(mean) for application_id, mean in rows if mean is not None
        }
    return result


@cache
def _input_subqueries() -> tuple[tuple[str, Subquery], ...]:
    # Built once: an expression is copied, never changed, by the queries it is added to.
    return tuple(
        (
            item.annotation(),
            Subquery(
                item.model.objects.filter(application=OuterRef("pk"))
                .order_by()
                .values("application")
                .annotate(mean=Avg(item.value()))
                .values("mean")
            ),
        )
        for item in SCORE_INPUTS
    )


def input_annotations() -> dict[str, Subquery]:
    """Annotations for an Application queryset: each input's value as `score_input_<name>`
    (a correlated subquery each: no joins that multiply rows)."""
    return dict(_input_subqueries())


def ranking_score_of_row(application) -> Decimal:
    """The score of an Application annotated with `input_annotations()` (cycle loaded)."""
    values = {}
    for item in SCORE_INPUTS:
        raw = getattr(application, item.annotation(), None)
        values[item.name] = None if raw is None else quantise(raw)
    return ranking_score(values=values, weights=cycle_weights(application.cycle))


def application_ranking_score(*, application: Application) -> Decimal:
    """The score of one application (one query per input)."""
    annotated = (
        Application.objects.select_related("cycle")
        .annotate(**input_annotations())
        .get(pk=application.pk)
    )
    return ranking_score_of_row(annotated)

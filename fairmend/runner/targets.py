"""What a run is judged on: the criterion and metric that each constraint-like parameter selects.

The tables (which value of which parameter enforces which criterion) are catalog knowledge and live in
:mod:`fairmend.catalog.targets`, importable without the runner's dependencies (``fairmend recommend``
completes its printed run commands with them); this module adds the choice of a run's target metric.
"""

from __future__ import annotations

from typing import Any

from fairmend.catalog.targets import (
    CONSTRAINT_TARGETS,
    CRITERION_METRIC,
    UNMEASURED,
    constraint_target,
    params_for_criterion,
)
from fairmend.catalog.types import Technique
from fairmend.errors import InvalidParameterError
from fairmend.metrics import available_metrics

__all__ = [
    "CONSTRAINT_TARGETS",
    "CRITERION_METRIC",
    "UNMEASURED",
    "constraint_target",
    "params_for_criterion",
    "target_for",
]


def target_for(
    technique: Technique, override: str | None = None, params: dict[str, Any] | None = None
) -> tuple[str | None, str]:
    """(criterion, metric) the run is judged on: the criterion the technique's constraint-like
    parameter selects, else its first measurable criterion."""
    if override:
        known = available_metrics(with_scores=True)
        if override not in known:
            import difflib

            close = difflib.get_close_matches(override, known, n=2)
            hint = (
                f"; did you mean {' or '.join(map(repr, close))}?"
                if close
                else f" (choose from {', '.join(known)})"
            )
            raise InvalidParameterError(f"unknown --target-metric {override!r}{hint}")
        return None, override
    chosen = constraint_target(technique, params)
    if chosen is not None:
        return chosen[0].value, chosen[1]
    for c in technique.criteria:
        if c in CRITERION_METRIC:
            return c.value, CRITERION_METRIC[c]
    return None, "demographic_parity_difference"

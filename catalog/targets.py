"""What a technique's constraint-like parameters enforce: the criterion and metric each value selects.

A technique that can enforce several criteria says which one through a parameter (``constraint``
of the reductions, FairGBM and Zafar et al.; ``cost_constraint`` of Pleiss et al.; ``metric`` of
Kamiran et al.'s reject option; ...). The run must be judged on the metric of the criterion that
value enforces, not on the technique's first listed criterion. ``CONSTRAINT_TARGETS`` lists, per
parameter name, every value and its (criterion, metric); a meta-test checks it against every
choice parameter in the registry.
"""

from __future__ import annotations

from typing import Any

from fairmend.catalog.types import Criterion, Technique

# The metric that measures each criterion in the before/after report.
CRITERION_METRIC: dict[Criterion, str] = {
    Criterion.DEMOGRAPHIC_PARITY: "demographic_parity_difference",
    Criterion.CONDITIONAL_DEMOGRAPHIC_PARITY: "demographic_parity_difference",
    Criterion.STRONG_DEMOGRAPHIC_PARITY: "demographic_parity_difference",
    Criterion.EQUAL_OPPORTUNITY: "equal_opportunity_difference",
    Criterion.EQUALIZED_ODDS: "equalized_odds_difference",
    Criterion.PREDICTIVE_EQUALITY: "predictive_equality_difference",
    Criterion.ERROR_RATE_PARITY: "accuracy_difference",  # fairlearn's ErrorRateParity: overall error
    Criterion.ACCURACY_PARITY: "accuracy_difference",
    Criterion.PREDICTIVE_PARITY: "predictive_parity_difference",
    Criterion.SUFFICIENCY: "predictive_parity_difference",
    Criterion.CALIBRATION: "ece",
    Criterion.CALIBRATION_WITHIN_GROUPS: "ece",
    Criterion.MULTICALIBRATION: "ece",
}

_DP = (Criterion.DEMOGRAPHIC_PARITY, "demographic_parity_difference")
_EOPP = (Criterion.EQUAL_OPPORTUNITY, "equal_opportunity_difference")
_PE = (Criterion.PREDICTIVE_EQUALITY, "predictive_equality_difference")
_EODDS = (Criterion.EQUALIZED_ODDS, "equalized_odds_difference")
_ERR = (Criterion.ERROR_RATE_PARITY, "accuracy_difference")

# parameter name -> value -> (criterion enforced, metric the run is judged on)
CONSTRAINT_TARGETS: dict[str, dict[str, tuple[Criterion, str]]] = {
    "constraint": {
        "demographic_parity": _DP,
        "equalized_odds": _EODDS,
        "equal_opportunity": _EOPP,
        "predictive_equality": _PE,
        # fairlearn's moment names
        "true_positive_rate_parity": _EOPP,
        "false_negative_rate_parity": _EOPP,
        "false_positive_rate_parity": _PE,
        "true_negative_rate_parity": _PE,
        "error_rate_parity": _ERR,  # fairlearn's ErrorRateParity: the overall error rate
        # Zafar et al.'s disparate mistreatment
        "false_positive_rate": _PE,
        "false_negative_rate": _EOPP,
        "both": _EODDS,
        "misclassification": _ERR,
    },
    "cost_constraint": {  # Pleiss et al.: the generalised error rate that is equalised
        "fnr": _EOPP,
        "fpr": _PE,
        "weighted": _EODDS,  # a base-rate-weighted sum of both rates
    },
    "metric": {  # Kamiran et al.'s reject option classification
        "statistical_parity": _DP,
        "average_odds": (Criterion.EQUALIZED_ODDS, "average_odds_difference"),
        "equal_opportunity": _EOPP,
    },
    "fairness_def": {  # GerryFair: subgroup rate that is equalised
        "FP": _PE,
        "FN": _EOPP,
    },
    "statistic": {  # fairret: the statistic whose parity is regularised
        "positive_rate": _DP,
        "true_positive_rate": _EOPP,
        "false_positive_rate": _PE,
    },
    "criterion": {  # fair selective classification
        "equal_accuracy": (Criterion.ACCURACY_PARITY, "accuracy_difference"),
    },
}

# Values that enforce a criterion no run metric measures: judged on the technique's first
# measurable criterion, with the reason recorded here.
UNMEASURED: dict[tuple[str, str], str] = {
    ("criterion", "equal_coverage"): "equal per-group coverage of a selective classifier; the run's "
    "metrics cover the accepted rows only",
}


def constraint_target(
    technique: Technique, params: dict[str, Any] | None = None
) -> tuple[Criterion, str] | None:
    """(criterion, metric) that the technique's constraint-like parameters select, if any."""
    for spec in technique.parameters:
        table = CONSTRAINT_TARGETS.get(spec.name)
        if table is None or not spec.choices:
            continue
        value = str((params or {}).get(spec.name, spec.default))
        if value in table:
            return table[value]
    return None


def params_for_criterion(technique: Technique, criterion: Criterion) -> dict[str, str]:
    """The constraint-like parameter value that makes ``technique`` enforce ``criterion`` (``{}`` if none
    does, or if it has no such parameter): equal opportunity -> ``constraint=true_positive_rate_parity``."""
    for spec in technique.parameters:
        table = CONSTRAINT_TARGETS.get(spec.name)
        if table is None or not spec.choices:
            continue
        for value in spec.choices:
            target = table.get(str(value))
            if target is not None and target[0] is criterion:
                return {spec.name: str(value)}
    return {}

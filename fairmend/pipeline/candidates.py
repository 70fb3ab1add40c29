"""Which techniques the pipeline tries at each stage, and how a rollback adjusts them.

Candidates are the catalog's executable techniques of the stage that pass the hard constraints of
the data and policy (task, number of groups, protected attribute at inference, contract), ordered
by the policy's own list first, then by criterion fit and runtime.
"""

from __future__ import annotations

from typing import Any

from fairmend.catalog.types import Contract, Criterion, RuntimeClass, Stage, TaskType, Technique
from fairmend.recommender.constraints import Constraints
from fairmend.recommender.fit import hard_violations

STAGE_CONTRACT = {
    "pre": (Stage.PRE_PROCESSING, Contract.PREPROCESSOR),
    "in": (Stage.IN_PROCESSING, Contract.ESTIMATOR),
    "post": (Stage.POST_PROCESSING, Contract.POSTPROCESSOR),
}

FAIRNESS = {Criterion.DEMOGRAPHIC_PARITY, Criterion.EQUALIZED_ODDS, Criterion.EQUAL_OPPORTUNITY}
CALIBRATION = {Criterion.CALIBRATION, Criterion.CALIBRATION_WITHIN_GROUPS, Criterion.MULTICALIBRATION}

# Default order among techniques that fit equally well (seed 001's worked examples first).
PREFERRED = (
    "reweighing_kamiran_calders",
    "disparate_impact_remover",
    "massaging_kamiran_calders",
    "exponentiated_gradient_reduction",
    "zafar_fairness_constraints_dp",
    "threshold_optimizer_equalized_odds_hardt",
    "group_specific_platt_scaling",
    "isotonic_calibration",
)

# Rollback parameter moves: technique -> (parameter, values from weakest to strongest intervention).
STRENGTH: dict[str, tuple[str, tuple[Any, ...]]] = {
    "disparate_impact_remover": ("repair_level", (0.25, 0.5, 0.75, 1.0)),
    "correlation_remover": ("alpha", (0.25, 0.5, 0.75, 1.0)),
    "exponentiated_gradient_reduction": ("eps", (0.1, 0.05, 0.02, 0.01)),
    "grid_search_reduction": ("constraint_weight", (0.3, 0.5, 0.7, 0.9)),
    "zafar_fairness_constraints_dp": ("covariance_threshold", (0.5, 0.1, 0.01, 0.0)),
    "prejudice_remover": ("eta", (1.0, 5.0, 25.0, 100.0)),
    "adversarial_debiasing_zhang": ("alpha", (0.1, 0.5, 1.0, 2.0)),
    "meta_fair_classifier_celis": ("tau", (0.6, 0.7, 0.8, 0.9)),
}


def eligible(t: Technique, stage: str, *, n_groups: int, allow_protected_at_inference: bool) -> str | None:
    """``None`` when ``t`` may be tried at ``stage``; otherwise the hard constraint it breaks.

    The hard constraints are the recommender's (:func:`fairmend.recommender.fit.hard_violations`)
    for the data and policy; the pipeline adds that the technique must run under the stage's contract.
    """

    want_stage, want_contract = STAGE_CONTRACT[stage]
    if t.stage is not want_stage or t.contract is not want_contract or not t.executable:
        return "not an executable technique of this stage"
    constraints = Constraints(
        protected_at_inference_allowed=allow_protected_at_inference,
        stages=[want_stage],
        task=TaskType.BINARY_CLASSIFICATION,
        multi_group=n_groups > 2,
    )
    broken = hard_violations(t, constraints)
    return "; ".join(reason for _, reason in broken) or None


def candidates(
    catalog: Any,
    stage: str,
    *,
    want: set[Criterion],
    n_groups: int,
    allow_protected_at_inference: bool,
    preferred: list[str] | None = None,
    limit: int = 2,
) -> tuple[list[Technique], list[dict[str, str]]]:
    """Techniques to try, best first, and the excluded ones with the reason."""
    chosen: list[Technique] = []
    excluded: list[dict[str, str]] = []
    for t in catalog:
        reason = eligible(t, stage, n_groups=n_groups, allow_protected_at_inference=allow_protected_at_inference)
        if reason is None and not (set(t.criteria) & want):
            reason = f"targets {', '.join(c.value for c in t.criteria)}, not {', '.join(sorted(c.value for c in want))}"
        if reason is None:
            chosen.append(t)
        elif t.stage is STAGE_CONTRACT[stage][0]:
            excluded.append({"key": t.key, "reason": reason})
    order = list(preferred or []) + [k for k in PREFERRED if k not in (preferred or [])]
    rank = {k: i for i, k in enumerate(order)}
    speed = {RuntimeClass.FAST: 0, RuntimeClass.MODERATE: 1, RuntimeClass.SLOW: 2}
    chosen.sort(key=lambda t: (rank.get(t.key, len(rank)), speed[t.runtime_class], t.key))
    if preferred:
        missing = [k for k in preferred if k not in {t.key for t in chosen}]
        excluded += [{"key": k, "reason": "named by the policy but not eligible here"} for k in missing]
    return chosen[:limit], excluded


def adjust(key: str, params: dict[str, Any], *, stronger: bool, defaults: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """The rollback rule's parameter move, or ``None`` when the technique has no further step."""
    if key not in STRENGTH:
        return None
    name, ladder = STRENGTH[key]
    current = params.get(name, (defaults or {}).get(name))
    if current in ladder:
        nxt = ladder.index(current) + (1 if stronger else -1)
    else:  # off the ladder: step to the strongest (or second-strongest) rung
        nxt = len(ladder) - 1 if stronger else len(ladder) - 2
    if not 0 <= nxt < len(ladder) or ladder[nxt] == current:
        return None
    return {**params, name: ladder[nxt]}

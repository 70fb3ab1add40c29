"""Hard-constraint filtering and metadata fit of one technique against :class:`Constraints`."""

from __future__ import annotations

from fairmend.catalog.types import Criterion, RuntimeClass, Stage, TaskType, Technique
from fairmend.recommender.constraints import Constraints

# Criteria that partly serve a target (target -> related criteria a technique may declare instead).
RELATED: dict[Criterion, set[Criterion]] = {
    Criterion.DEMOGRAPHIC_PARITY: {
        Criterion.STRONG_DEMOGRAPHIC_PARITY,
        Criterion.CONDITIONAL_DEMOGRAPHIC_PARITY,
        Criterion.STATISTICAL_PARITY_REGRESSION,
        Criterion.BALANCE,
        Criterion.REPRESENTATION_PARITY_TOP_K,
        Criterion.EXPOSURE_PARITY,
    },
    Criterion.EQUAL_OPPORTUNITY: {Criterion.EQUALIZED_ODDS, Criterion.ERROR_RATE_PARITY},
    Criterion.EQUALIZED_ODDS: {
        Criterion.EQUAL_OPPORTUNITY,
        Criterion.PREDICTIVE_EQUALITY,
        Criterion.ERROR_RATE_PARITY,
    },
    Criterion.PREDICTIVE_EQUALITY: {Criterion.EQUALIZED_ODDS, Criterion.ERROR_RATE_PARITY},
    Criterion.EXPOSURE_PARITY: {
        Criterion.DISPARATE_TREATMENT_EXPOSURE,
        Criterion.DISPARATE_IMPACT_EXPOSURE,
        Criterion.REPRESENTATION_PARITY_TOP_K,
    },
    Criterion.CALIBRATION: {
        Criterion.CALIBRATION_WITHIN_GROUPS,
        Criterion.MULTICALIBRATION,
        Criterion.SUFFICIENCY,
    },
    Criterion.PREDICTIVE_PARITY: {Criterion.SUFFICIENCY, Criterion.CALIBRATION_WITHIN_GROUPS},
    Criterion.INDIVIDUAL_FAIRNESS: {Criterion.COUNTERFACTUAL_FAIRNESS},
    Criterion.COUNTERFACTUAL_FAIRNESS: {Criterion.PATH_SPECIFIC_FAIRNESS, Criterion.INDIVIDUAL_FAIRNESS},
}

INTENT_STAGES: dict[str, set[Stage]] = {
    "mitigate": {Stage.PRE_PROCESSING, Stage.IN_PROCESSING, Stage.POST_PROCESSING},
    "audit": {Stage.EVALUATION},
    "monitor": {Stage.MONITORING},
    "document": {Stage.DOCUMENTATION},
    "causal": {Stage.CAUSAL},
}
INTERVENTION_STAGES = INTENT_STAGES["mitigate"]
# Criteria of techniques designed for intersectional subgroups.
SUBGROUP_CRITERIA = frozenset(
    {Criterion.INTERSECTIONAL_FAIRNESS, Criterion.SUBGROUP_FAIRNESS, Criterion.MULTICALIBRATION}
)


def serves_intent(t: Technique, intent: str) -> bool:
    """Whether ``t``'s stage does the kind of work ``intent`` asks for (an unknown intent: an intervention)."""
    return t.stage in INTENT_STAGES.get(intent, INTERVENTION_STAGES)


def _task_ok(t: Technique, task: TaskType) -> bool:
    return not t.task_types or task in t.task_types


def hard_violations(t: Technique, c: Constraints) -> list[tuple[str, str]]:
    """``(constraint, reason)`` for each hard constraint ``t`` breaks (empty when it satisfies all)."""
    reasons: list[tuple[str, str]] = []
    if c.retraining_allowed is False and t.needs_retraining:
        reasons.append(("retraining_allowed", "needs retraining, but retraining is not allowed"))
    if c.protected_at_inference_allowed is False and t.needs_protected_attribute_at_inference:
        why = (
            f" ({c.legal_note})"
            if c.legal_note and c.sources.get("protected_at_inference_allowed") == "domain-default"
            else ""
        )
        reasons.append(
            (
                "protected_at_inference_allowed",
                "uses the protected attribute at decision time, which is not allowed" + why,
            )
        )
    if (
        c.protected_available is False
        and t.needs_protected_attribute_for_fit
        and t.stage != Stage.DOCUMENTATION
    ):
        reasons.append(
            ("protected_available", "needs the protected attribute to fit or audit, but it is not collected")
        )
    if c.intervention_allowed is False and t.stage in INTERVENTION_STAGES:
        reasons.append(
            (
                "intervention_allowed",
                (
                    f"is a {t.stage.value.replace('_', '-')} intervention, but nothing may "
                    "be changed (evaluate, analyse, monitor or document only)"
                ),
            )
        )
    if c.stages is not None and t.stage not in c.stages:
        reasons.append(
            (
                "stages",
                (
                    f"stage {t.stage.value} is not among the allowed stages "
                    f"({', '.join(s.value for s in c.stages)})"
                ),
            )
        )
    # every stage: an audit or a monitor that cannot read the task's outputs is of no use either
    if c.task is not None and not _task_ok(t, c.task):
        reasons.append(
            (
                "task",
                (
                    f"does not handle {c.task.value.replace('_', ' ')} "
                    f"(handles {', '.join(x.value.replace('_', ' ') for x in t.task_types)})"
                ),
            )
        )
    if c.multi_group and not t.supports_multiple_groups:
        reasons.append(("multi_group", "handles only two groups, but there are more than two"))
    cost = t.expected_accuracy_cost
    if c.max_accuracy_loss is not None and cost is not None and cost.low > c.max_accuracy_loss:
        reasons.append(
            (
                "max_accuracy_loss",
                (
                    f"expected accuracy loss of at least {cost.low:.1%} exceeds the budget of "
                    f"{c.max_accuracy_loss:.1%}"
                ),
            )
        )
    return reasons


def uncertain_conflicts(t: Technique, c: Constraints) -> list[str]:
    """The uncertain restrictive readings of ``c`` that ``t`` would break, as soft conflicts naming the flag
    that settles each (they are not hard constraints; the ranker ranks such techniques lower)."""
    from fairmend.recommender.constraints import describe_value, restrictive

    out = []
    for u in c.uncertain:  # an uncertain stage is already a soft preference (preferred_stages)
        if (
            u.field == "stages"
            or u.doubted
            or not restrictive(u.field, u.value)
            or getattr(c, u.field) is not None
        ):
            continue
        probe = Constraints()
        setattr(probe, u.field, u.value)
        if hard_violations(t, probe):
            out.append(
                f"would break the uncertain reading '{describe_value(u.field, u.value)}'; {u.flag} settles it"
            )
    return out


# A calibrator changes what a score means, not who is selected or missed. When the user names no criterion,
# the disparity they describe is in decisions or error rates ("approves fewer women", "flags Arabic posts more
# often"), so a technique that targets calibration alone is a weaker default than one that targets parity.
CALIBRATION_ONLY = frozenset({Criterion.CALIBRATION, Criterion.CALIBRATION_WITHIN_GROUPS})
UNASKED_CALIBRATION_FIT = 0.2


def calibration_only(t: Technique) -> bool:
    """``t`` targets calibration and nothing else."""
    return bool(t.criteria) and set(t.criteria) <= CALIBRATION_ONLY


def group_blind(t: Technique) -> bool:
    """An intervention that never sees group membership and targets calibration alone (Platt scaling,
    isotonic regression, histogram binning): it recalibrates every score the same way, so on its own it
    cannot close a gap between groups."""
    return (
        t.stage in INTERVENTION_STAGES
        and not t.needs_protected_attribute_for_fit
        and not t.needs_protected_attribute_at_inference
        and calibration_only(t)
    )


def criterion_fit(t: Technique, c: Constraints) -> float:
    """1 when ``t`` targets a wanted criterion, 0.5 when a related one, 0 otherwise; when none is asked, 0.5
    (:data:`UNASKED_CALIBRATION_FIT` for a technique that targets calibration alone)."""
    if not c.criteria:
        if calibration_only(t):
            return UNASKED_CALIBRATION_FIT
        return 0.5
    declared = set(t.criteria)
    if declared & set(c.criteria):
        return 1.0
    if any(declared & RELATED.get(x, set()) for x in c.criteria):
        return 0.5
    if Criterion.ANY in declared:
        return 0.4
    return 0.0


def metadata_fit(t: Technique, c: Constraints) -> tuple[float, list[str], list[str]]:
    """Score in [0, 1] of soft fit, plus reasons it fits and soft conflicts."""
    fits: list[str] = []
    conflicts: list[str] = []
    parts: list[tuple[float, float]] = []  # (weight, value)

    cf = criterion_fit(t, c)
    parts.append((3.0, cf))
    if c.criteria:
        wanted = ", ".join(x.value.replace("_", " ") for x in c.criteria)
        if cf == 1.0:
            fits.append(f"targets {wanted}")
        elif cf == 0.0:
            conflicts.append(f"does not target {wanted}")
    intent = c.intent or "mitigate"
    stage_ok = serves_intent(t, intent)
    parts.append((2.0, 1.0 if stage_ok else 0.0))
    if stage_ok and c.intent:
        stage = t.stage.value.replace("_", "-")
        article = (
            "an" if stage[0] in "aeiou" else "a"
        )  # "an evaluation technique", "an in-processing technique"
        fits.append(f"is {article} {stage} technique, matching the goal to {intent}")
    if c.preferred_stages:
        pref = t.stage in c.preferred_stages
        parts.append((1.5, 1.0 if pref else 0.0))
        if pref:
            fits.append(f"is {t.stage.value.replace('_', '-')}, as you asked")
    if c.retraining_allowed is False and not t.needs_retraining and t.stage == Stage.POST_PROCESSING:
        fits.append("works on the existing model without retraining")
    if c.protected_at_inference_allowed is False and not t.needs_protected_attribute_at_inference:
        fits.append("does not need the protected attribute at decision time")
    if c.task is not None:
        ok = c.task in t.task_types
        parts.append((1.0, 1.0 if ok else 0.3))
        if ok:
            fits.append(f"handles {c.task.value.replace('_', ' ')}")
    if c.multi_group or c.intersectional:
        ok = t.supports_multiple_groups
        parts.append((1.0, 1.0 if ok else 0.0))
        if c.intersectional:
            inter = SUBGROUP_CRITERIA & set(t.criteria)
            parts.append((1.5, 1.0 if inter else 0.0))
            if inter:
                fits.append("is designed for intersectional subgroups")
    if c.model_family is not None:
        if t.model_agnostic:
            parts.append((0.5, 1.0))
        else:
            parts.append((0.5, 0.3))
            conflicts.append(
                f"tied to a model family; check it suits your {c.model_family.replace('_', ' ')}"
            )
    if c.time_budget == "fast":
        score = {RuntimeClass.FAST: 1.0, RuntimeClass.MODERATE: 0.5, RuntimeClass.SLOW: 0.0}[t.runtime_class]
        parts.append((1.0, score))
        if t.runtime_class == RuntimeClass.SLOW:
            conflicts.append("slow to run, and you asked for something quick")
    if c.small_data and t.runtime_class == RuntimeClass.SLOW and t.stage == Stage.IN_PROCESSING:
        parts.append((0.5, 0.0))
        conflicts.append("trains a heavy model; may be unstable on a small dataset")
    cost = t.expected_accuracy_cost
    if c.max_accuracy_loss is not None and cost is not None and cost.high > c.max_accuracy_loss >= cost.low:
        conflicts.append(
            f"accuracy loss may reach {cost.high:.1%}, above your budget of {c.max_accuracy_loss:.1%}"
        )
    if c.legal_note and t.needs_protected_attribute_at_inference is False and t.stage in INTERVENTION_STAGES:
        parts.append((0.5, 1.0))
    total_w = sum(w for w, _ in parts)
    return sum(w * v for w, v in parts) / total_w, fits, conflicts

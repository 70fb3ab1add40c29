"""Validation-gate verdicts with the seed-001 defaults (fairness improvement ≥ 10 %, accuracy loss ≤ 5 %)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class GatePolicy:
    """Thresholds of one gate. Losses and improvements are relative to the baseline."""

    min_fairness_improvement: float = 0.10
    max_accuracy_loss: float = 0.05
    require_significance: bool = False
    alpha: float = 0.05


@dataclass
class GateVerdict:
    passed: bool
    reasons: list[str] = field(default_factory=list)
    fairness_improvement: float | None = None
    accuracy_loss: float | None = None
    policy: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def relative_improvement(before: float, after: float, *, higher_is_better: bool) -> float:
    """Share of the way the metric moved toward its ideal (0 for gaps, 1 for ratios)."""
    if higher_is_better:  # ratio metrics: ideal 1, improvement relative to the starting value
        return (after - before) / before if before > 0 else 0.0
    return (before - after) / before if before > 0 else (0.0 if after <= before else -1.0)


def evaluate_gate(
    target_metric: str,
    change: dict[str, dict[str, Any]],
    *,
    higher_is_better: bool,
    policy: GatePolicy = GatePolicy(),
    utility_metric: str = "accuracy",
) -> GateVerdict:
    """Check the fairness improvement and the loss in utility (accuracy, or NDCG for rankings)."""
    reasons: list[str] = []
    t = change[target_metric]
    improvement = relative_improvement(t["before"], t["after"], higher_is_better=higher_is_better)
    ok_fair = improvement >= policy.min_fairness_improvement
    reasons.append(
        f"{target_metric}: {t['before']:.4f} -> {t['after']:.4f} ({improvement:+.1%} improvement; "
        f"gate needs >= {policy.min_fairness_improvement:.0%}) {'PASS' if ok_fair else 'FAIL'}"
    )
    a = change[utility_metric]
    loss = (a["before"] - a["after"]) / a["before"] if a["before"] > 0 else 0.0
    ok_acc = loss <= policy.max_accuracy_loss
    reasons.append(
        f"{utility_metric}: {a['before']:.4f} -> {a['after']:.4f} ({loss:.1%} relative loss; "
        f"gate allows <= {policy.max_accuracy_loss:.0%}) {'PASS' if ok_acc else 'FAIL'}"
    )
    passed = ok_fair and ok_acc
    if policy.require_significance:
        p = t.get("p_value")
        ok_sig = p is not None and p < policy.alpha
        reasons.append(f"{target_metric} change p = {p} (needs < {policy.alpha}) {'PASS' if ok_sig else 'FAIL'}")
        passed = passed and ok_sig
    return GateVerdict(passed, reasons, improvement, loss, asdict(policy))

"""Gates 2–4 and decision points 1–3 of the seed-001 workflow, each returning the rule that fired."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fairmend.pipeline.measure import Snapshot
from fairmend.pipeline.policy import Policy


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


@dataclass
class Verdict:
    gate: str
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def failed(self, *names: str) -> bool:
        return any(not c.passed for c in self.checks if c.name in names)

    def to_dict(self) -> dict[str, Any]:
        return {"gate": self.gate, "passed": self.passed,
                "checks": [{"name": c.name, "passed": c.passed, "detail": c.detail} for c in self.checks]}


def accuracy_loss(baseline: Snapshot, now: Snapshot) -> float:
    return (baseline.accuracy - now.accuracy) / baseline.accuracy if baseline.accuracy > 0 else 0.0


def dp_gap(s: Snapshot) -> float:
    return s.worst("demographic_parity_difference", higher_is_better=False)


def targets(s: Snapshot, policy: Policy) -> list[Check]:
    t = policy.targets
    di = s.worst("disparate_impact_ratio", higher_is_better=True)
    eo = s.worst("equalized_odds_difference", higher_is_better=False)
    return [
        Check("dp_target", di >= t.min_disparate_impact_ratio,
              f"worst disparate impact ratio {di:.3f} (target >= {t.min_disparate_impact_ratio})"),
        Check("eo_target", eo < t.max_equalized_odds_difference,
              f"worst equalized odds gap {eo:.3f} (target < {t.max_equalized_odds_difference})"),
    ]


def target_met(s: Snapshot, policy: Policy, criterion: str) -> Check:
    """Gate 3's 'target met': DP ratio or EO gap, depending on the policy's target criterion."""
    dp, eo = targets(s, policy)
    if criterion == "demographic_parity":
        return Check("target_met", dp.passed, dp.detail)
    if criterion == "equalized_odds":
        return Check("target_met", eo.passed, eo.detail)
    return Check("target_met", dp.passed and eo.passed, f"{dp.detail}; {eo.detail}")


def intersectional(before: Snapshot, after: Snapshot, tolerance: float) -> Check:
    b = before.intersectional.get("selection_rate_gap")
    a = after.intersectional.get("selection_rate_gap")
    if a is None or b is None:
        return Check("no_new_intersectional_disparity", True, "fewer than two intersectional groups to judge")
    return Check("no_new_intersectional_disparity", a <= b + tolerance,
                 f"intersectional selection-rate gap {b:.3f} -> {a:.3f} (may grow by <= {tolerance})")


def gate2(baseline: Snapshot, after: Snapshot, ks: dict[str, float], policy: Policy) -> Verdict:
    g = policy.pre_gate
    worst_p = min(ks.values()) if ks else 1.0
    worst_col = min(ks, key=ks.get) if ks else "-"
    before_gap, after_gap = dp_gap(baseline), dp_gap(after)
    improvement = (before_gap - after_gap) / before_gap if before_gap > 0 else 0.0
    loss = accuracy_loss(baseline, after)
    return Verdict("gate2_pre_processing", [
        Check("data_integrity", worst_p > g.min_ks_p_value,
              f"lowest KS p-value {worst_p:.3g} ({worst_col}); needs > {g.min_ks_p_value}"),
        Check("fairness_improvement", improvement >= g.min_fairness_improvement,
              f"worst DP gap {before_gap:.3f} -> {after_gap:.3f} ({improvement:+.1%}; needs >= {g.min_fairness_improvement:.0%})"),
        Check("accuracy_loss", loss <= g.max_accuracy_loss, f"accuracy loss {loss:.1%} (allowed <= {g.max_accuracy_loss:.0%})"),
        intersectional(baseline, after, g.max_new_intersectional_gap),
    ])


def gate3(baseline: Snapshot, after: Snapshot, converged: bool, policy: Policy) -> Verdict:
    g = policy.in_gate
    loss = accuracy_loss(baseline, after)
    checks = [
        target_met(after, policy, policy_target(policy)),
        Check("accuracy_loss", loss <= g.max_accuracy_loss, f"accuracy loss {loss:.1%} (allowed <= {g.max_accuracy_loss:.0%})"),
    ]
    if g.require_convergence:
        checks.append(Check("convergence", converged, "training converged" if converged else "training did not converge"))
    return Verdict("gate3_in_processing", checks)


def calibration(s: Snapshot, policy: Policy) -> list[Check]:
    t = policy.targets
    if "ece" not in s.overall or not s.group_ece:
        return [Check("calibration", False, "no probability scores to judge calibration")]
    worst = max(s.group_ece, key=s.group_ece.get)
    return [
        Check("ece_overall", s.overall["ece"] < t.max_ece, f"overall ECE {s.overall['ece']:.3f} (needs < {t.max_ece})"),
        Check("ece_groups", s.group_ece[worst] < t.max_group_ece,
              f"worst group ECE {s.group_ece[worst]:.3f} ({worst}; needs < {t.max_group_ece})"),
    ]


def gate4(baseline: Snapshot, final: Snapshot, policy: Policy) -> Verdict:
    loss = accuracy_loss(baseline, final)
    dev = final.intersectional.get("max_deviation_from_mean")
    tol = policy.targets.max_intersectional_deviation
    inter = Check("intersectional", True, "fewer than two intersectional groups to judge") if dev is None else Check(
        "intersectional", dev <= tol, f"largest intersectional deviation from mean selection rate {dev:.3f} (needs <= {tol})")
    return Verdict("gate4_final", [
        *targets(final, policy),
        *calibration(final, policy),
        inter,
        Check("accuracy_loss", loss <= policy.post_gate.max_accuracy_loss,
              f"accuracy loss {loss:.1%} (allowed <= {policy.post_gate.max_accuracy_loss:.0%})"),
    ])


def policy_target(policy: Policy) -> str:
    return policy.target_criterion

"""Gates 2–4 and decision points 1–3 of the seed-001 workflow, each returning the rule that fired.

With ``policy.require_significance`` a gate reads :class:`Evidence`, the paired bootstrap of the
candidate against the baseline on the same rows: an improvement must be significant, and a loss beyond
its budget fails only when it is significant too (see :mod:`fairmend.runner.gates`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fairmend.pipeline.measure import Snapshot
from fairmend.pipeline.policy import Policy
from fairmend.runner.gates import significant_change, significantly_worse
from fairmend.stats import compare

DP, EO = "demographic_parity_difference", "equalized_odds_difference"
GUARDED = {"demographic_parity": (DP,), "equalized_odds": (EO,)}


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


@dataclass
class Evidence:
    """Paired baseline-vs-candidate statistics (:func:`fairmend.stats.compare` output).

    ``per_attribute``: DP and EO gaps per protected attribute over the groups the snapshot judges;
    ``overall``: accuracy over all rows.
    """

    per_attribute: dict[str, dict[str, dict[str, Any]]]
    overall: dict[str, dict[str, Any]]


def paired_evidence(y: np.ndarray, A: pd.DataFrame, pred_before: np.ndarray, pred_after: np.ndarray, policy: Policy,
                    *, min_group: int = 30) -> Evidence | None:
    """Paired statistics of a candidate against the baseline; ``None`` when rows abstained."""

    pb, pa = np.asarray(pred_before), np.asarray(pred_after)
    if (pa < 0).any() or (pb < 0).any():
        return None
    kw: dict[str, Any] = {"n_boot": policy.n_boot, "seed": policy.seed}
    per: dict[str, dict[str, dict[str, Any]]] = {}
    for col in A.columns:
        values = A[col].astype(str).to_numpy()
        sizes = pd.Series(values).value_counts()
        keep = np.isin(values, sizes[sizes >= min_group].index.to_numpy())
        if len(set(values[keep])) >= 2:
            per[col] = compare(y[keep], pb[keep], pa[keep], values[keep], metrics=[DP, EO], **kw)
    return Evidence(per, compare(y, pb, pa, A, metrics=["accuracy"], **kw))


def _worse(c: dict[str, Any], higher_is_better: bool, policy: Policy) -> bool | None:
    return significantly_worse(c, higher_is_better=higher_is_better, alpha=0.05) if policy.require_significance else None


def budget_check(name: str, loss: float, budget: float, evidence: Evidence | None, policy: Policy) -> Check:
    """Accuracy loss within budget; with significance, a larger loss fails only when significant."""
    worse = None if evidence is None else _worse(evidence.overall["accuracy"], True, policy)
    ok = loss <= budget or worse is False
    note = "" if worse is None else f"; change {'is' if worse else 'is not'} significant"
    return Check(name, ok, f"accuracy loss {loss:.1%} (allowed <= {budget:.0%}{note})")


def improvement_significant(baseline: Snapshot, evidence: Evidence | None, policy: Policy) -> tuple[bool, str]:
    """Whether the worst attribute's DP gap fell significantly (always true without significance)."""
    if not policy.require_significance:
        return True, ""
    if evidence is None or not evidence.per_attribute:
        return False, "; no paired statistics to show it is significant"
    attr = max(evidence.per_attribute, key=lambda a: baseline.per_attribute.get(a, {}).get(DP, -1.0))
    c = evidence.per_attribute[attr][DP]
    real = bool(significant_change(c, better=True, higher_is_better=False, alpha=0.05))
    lo, hi = c["ci95"]
    return real, (f"; {attr}: 95% CI of change [{lo:+.3f}, {hi:+.3f}], p = {c['p_value']:.3g} "
                  f"(BH {c['p_value_bh']:.3g}) {'significant' if real else 'not significant'}")


def no_regression(evidence: Evidence | None, policy: Policy) -> Check:
    """No fairness criterion the policy targets gets significantly worse by more than its budget."""
    names = GUARDED.get(policy.target_criterion, (DP, EO))
    if evidence is None or not policy.require_significance:
        return Check("no_fairness_regression", True, "not judged (significance off or no paired statistics)")
    bad = []
    for attr, change in evidence.per_attribute.items():
        for m in names:
            c = change[m]
            if c["after"] - c["before"] > policy.max_fairness_worsening and _worse(c, False, policy):
                bad.append(f"{m} on {attr} {c['before']:.3f} -> {c['after']:.3f}")
    detail = "; ".join(bad) or f"no targeted gap grew significantly by more than {policy.max_fairness_worsening}"
    return Check("no_fairness_regression", not bad, detail)


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


def gate2(baseline: Snapshot, after: Snapshot, ks: dict[str, float], policy: Policy,
          evidence: Evidence | None = None) -> Verdict:
    g = policy.pre_gate
    worst_p = min(ks.values()) if ks else 1.0
    worst_col = min(ks, key=ks.get) if ks else "-"
    before_gap, after_gap = dp_gap(baseline), dp_gap(after)
    improvement = (before_gap - after_gap) / before_gap if before_gap > 0 else 0.0
    loss = accuracy_loss(baseline, after)
    real, note = improvement_significant(baseline, evidence, policy)
    return Verdict("gate2_pre_processing", [
        Check("data_integrity", worst_p > g.min_ks_p_value,
              f"lowest KS p-value {worst_p:.3g} ({worst_col}); needs > {g.min_ks_p_value}"),
        Check("fairness_improvement", improvement >= g.min_fairness_improvement and real,
              f"worst DP gap {before_gap:.3f} -> {after_gap:.3f} ({improvement:+.1%}; needs >= "
              f"{g.min_fairness_improvement:.0%}{' and significant' if policy.require_significance else ''}){note}"),
        budget_check("accuracy_loss", loss, g.max_accuracy_loss, evidence, policy),
        intersectional(baseline, after, g.max_new_intersectional_gap),
        no_regression(evidence, policy),
    ])


def gate3(baseline: Snapshot, after: Snapshot, converged: bool, policy: Policy,
          evidence: Evidence | None = None) -> Verdict:
    g = policy.in_gate
    loss = accuracy_loss(baseline, after)
    checks = [
        target_met(after, policy, policy_target(policy)),
        budget_check("accuracy_loss", loss, g.max_accuracy_loss, evidence, policy),
        no_regression(evidence, policy),
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


def gate4(baseline: Snapshot, final: Snapshot, policy: Policy, evidence: Evidence | None = None) -> Verdict:
    loss = accuracy_loss(baseline, final)
    dev = final.intersectional.get("max_deviation_from_mean")
    tol = policy.targets.max_intersectional_deviation
    inter = Check("intersectional", True, "fewer than two intersectional groups to judge") if dev is None else Check(
        "intersectional", dev <= tol, f"largest intersectional deviation from mean selection rate {dev:.3f} (needs <= {tol})")
    return Verdict("gate4_final", [
        *targets(final, policy),
        *calibration(final, policy),
        inter,
        budget_check("accuracy_loss", loss, policy.post_gate.max_accuracy_loss, evidence, policy),
        no_regression(evidence, policy),
    ])


def policy_target(policy: Policy) -> str:
    return policy.target_criterion

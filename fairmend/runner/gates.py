"""Validation-gate verdicts: a fairness improvement that is real, at a cost inside its budgets.

Defaults (seed 001): the target metric must improve by at least 10 % of its baseline value, and
accuracy may fall by at most 5 % of its baseline. With ``require_significance`` (the default) the
improvement counts only when the 95 % interval of the change excludes 0 in the better direction
(:func:`fairmend.stats.compare`), and the gate fails when accuracy, or a guarded fairness metric, gets
*significantly* worse beyond its budget. Without significance, the point estimates decide.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from fairmend.metrics import FAIRNESS_METRICS
from fairmend.metrics import higher_is_better as hib

DEFAULT_GUARDS = ("demographic_parity_difference", "equal_opportunity_difference", "equalized_odds_difference")


@dataclass(frozen=True)
class GatePolicy:
    """Thresholds of one gate. Losses and improvements are relative to the baseline.

    ``guard_metrics`` are fairness metrics besides the target that may not get worse by more than
    ``max_fairness_worsening`` (absolute: a gap may grow, a ratio shrink, by at most this much).
    ``alpha`` is the level of the significance checks; at 0.05 they read the 95 % interval.
    """

    min_fairness_improvement: float = 0.10
    max_accuracy_loss: float = 0.05
    require_significance: bool = True
    alpha: float = 0.05
    guard_metrics: tuple[str, ...] = DEFAULT_GUARDS
    max_fairness_worsening: float = 0.02


@dataclass
class GateVerdict:
    passed: bool
    reasons: list[str] = field(default_factory=list)
    fairness_improvement: float | None = None
    accuracy_loss: float | None = None
    policy: dict[str, Any] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def relative_improvement(before: float, after: float, *, higher_is_better: bool) -> float:
    """Share of the way the metric moved toward its ideal (0 for gaps, 1 for ratios)."""
    if higher_is_better:  # ratio metrics: ideal 1, improvement relative to the starting value
        return (after - before) / before if before > 0 else 0.0
    return (before - after) / before if before > 0 else (0.0 if after <= before else -1.0)


def significant_change(c: dict[str, Any], *, better: bool, higher_is_better: bool, alpha: float) -> bool | None:
    """Whether the change is significant in the given direction; ``None`` without an interval.

    Direction "better" for a lower-is-better metric means the whole interval lies below 0.
    """
    ci, p = c.get("ci95"), c.get("p_value")
    if not ci or p is None or not all(isinstance(v, (int, float)) for v in ci):
        return None
    up = (not better) ^ higher_is_better  # want the change to be positive
    beyond = ci[0] > 0 if up else ci[1] < 0
    return bool(beyond and p < alpha)


def significantly_worse(c: dict[str, Any], *, higher_is_better: bool, alpha: float) -> bool | None:
    """Whether the metric got significantly worse; ``None`` without an interval.

    With two groups a gap is signed in the baseline's group order (``before_signed``); when it reversed
    (``before_signed + delta < 0``), the unsigned gap grew only if the change fell below
    ``-2 * before_signed``, so that is what the interval must show.
    """
    worse = significant_change(c, better=False, higher_is_better=higher_is_better, alpha=alpha)
    start = c.get("before_signed")
    if worse is not None and not higher_is_better and start is not None and start + c["delta"] < 0:
        worse = bool(c["ci95"][1] < -2 * start)
    return worse


def _ci_text(c: dict[str, Any]) -> str:
    ci = c.get("ci95")
    if not ci:
        return "no interval"
    text = f"95% CI of change [{ci[0]:+.4f}, {ci[1]:+.4f}]"
    if c.get("p_value") is not None:
        text += f", p = {c['p_value']:.3g}"
        if c.get("p_value_bh") is not None:
            text += f" (BH {c['p_value_bh']:.3g})"
    return text


def evaluate_gate(
    target_metric: str,
    change: dict[str, dict[str, Any]],
    *,
    higher_is_better: bool,
    policy: GatePolicy = GatePolicy(),
    utility_metric: str = "accuracy",
) -> GateVerdict:
    """Check the fairness improvement, the loss in utility (accuracy, or NDCG for rankings) and the guards.

    ``change`` is :func:`fairmend.stats.compare`'s output (``ci95`` and ``p_value`` may be ``None`` when
    no statistics were computed). ``failed`` in the verdict names the checks that failed.
    """

    reasons: list[str] = []
    failed: list[str] = []
    sig = policy.require_significance
    t = change[target_metric]
    improvement = relative_improvement(t["before"], t["after"], higher_is_better=higher_is_better)
    ok_fair = improvement >= policy.min_fairness_improvement
    detail = f"gate needs >= {policy.min_fairness_improvement:.0%}"
    if sig:
        real = significant_change(t, better=True, higher_is_better=higher_is_better, alpha=policy.alpha)
        ok_fair = ok_fair and bool(real)
        detail += (" and a significant change in the better direction" if real is not None
                   else " and a significant change, but no interval was computed")
    reasons.append(
        f"{target_metric}: {t['before']:.4f} -> {t['after']:.4f} ({improvement:+.1%} improvement; {_ci_text(t)}; "
        f"{detail}) {'PASS' if ok_fair else 'FAIL'}"
    )
    if not ok_fair:
        failed.append(target_metric)

    a = change[utility_metric]
    loss = (a["before"] - a["after"]) / a["before"] if a["before"] > 0 else 0.0
    ok_acc = loss <= policy.max_accuracy_loss
    worse = significantly_worse(a, higher_is_better=True, alpha=policy.alpha) if sig else None
    if sig and worse is not None:
        ok_acc = ok_acc or not worse
    reasons.append(
        f"{utility_metric}: {a['before']:.4f} -> {a['after']:.4f} ({loss:.1%} relative loss; {_ci_text(a)}; "
        f"gate allows <= {policy.max_accuracy_loss:.0%}{' unless not significantly worse' if sig else ''}) "
        f"{'PASS' if ok_acc else 'FAIL'}"
    )
    if not ok_acc:
        failed.append(utility_metric)

    for m in policy.guard_metrics:
        if m == target_metric or m not in change or m not in FAIRNESS_METRICS:
            continue
        g = change[m]
        up = hib(m)
        worsening = (g["before"] - g["after"]) if up else (g["after"] - g["before"])
        ok = not worsening > policy.max_fairness_worsening
        worse = significantly_worse(g, higher_is_better=up, alpha=policy.alpha) if sig else None
        if sig and worse is not None:
            ok = ok or not worse
        if not ok:
            failed.append(m)
        reasons.append(
            f"{m} (guard): {g['before']:.4f} -> {g['after']:.4f} (may worsen by <= {policy.max_fairness_worsening}"
            f"{' unless not significantly worse' if sig else ''}; {_ci_text(g)}) {'PASS' if ok else 'FAIL'}"
        )
    return GateVerdict(not failed, reasons, improvement, loss, asdict(policy), failed)

"""Can the policy's targets hold together on this data? Checked before the pipeline searches.

Hardt, Price & Srebro (2016) show that every decision rule derived from a score by group-specific
(randomised) thresholds has, per group, an (FPR, TPR) point inside the convex hull of that group's ROC
curve. Selection rates, TPRs and FPRs of each protected attribute's groups, and accuracy, are linear in
the mixing weights over ROC points, so one linear programme per set of targets gives the best accuracy
any such post-processing of the baseline's scores can reach while meeting them:

* disparate impact ratio ``>= r``: ``s_g >= r * s_h`` for every pair of groups of an attribute;
* equalized-odds gap ``< d``: ``|TPR_g - TPR_h| <= d`` and ``|FPR_g - FPR_h| <= d``.

Comparing the optimum with no target, each target alone, and both together says what the targets
cost in accuracy and which one binds. The figures are measured on the selection rows and bound
post-processing of the baseline model; retraining (pre- or in-processing) may do better or worse.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fairmend.catalog.contracts import group_labels

_MAX_POINTS = 200  # ROC points kept per group (quantile thresholds); the hull is barely changed


@dataclass
class Feasibility:
    """Best reachable accuracy under each set of targets, and what that says about the policy."""

    base_rates: dict[str, dict[str, float]]
    accuracy: dict[str, float | None]  # "unconstrained", "disparate_impact", "equalized_odds", "both"
    budget: float  # the largest accuracy loss the policy accepts (relative)
    feasible: bool  # both targets reachable within the budget
    binding: str | None  # the target that costs most, when the budget is exceeded
    message: str
    measured_on: str = "selection"
    notes: list[str] = field(default_factory=lambda: [
        "bounds post-processing of the baseline's scores; the calibration (ECE) targets are not part of it"])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _roc_points(score: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(FPR, TPR) of thresholds at score quantiles, plus the all-reject and all-accept corners."""
    qs = np.unique(np.quantile(score, np.linspace(0, 1, min(_MAX_POINTS, len(score) + 1))))
    pos, neg = max(int((y == 1).sum()), 1), max(int((y == 0).sum()), 1)
    pts = [(((score >= t) & (y == 0)).sum() / neg, ((score >= t) & (y == 1)).sum() / pos) for t in qs]
    pts += [(0.0, 0.0), (1.0, 1.0)]
    return np.unique(np.asarray(pts, dtype=float), axis=0)


def _solve(groups: list[dict[str, Any]], attributes: dict[str, list[list[int]]], *, min_di: float | None,
           max_eo: float | None) -> float | None:
    """Best accuracy of a derived predictor meeting the targets (``None``: solver failure)."""
    from scipy.optimize import linprog

    offsets = np.cumsum([0] + [len(g["points"]) for g in groups])
    n_var, n_total = int(offsets[-1]), sum(g["n"] for g in groups)

    def rate(gi: int, kind: str) -> np.ndarray:
        """Coefficients of group ``gi``'s FPR, TPR or selection rate over the mixing weights."""
        row = np.zeros(n_var)
        pts, p = groups[gi]["points"], groups[gi]["base_rate"]
        col = {"fpr": pts[:, 0], "tpr": pts[:, 1], "sel": p * pts[:, 1] + (1 - p) * pts[:, 0]}[kind]
        row[offsets[gi]:offsets[gi + 1]] = col
        return row

    def pooled(members: list[int], kind: str) -> np.ndarray:
        weight = {"tpr": "n_pos", "fpr": "n_neg", "sel": "n"}[kind]
        total = sum(groups[i][weight] for i in members) or 1
        return sum(groups[i][weight] / total * rate(i, kind) for i in members)

    A_ub, b_ub = [], []
    for values in attributes.values():
        for i, gi in enumerate(values):
            for gj in values[i + 1:]:
                if min_di is not None:
                    si, sj = pooled(gi, "sel"), pooled(gj, "sel")
                    A_ub += [min_di * sj - si, min_di * si - sj]
                    b_ub += [0.0, 0.0]
                if max_eo is not None:
                    for kind in ("tpr", "fpr"):
                        d = pooled(gi, kind) - pooled(gj, kind)
                        A_ub += [d, -d]
                        b_ub += [max_eo, max_eo]
    A_eq = np.zeros((len(groups), n_var))
    for gi in range(len(groups)):
        A_eq[gi, offsets[gi]:offsets[gi + 1]] = 1.0
    acc = sum(g["n"] / n_total * (g["base_rate"] * rate(i, "tpr") + (1 - g["base_rate"]) * -rate(i, "fpr"))
              for i, g in enumerate(groups))
    constant = sum(g["n"] / n_total * (1 - g["base_rate"]) for g in groups)
    res = linprog(-acc, A_ub=np.asarray(A_ub) if A_ub else None, b_ub=np.asarray(b_ub) if b_ub else None,
                  A_eq=A_eq, b_eq=np.ones(len(groups)), bounds=(0, None), method="highs")
    return float(-res.fun + constant) if res.status == 0 else None


def check_feasibility(y: np.ndarray, score: np.ndarray | None, A: pd.DataFrame, *, min_di: float, max_eo: float,
                      max_accuracy_loss: float, min_group: int = 30) -> Feasibility:
    """The best accuracy a post-processing of ``score`` can keep under each target (module docstring)."""
    y = np.asarray(y).astype(int)
    base_rates = {col: {str(k): float(v) for k, v in pd.Series(y).groupby(A[col].astype(str).to_numpy()).mean().items()}
                  for col in A.columns}
    if score is None:
        return Feasibility(base_rates, {}, max_accuracy_loss, True, None,
                           "feasibility not computed: the baseline model gives no scores")
    joint = group_labels(A)
    labels = sorted(set(joint))
    groups = []
    for label in labels:
        m = joint == label
        groups.append({"label": label, "n": int(m.sum()), "n_pos": int(y[m].sum()), "n_neg": int((1 - y[m]).sum()),
                       "base_rate": float(y[m].mean()), "points": _roc_points(np.asarray(score)[m], y[m])})
    attributes: dict[str, list[list[int]]] = {}
    for col in A.columns:
        values = A[col].astype(str).to_numpy()
        value_of = [values[joint == label][0] for label in labels]  # each joint group has one value per column
        counts = pd.Series(values).value_counts()
        attributes[col] = [[i for i, v in enumerate(value_of) if v == value]
                           for value in sorted(counts[counts >= min_group].index)]
    accuracy = {
        "unconstrained": _solve(groups, attributes, min_di=None, max_eo=None),
        "disparate_impact": _solve(groups, attributes, min_di=min_di, max_eo=None),
        "equalized_odds": _solve(groups, attributes, min_di=None, max_eo=max_eo),
        "both": _solve(groups, attributes, min_di=min_di, max_eo=max_eo),
    }
    return _verdict(base_rates, accuracy, min_di, max_eo, max_accuracy_loss)


def _verdict(base_rates: dict[str, dict[str, float]], accuracy: dict[str, float | None], min_di: float,
             max_eo: float, budget: float) -> Feasibility:
    top = accuracy["unconstrained"]
    if top is None or any(v is None for v in accuracy.values()):
        return Feasibility(base_rates, accuracy, budget, True, None, "feasibility not computed: the solver failed")
    loss = {k: (top - v) / top for k, v in accuracy.items() if v is not None}
    names = {"disparate_impact": f"disparate impact ratio >= {min_di:g}",
             "equalized_odds": f"equalized-odds gap < {max_eo:g}"}
    feasible = loss["both"] <= budget + 1e-9
    if feasible:
        message = (f"{names['disparate_impact']} and {names['equalized_odds']} can hold together here: "
                   f"post-processing the baseline's scores keeps accuracy {accuracy['both']:.3f} "
                   f"({loss['both']:.1%} below its best {top:.3f}; the policy allows {budget:.0%})")
        return Feasibility(base_rates, accuracy, budget, True, None, message)
    binding = max(("disparate_impact", "equalized_odds"), key=lambda k: loss[k])
    other = "equalized_odds" if binding == "disparate_impact" else "disparate_impact"
    message = (f"{names['disparate_impact']} and {names['equalized_odds']} cannot both hold here without losing "
               f"at least {loss['both']:.1%} accuracy (best {accuracy['both']:.3f} vs {top:.3f}; the policy allows "
               f"{budget:.0%}) by post-processing the baseline; the binding target is {names[binding]} "
               f"(alone it costs {loss[binding]:.1%}, {names[other]} alone {loss[other]:.1%}): relax it, or accept "
               "the loss")
    return Feasibility(base_rates, accuracy, budget, False, binding, message)

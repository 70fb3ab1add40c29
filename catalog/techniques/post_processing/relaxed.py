"""Relaxed equalized odds over group ROC hulls, Cruz & Hardt (2024)."""

from __future__ import annotations

from itertools import combinations
from typing import Annotated, Any

import numpy as np
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.post_processing._common import (
    check_groups,
    check_labels,
    check_scores,
    groups_at_predict,
)
from sklearn.base import BaseEstimator

from fairmend.errors import InvalidParameterError, NotExecutableError

RELAXED_CONSTRAINTS = (
    "equalized_odds",
    "true_positive_rate_parity",
    "false_positive_rate_parity",
    "demographic_parity",
)


class RelaxedThresholdOptimizer(BaseEstimator):
    """Accuracy-maximising randomised group thresholds whose fairness gap is at most ``tolerance``.

    For every group and every candidate threshold (``n_thresholds`` score quantiles plus the
    all-positive and all-negative classifiers) the fitting data give an ROC point. A linear
    program picks, per group, a probability distribution ``lambda_g`` over its thresholds — a point
    in the group's ROC convex hull — maximising accuracy subject to ``|r_g - r_h| <= tolerance``
    for every pair of groups and every rate ``r`` the constraint names (TPR and FPR for equalized
    odds). ``tolerance=0`` is Hardt et al.'s exact post-processing; Cruz & Hardt show that
    relaxing it traces the whole fairness–accuracy frontier. Prediction draws a threshold per row
    from ``lambda_g`` (seeded by ``random_state``).

    Parameters
    ----------
    constraint : str
        ``equalized_odds``, ``true_positive_rate_parity``, ``false_positive_rate_parity`` or
        ``demographic_parity``.
    tolerance : float
        Largest allowed between-group difference of each constrained rate.
    n_thresholds : int
        Score quantiles used as candidate thresholds per group.
    random_state : int
        Seed of the randomised prediction.

    References
    ----------
    Cruz, A. F., Hardt, M. (2024). Unprocessing Seven Years of Algorithmic Fairness. ICLR.
    Hardt, M., Price, E., Srebro, N. (2016). Equality of Opportunity in Supervised Learning. NeurIPS.
    """

    def __init__(
        self,
        *,
        constraint: Annotated[str, Param('Rates whose between-group gap is bounded', choices=('equalized_odds', 'true_positive_rate_parity', 'false_positive_rate_parity', 'demographic_parity'))] = "equalized_odds",
        tolerance: Annotated[float, Param('Largest allowed gap (0 = exact Hardt et al.)', range=(0.0, 1.0), tunable=True)] = 0.05,
        n_thresholds: Annotated[int, Param('Candidate thresholds (score quantiles) per group', range=(1.0, 10000.0))] = 100,
        random_state: Annotated[int, Param('Seed of the randomised prediction', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.constraint = constraint
        self.tolerance = tolerance
        self.n_thresholds = n_thresholds
        self.random_state = random_state

    def fit(
        self, y_score: Any, y_true: Any, *, sensitive_features: Any, X: Any = None
    ) -> RelaxedThresholdOptimizer:
        from scipy.optimize import linprog

        if self.constraint not in RELAXED_CONSTRAINTS:
            raise InvalidParameterError(f"constraint must be one of {', '.join(RELAXED_CONSTRAINTS)}")
        if not 0.0 <= float(self.tolerance) <= 1.0:
            raise InvalidParameterError(f"tolerance must be in [0, 1], got {self.tolerance}")
        if int(self.n_thresholds) < 1:
            raise InvalidParameterError("n_thresholds must be at least 1")
        s = check_scores(y_score)
        y = check_labels(y_true, len(s))
        groups = check_groups(sensitive_features, len(s), technique="relaxed_threshold_optimizer")
        self.groups_ = sorted(set(groups.tolist()))
        n, n_g = len(s), len(self.groups_)
        rates: dict[str, dict[str, np.ndarray]] = {}
        self.thresholds_: dict[str, np.ndarray] = {}
        for g in self.groups_:
            m = groups == g
            if y[m].min() == y[m].max():
                raise NotExecutableError(f"group {g!r} has a single class; its ROC curve is undefined")
            t = np.unique(np.r_[np.quantile(s[m], np.linspace(0, 1, int(self.n_thresholds))), 0.0, np.inf])
            pred = s[m][None, :] >= t[:, None]
            pos, neg = y[m] == 1, y[m] == 0
            rates[g] = {
                "tpr": pred[:, pos].mean(axis=1),
                "fpr": pred[:, neg].mean(axis=1),
                "sel": pred.mean(axis=1),
                "n_pos": np.float64(pos.sum()),
                "n_neg": np.float64(neg.sum()),
            }
            self.thresholds_[g] = t
        sizes = [len(self.thresholds_[g]) for g in self.groups_]
        offsets = np.r_[0, np.cumsum(sizes)]
        n_var = int(offsets[-1])
        c = np.zeros(n_var)
        A_eq = np.zeros((n_g, n_var))
        for i, g in enumerate(self.groups_):
            sl = slice(offsets[i], offsets[i + 1])
            r = rates[g]
            c[sl] = -(r["n_pos"] * r["tpr"] - r["n_neg"] * r["fpr"]) / n  # maximise accuracy
            A_eq[i, sl] = 1.0
        keys = {
            "equalized_odds": ("tpr", "fpr"),
            "true_positive_rate_parity": ("tpr",),
            "false_positive_rate_parity": ("fpr",),
            "demographic_parity": ("sel",),
        }[self.constraint]
        rows = []
        for key in keys:
            for i, j in combinations(range(n_g), 2):
                row = np.zeros(n_var)
                row[offsets[i] : offsets[i + 1]] = rates[self.groups_[i]][key]
                row[offsets[j] : offsets[j + 1]] = -rates[self.groups_[j]][key]
                rows.extend([row, -row])
        A_ub = np.asarray(rows)
        b_ub = np.full(len(rows), float(self.tolerance))
        res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=np.ones(n_g), bounds=(0, 1), method="highs")
        if res.status != 0:
            raise NotExecutableError(f"relaxed_threshold_optimizer LP failed: {res.message}")
        x = np.clip(res.x, 0.0, None)
        self.mixtures_ = {}
        self.group_rates_ = {}
        for i, g in enumerate(self.groups_):
            w = x[offsets[i] : offsets[i + 1]]
            w = w / w.sum()
            self.mixtures_[g] = w
            self.group_rates_[g] = {k: float(w @ rates[g][k]) for k in ("tpr", "fpr", "sel")}
        self.fit_accuracy_ = float(-res.fun + sum(rates[g]["n_neg"] for g in self.groups_) / n)
        return self

    def predict(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        s = check_scores(y_score)
        groups = groups_at_predict(sensitive_features, len(s), self.groups_, "relaxed_threshold_optimizer")
        rng = np.random.RandomState(self.random_state)
        out = np.zeros(len(s), dtype=int)
        for g in self.groups_:
            idx = np.flatnonzero(groups == g)
            if len(idx) == 0:
                continue
            t = self.thresholds_[g][rng.choice(len(self.mixtures_[g]), size=len(idx), p=self.mixtures_[g])]
            out[idx] = (s[idx] >= t).astype(int)
        return out

"""Calibrated equalized odds, Pleiss, Raghavan, Wu, Kleinberg & Weinberger (2017)."""

from __future__ import annotations

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

from fairmend.errors import InvalidParameterError

COSTS = {"fpr": (1.0, 0.0), "fnr": (0.0, 1.0), "weighted": (1.0, 1.0)}


class CalibratedEqualizedOdds(BaseEstimator):
    """Equalise one generalised error rate across groups while keeping (within-group) calibration.

    Each group ``g`` has a cost ``c_g`` — its generalised false-positive rate (mean score of
    negatives), generalised false-negative rate (mean ``1 - score`` of positives), or their
    base-rate-weighted sum. Every group cheaper than the costliest one gives a random fraction
    ``alpha_g = (c_max - c_g) / (c_trivial_g - c_g)`` of its rows the group base rate as score
    (the trivial calibrated classifier), which raises its cost to ``c_max`` in expectation and
    keeps the scores calibrated. With two groups this is exactly Pleiss et al.'s Algorithm 1
    (AIF360's ``CalibratedEqOddsPostprocessing``); more groups are all moved to the largest cost.
    Input scores should be calibrated within groups (see ``group_specific_platt_scaling``).

    Randomness: at prediction, for each group in sorted label order, one uniform draw per row of
    that group (in row order) from ``numpy.random.RandomState(random_state)``.

    Parameters
    ----------
    cost_constraint : str
        ``fnr``, ``fpr`` or ``weighted``.
    threshold : float
        ``predict`` returns ``mixed score >= threshold``.
    random_state : int
        Seed of the mixing.

    References
    ----------
    Pleiss, G., Raghavan, M., Wu, F., Kleinberg, J., Weinberger, K. Q. (2017). On Fairness and
    Calibration. NeurIPS.
    """

    def __init__(
        self, *, cost_constraint: Annotated[str, Param('Generalised error rate equalised across groups', choices=('fnr', 'fpr', 'weighted'))] = "weighted", threshold: Annotated[float, Param('Decision threshold on the mixed score', range=(0.0, 1.0))] = 0.5, random_state: Annotated[int, Param('Seed of the mixing', range=(0.0, 2147483647.0))] = 0
    ) -> None:
        self.cost_constraint = cost_constraint
        self.threshold = threshold
        self.random_state = random_state

    def _cost(self, s: np.ndarray, y: np.ndarray) -> float:
        fp_w, fn_w = COSTS[self.cost_constraint]
        base = y.mean()
        gfpr = s[y == 0].mean() if (y == 0).any() else 0.0
        gfnr = (1.0 - s[y == 1]).mean() if (y == 1).any() else 0.0
        if fp_w and fn_w:
            norm = fp_w + fn_w
            return float(fp_w / norm * gfpr * (1.0 - base) + fn_w / norm * gfnr * base)
        return float(gfpr if fp_w else gfnr)

    def fit(
        self, y_score: Any, y_true: Any, *, sensitive_features: Any, X: Any = None
    ) -> CalibratedEqualizedOdds:
        if self.cost_constraint not in COSTS:
            raise InvalidParameterError(
                f"cost_constraint must be one of {', '.join(COSTS)}, got {self.cost_constraint!r}"
            )
        s = check_scores(y_score)
        y = check_labels(y_true, len(s))
        groups = check_groups(sensitive_features, len(s), technique="calibrated_equalized_odds_pleiss")
        self.groups_ = sorted(set(groups.tolist()))
        self.base_rates_, self.costs_, trivial = {}, {}, {}
        for g in self.groups_:
            m = groups == g
            self.base_rates_[g] = float(y[m].mean())
            self.costs_[g] = self._cost(s[m], y[m])
            trivial[g] = self._cost(np.full(m.sum(), self.base_rates_[g]), y[m])
        c_max = max(self.costs_.values())
        self.mix_rates_ = {}
        for g in self.groups_:
            gap = trivial[g] - self.costs_[g]
            rate = (c_max - self.costs_[g]) / gap if gap > 0 else 0.0
            self.mix_rates_[g] = float(np.clip(rate, 0.0, 1.0))
        return self

    def predict_proba(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        """Mixed scores: a group's base rate for the randomly chosen rows, the input score otherwise."""
        s = check_scores(y_score)
        groups = groups_at_predict(
            sensitive_features, len(s), self.groups_, "calibrated_equalized_odds_pleiss"
        )
        rng = np.random.RandomState(self.random_state)
        out = s.copy()
        for g in self.groups_:
            idx = np.flatnonzero(groups == g)
            if len(idx) == 0:
                continue
            swap = rng.random_sample(len(idx)) <= self.mix_rates_[g]
            out[idx[swap]] = self.base_rates_[g]
        return out

    def predict(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        return (self.predict_proba(y_score, sensitive_features=sensitive_features) >= self.threshold).astype(
            int
        )

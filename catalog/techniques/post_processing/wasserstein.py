"""Wasserstein fair classification, Jiang, Pacchiano, Stepleton, Jiang & Chiappa (2019)."""

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


class WassersteinFairClassification(BaseEstimator):
    """Move each group's score distribution toward the Wasserstein-2 barycenter of all groups.

    In one dimension the barycenter's quantile function is the group-size-weighted mean of the
    groups' quantile functions, and the optimal transport map of group ``g`` is
    ``Q_bar(F_g(s))``. The repaired score is ``(1 - repair_level) s + repair_level Q_bar(F_g(s))``;
    at ``repair_level = 1`` every group has the same score distribution, so any threshold gives
    (strong) demographic parity. This is the post-processing form of Jiang et al.'s method (the
    paper also trains with a Wasserstein penalty; we repair a deployed model's scores).

    Parameters
    ----------
    repair_level : float
        0 = no change, 1 = full repair.
    n_quantiles : int
        Resolution of the stored quantile functions.
    threshold : float
        Decision threshold of ``predict`` on the repaired score.

    References
    ----------
    Jiang, R., Pacchiano, A., Stepleton, T., Jiang, H., Chiappa, S. (2019). Wasserstein Fair
    Classification. UAI (PMLR 115, 2020).
    """

    def __init__(self, *, repair_level: Annotated[float, Param('0 = unchanged scores, 1 = every group mapped onto the barycenter', range=(0.0, 1.0), tunable=True)] = 1.0, n_quantiles: Annotated[int, Param('Resolution of the stored quantile functions', range=(2.0, 100000.0))] = 1000, threshold: Annotated[float, Param('Decision threshold on the repaired score', range=(0.0, 1.0))] = 0.5) -> None:
        self.repair_level = repair_level
        self.n_quantiles = n_quantiles
        self.threshold = threshold

    def fit(
        self, y_score: Any, y_true: Any = None, *, sensitive_features: Any, X: Any = None
    ) -> WassersteinFairClassification:
        if not 0.0 <= float(self.repair_level) <= 1.0:
            raise InvalidParameterError(f"repair_level must be in [0, 1], got {self.repair_level}")
        if int(self.n_quantiles) < 2:
            raise InvalidParameterError("n_quantiles must be at least 2")
        s = check_scores(y_score)
        if y_true is not None:
            check_labels(y_true, len(s))
        groups = check_groups(sensitive_features, len(s), technique="wasserstein_fair_classification_jiang")
        self.groups_ = sorted(set(groups.tolist()))
        self.levels_ = np.linspace(0.0, 1.0, int(self.n_quantiles))
        self.group_quantiles_ = {g: np.quantile(s[groups == g], self.levels_) for g in self.groups_}
        weights = np.array([np.mean(groups == g) for g in self.groups_])
        self.barycenter_quantiles_ = np.sum(
            [w * self.group_quantiles_[g] for w, g in zip(weights, self.groups_, strict=True)], axis=0
        )
        return self

    def predict_proba(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        """Repaired scores (1-D)."""
        s = check_scores(y_score)
        groups = groups_at_predict(
            sensitive_features, len(s), self.groups_, "wasserstein_fair_classification_jiang"
        )
        out = s.copy()
        lam = float(self.repair_level)
        for g in self.groups_:
            m = groups == g
            if not m.any():
                continue
            q = self.group_quantiles_[g]
            # F_g(s): average of the left and right ranks, robust to ties and flat quantile runs
            lo = np.interp(s[m], q, self.levels_, left=0.0, right=1.0)
            hi = 1.0 - np.interp(-s[m], -q[::-1], self.levels_, left=0.0, right=1.0)
            u = np.clip((lo + hi) / 2.0, 0.0, 1.0)
            out[m] = (1.0 - lam) * s[m] + lam * np.interp(u, self.levels_, self.barycenter_quantiles_)
        return np.clip(out, 0.0, 1.0)

    def predict(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        return (self.predict_proba(y_score, sensitive_features=sensitive_features) >= self.threshold).astype(
            int
        )

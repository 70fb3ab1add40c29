"""Fair regression by Wasserstein barycenters (Chzhen, Denis, Hebiri, Oneto & Pontil 2020)."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.post_processing._common import check_groups, groups_at_predict
from sklearn.base import BaseEstimator

from fairmend.errors import DataError, InvalidParameterError

KEY = "wasserstein_barycenter_fair_regression"


def check_predictions(y_score: Any, name: str = "y_score") -> np.ndarray:
    """Regression predictions as a finite 1-D float array."""
    arr = np.asarray(y_score, dtype=float).ravel()
    if arr.size == 0:
        raise DataError(f"{name} is empty")
    if not np.all(np.isfinite(arr)):
        raise DataError(f"{name} contains missing or infinite values")
    return arr


class WassersteinBarycenterRegression(BaseEstimator):
    """Replace each group's predictions by the Wasserstein-2 barycenter of the groups' distributions.

    Chzhen et al. (2020, Thm. 2.3) show that the optimal predictor under strong demographic
    parity (the prediction's distribution does not depend on the group) is
    ``g(x, s) = sum_{s'} p_{s'} Q_{f|s'}(F_{f|s}(f(x, s)))``: the group-size-weighted mean of the
    groups' quantile functions evaluated at the row's rank within its own group. ``fit`` stores
    the groups' (jittered) predictions from an unlabelled calibration sample; ``predict`` applies
    the map. As in the paper's Algorithm 1 a uniform jitter ``U[-jitter, jitter]`` breaks ties so
    the ranks are continuous. ``repair_level`` interpolates between the original (0) and the
    fair prediction (1), the paper's partial-fairness relaxation (Sec. 5).

    Parameters
    ----------
    repair_level : float
        0 = unchanged, 1 = full barycenter repair.
    jitter : float
        Half-width of the uniform tie-breaking noise, in units of the prediction.
    random_state : int
        Seed of the jitter.

    References
    ----------
    Chzhen, E., Denis, C., Hebiri, M., Oneto, L., Pontil, M. (2020). Fair Regression with
    Wasserstein Barycenters. NeurIPS 2020.
    """

    def __init__(self, *, repair_level: Annotated[float, Param('0 = unchanged, 1 = full barycenter repair', range=(0.0, 1.0), tunable=True)] = 1.0, jitter: Annotated[float, Param('Half-width of the uniform tie-breaking noise, in units of the prediction', range=(0.0, 1.0))] = 1e-5, random_state: Annotated[int, Param('Seed of the jitter', range=(0.0, 2147483647.0))] = 0) -> None:
        self.repair_level = repair_level
        self.jitter = jitter
        self.random_state = random_state

    def fit(
        self, y_score: Any, y_true: Any = None, *, sensitive_features: Any, X: Any = None
    ) -> WassersteinBarycenterRegression:
        if not 0.0 <= float(self.repair_level) <= 1.0:
            raise InvalidParameterError(f"repair_level must be in [0, 1], got {self.repair_level}")
        if float(self.jitter) < 0.0:
            raise InvalidParameterError(f"jitter must be non-negative, got {self.jitter}")
        f = check_predictions(y_score)
        if y_true is not None and len(np.asarray(y_true).ravel()) != len(f):
            raise DataError(f"y_true has {len(np.asarray(y_true).ravel())} rows but y_score has {len(f)}")
        groups = check_groups(sensitive_features, len(f), technique=KEY)
        rng = np.random.default_rng(self.random_state)
        f = f + rng.uniform(-float(self.jitter), float(self.jitter), len(f))
        self.groups_ = sorted(set(groups.tolist()))
        self.sorted_predictions_ = {g: np.sort(f[groups == g]) for g in self.groups_}
        self.weights_ = {g: float(np.mean(groups == g)) for g in self.groups_}
        return self

    def _quantile(self, g: Any, u: np.ndarray) -> np.ndarray:
        v = self.sorted_predictions_[g]
        return np.quantile(v, np.clip(u, 0.0, 1.0), method="inverted_cdf")

    def predict(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        f = check_predictions(y_score)
        groups = groups_at_predict(sensitive_features, len(f), self.groups_, KEY)
        rng = np.random.default_rng(self.random_state + 1)
        fj = f + rng.uniform(-float(self.jitter), float(self.jitter), len(f))
        out = f.copy()
        lam = float(self.repair_level)
        for g in self.groups_:
            m = groups == g
            if not m.any():
                continue
            v = self.sorted_predictions_[g]
            u = np.searchsorted(v, fj[m], side="right") / len(v)  # empirical CDF of group g
            fair = sum(w * self._quantile(h, u) for h, w in self.weights_.items())
            out[m] = (1.0 - lam) * f[m] + lam * fair
        return out

    def predict_proba(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        """Same as :meth:`predict` (the repaired continuous prediction)."""
        return self.predict(y_score, sensitive_features=sensitive_features)

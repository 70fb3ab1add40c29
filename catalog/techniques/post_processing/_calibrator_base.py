"""Base class of the score calibrators: pooled or per-group fitting of a one-dimensional map."""

from __future__ import annotations

from typing import Any

import numpy as np
from fairmend.catalog.contracts import group_labels
from fairmend.catalog.techniques.post_processing._common import (
    EPS,
    check_labels,
    check_scores,
    groups_at_predict,
)
from scipy.optimize import minimize
from sklearn.base import BaseEstimator

from fairmend.errors import DataError, InvalidParameterError, SingleGroupError

MIN_GROUP_ROWS = 20


class Calibrator(BaseEstimator):
    """Fit ``_fit_one(s, y) -> state`` on all rows or on each group; ``_apply_one(state, s) -> p``.

    With ``per_group=True`` one map is fitted per group (the route to calibration *within* groups,
    Pleiss et al. 2017); groups with fewer than 20 rows or a single class fall back to the pooled
    map. ``predict`` thresholds the calibrated probability at ``threshold``.
    """

    per_group: bool
    threshold: float
    _key = "calibrator"

    def _fit_one(self, s: np.ndarray, y: np.ndarray) -> Any:  # pragma: no cover - abstract
        raise TypeError("subclasses implement _fit_one")

    def _apply_one(self, state: Any, s: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise TypeError("subclasses implement _apply_one")

    def _check_params(self) -> None:
        """Subclasses validate their own parameters here."""

    def fit(self, y_score: Any, y_true: Any, *, sensitive_features: Any = None, X: Any = None) -> Calibrator:
        if not 0.0 < float(self.threshold) < 1.0:
            raise InvalidParameterError(f"threshold must be in (0, 1), got {self.threshold}")
        self._check_params()
        s = check_scores(y_score)
        y = check_labels(y_true, len(s))
        self.pooled_ = self._fit_one(s, y)
        self.group_maps_: dict[str, Any] = {}
        self.groups_: list[str] = []
        if self.per_group:
            if sensitive_features is None:
                raise DataError(f"{self._key} with per_group=True needs sensitive_features")
            groups = group_labels(sensitive_features)
            if len(groups) != len(s):
                raise DataError(f"sensitive_features has {len(groups)} rows but the scores have {len(s)}")
            self.groups_ = sorted(set(groups.tolist()))
            if len(self.groups_) < 2:
                raise SingleGroupError(f"sensitive_features has a single group {self.groups_[0]!r}")
            for g in self.groups_:
                m = groups == g
                if m.sum() >= MIN_GROUP_ROWS and 0 < y[m].sum() < m.sum():
                    self.group_maps_[g] = self._fit_one(s[m], y[m])
        return self

    def predict_proba(self, y_score: Any, *, sensitive_features: Any = None, X: Any = None) -> np.ndarray:
        """Calibrated P(y = 1) per row (1-D)."""
        s = check_scores(y_score)
        if not self.per_group:
            return np.clip(self._apply_one(self.pooled_, s), 0.0, 1.0)
        groups = groups_at_predict(sensitive_features, len(s), self.groups_, self._key)
        out = np.empty(len(s))
        for g in np.unique(groups):
            m = groups == g
            out[m] = self._apply_one(self.group_maps_.get(g, self.pooled_), s[m])
        return np.clip(out, 0.0, 1.0)

    def predict(self, y_score: Any, *, sensitive_features: Any = None, X: Any = None) -> np.ndarray:
        return (self.predict_proba(y_score, sensitive_features=sensitive_features) >= self.threshold).astype(
            int
        )


def fit_logistic(features: np.ndarray, targets: np.ndarray, *, nonneg: tuple[int, ...] = ()) -> np.ndarray:
    """Weights ``w`` (last = intercept) minimising the log loss of ``sigmoid(features @ w[:-1] + w[-1])``.

    ``targets`` may be soft (Platt's smoothed labels); coefficients listed in ``nonneg`` are
    bounded below by 0 (beta calibration).
    """
    Z = np.column_stack([features, np.ones(len(features))])
    t = np.asarray(targets, dtype=float)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = Z @ w
        # log(1 + e^z) - t z, computed stably
        val = np.logaddexp(0.0, z) - t * z
        p = 0.5 * (1.0 + np.tanh(0.5 * z))
        return float(val.mean()), Z.T @ (p - t) / len(t)

    bounds = [(0.0, None) if i in nonneg else (None, None) for i in range(Z.shape[1])]
    w0 = np.zeros(Z.shape[1])
    w0[: features.shape[1]] = 1.0
    res = minimize(loss, w0, jac=True, method="L-BFGS-B", bounds=bounds)
    return np.asarray(res.x)


def clip01(s: np.ndarray) -> np.ndarray:
    return np.clip(s, EPS, 1.0 - EPS)

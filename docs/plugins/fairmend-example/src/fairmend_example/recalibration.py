"""Per-group recalibration-in-the-large (Steyerberg 2009, ch. 20).

Adds one log-odds offset per group so that each group's mean predicted probability equals its
observed positive rate on the calibration data. It is the one-parameter special case of
group-specific Platt scaling: it fixes calibration-in-the-large without changing the ranking of
scores within a group.
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fairmend.catalog import Param
from scipy.optimize import brentq
from scipy.special import expit, logit


def _groups(sensitive_features) -> np.ndarray:  # type: ignore[no-untyped-def]
    arr = np.asarray(sensitive_features, dtype=object)
    if arr.ndim == 2:
        return np.array(["|".join(map(str, row)) for row in arr], dtype=object)
    return arr.astype(str)


class GroupRecalibrationInTheLarge:
    """Post-processor (fairmend ``postprocessor`` contract) with one intercept shift per group.

    Parameters
    ----------
    threshold : float
        Decision threshold applied to the recalibrated probability in ``predict``.
    """

    def __init__(self, threshold: Annotated[float, Param("Decision threshold.", range=(0.0, 1.0))] = 0.5) -> None:
        self.threshold = threshold

    def fit(self, y_score, y_true, *, sensitive_features, X=None):  # type: ignore[no-untyped-def]
        s = np.clip(np.asarray(y_score, dtype=float), 1e-6, 1 - 1e-6)
        y = np.asarray(y_true, dtype=float)
        g = _groups(sensitive_features)
        self.offsets_: dict[str, float] = {}
        for group in np.unique(g):
            mask = g == group
            target = y[mask].mean()
            z = logit(s[mask])
            if target <= 0 or target >= 1:
                self.offsets_[group] = 0.0
                continue
            self.offsets_[group] = float(brentq(lambda b: expit(z + b).mean() - target, -20, 20))
        return self

    def predict_proba(self, y_score, *, sensitive_features, X=None):  # type: ignore[no-untyped-def]
        s = np.clip(np.asarray(y_score, dtype=float), 1e-6, 1 - 1e-6)
        g = _groups(sensitive_features)
        shift = np.array([self.offsets_.get(v, 0.0) for v in g])
        return expit(logit(s) + shift)

    def predict(self, y_score, *, sensitive_features, X=None):  # type: ignore[no-untyped-def]
        return (self.predict_proba(y_score, sensitive_features=sensitive_features) >= self.threshold).astype(int)

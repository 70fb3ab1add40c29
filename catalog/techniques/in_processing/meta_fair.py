"""Meta-algorithm for classification under a statistical-rate constraint (Celis et al. 2019).

aif360's ``MetaFairClassifier`` is broken upstream (AIF360 #454), so this is our own version of
the paper's statistical-rate (demographic-parity) case for two groups. Celis et al. show that the
optimal classifier under a linear-fractional constraint is a group-dependent shift of the Bayes
classifier, ``f_λ(x) = 1[ η(x) − ½ + λ · (π₁(x)/p₁ − π₀(x)/p₀) > 0 ]`` with ``η(x) = P(y=1|x)``,
``π_z(x) = P(z|x)`` and ``p_z = P(z)``, and the meta-algorithm searches the Lagrange multiplier
``λ``. Like the published rule we use an estimate of ``P(z|x)``, not ``z``, at prediction. Both
``η`` and ``π`` are logistic regressions on the encoded features; ``λ`` is chosen on a grid as the
most accurate classifier whose training statistical rate ``min_z P(f=1|z) / max_z P(f=1|z)`` is
at least ``tau``.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.in_processing._common import (
    FeatureEncoder,
    check_binary_labels,
    check_groups,
    check_sample_weight,
    proba_columns,
)
from sklearn.base import BaseEstimator, ClassifierMixin

from fairmend.errors import InvalidParameterError


def statistical_rate(pred: np.ndarray, z: np.ndarray, w: np.ndarray | None = None) -> float:
    """``min_z P(f=1|z) / max_z P(f=1|z)`` (1 when no group gets a positive)."""
    w = np.ones(len(pred)) if w is None else w
    rates = [np.average(pred[z == g], weights=w[z == g]) for g in np.unique(z)]
    return 1.0 if max(rates) == 0 else float(min(rates) / max(rates))


class MetaFairClassifier(ClassifierMixin, BaseEstimator):
    """Statistical-rate-constrained classifier by Lagrangian shift of the Bayes rule.

    Parameters
    ----------
    tau : float
        Required statistical rate (ratio of positive rates) in [0, 1]; 0 is unconstrained.
    n_grid : int
        Number of multipliers tried on each side of 0.
    C : float
        Inverse L2 strength of the two logistic regressions.

    References
    ----------
    Celis, L. E., Huang, L., Keswani, V., Vishnoi, N. K. (2019). Classification with Fairness
    Constraints: A Meta-Algorithm with Provable Guarantees. FAT* 2019.
    """

    def __init__(self, *, tau: Annotated[float, Param('Required statistical rate (min/max positive-rate ratio)', range=(0.0, 1.0), tunable=True)] = 0.8, n_grid: Annotated[int, Param('Multipliers tried on each side of 0', range=(1.0, 100000.0))] = 200, C: Annotated[float, Param('Inverse L2 strength of the two logistic regressions', range=(0.0001, 10000.0))] = 1.0) -> None:
        self.tau = tau
        self.n_grid = n_grid
        self.C = C

    def _components(self, Xe: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        eta = self.label_model_.predict_proba(Xe)[:, 1]
        pi1 = self.group_model_.predict_proba(Xe)[:, 1]
        return eta, pi1 / self.p_[1] - (1 - pi1) / self.p_[0]

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> MetaFairClassifier:
        from sklearn.linear_model import LogisticRegression

        if not 0.0 <= self.tau <= 1.0:
            raise InvalidParameterError(f"tau must be in [0, 1], got {self.tau}")
        y_arr = check_binary_labels(y)
        groups = check_groups(sensitive_features, len(y_arr), binary=True, technique="MetaFairClassifier")
        w = check_sample_weight(sample_weight, len(y_arr))
        self.groups_ = np.array(sorted(set(groups.tolist())), dtype=object)
        z = (groups == self.groups_[1]).astype(int)
        self.encoder_ = FeatureEncoder()
        Xe = self.encoder_.fit_transform(X)
        self.label_model_ = LogisticRegression(C=self.C, max_iter=1000).fit(Xe, y_arr, sample_weight=w)
        self.group_model_ = LogisticRegression(C=self.C, max_iter=1000).fit(Xe, z, sample_weight=w)
        self.p_ = np.array([np.average(1 - z, weights=w), np.average(z, weights=w)])
        eta, shift = self._components(Xe)
        scale = float(np.max(np.abs(shift))) or 1.0
        grid = np.concatenate([[0.0], np.linspace(-1, 1, 2 * self.n_grid + 1) / scale])
        best: tuple[float, float, float] | None = None  # (accuracy, rate, lambda)
        fallback: tuple[float, float, float] | None = None
        for lam in grid:
            pred = (eta - 0.5 + lam * shift > 0).astype(int)
            acc = float(np.average(pred == y_arr, weights=w))
            rate = statistical_rate(pred, z, w)
            if rate >= self.tau and (best is None or acc > best[0]):
                best = (acc, rate, lam)
            if fallback is None or rate > fallback[1]:
                fallback = (acc, rate, lam)
        chosen = best if best is not None else fallback
        assert chosen is not None
        self.train_accuracy_, self.train_statistical_rate_, self.lambda_ = chosen
        self.feasible_ = best is not None
        self.classes_ = np.array([0, 1])
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        eta, shift = self._components(self.encoder_.transform(X))
        return eta - 0.5 + self.lambda_ * shift

    def predict_proba(self, X: Any) -> np.ndarray:
        """Shifted score mapped to [0, 1] (``clip(η + λ·shift)``); thresholded at ½ by ``predict``."""
        return proba_columns(self.decision_function(X) + 0.5)

    def predict(self, X: Any) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(int)


__all__ = ["MetaFairClassifier", "statistical_rate"]

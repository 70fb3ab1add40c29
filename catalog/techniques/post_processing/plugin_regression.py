"""Fair regression via plug-in estimator and recalibration (Chzhen, Denis, Hebiri, Oneto & Pontil 2020)."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.post_processing._common import check_groups, groups_at_predict
from fairmend.catalog.techniques.post_processing.wasserstein_regression import check_predictions
from sklearn.base import BaseEstimator

from fairmend.errors import DataError, InvalidParameterError

KEY = "plugin_recalibration_fair_regression"


def _softmin_weights(cost: np.ndarray, beta: float) -> np.ndarray:
    z = -beta * (cost - cost.min(axis=1, keepdims=True))
    w = np.exp(z)
    return w / w.sum(axis=1, keepdims=True)


class PluginRecalibrationRegression(BaseEstimator):
    """Discretised epsilon-fair recalibration of a regression model's predictions.

    Chzhen et al. (2020) round a plug-in regression estimate ``f(x, s)`` onto a uniform grid of
    levels ``y_1 < ... < y_L`` and require, for every level ``l`` and group ``s``,
    ``|P(g = y_l | S = s) - P(g = y_l)| <= epsilon`` (epsilon-demographic parity of the
    discretised prediction). The optimal rule has the form
    ``g(x, s) = argmin_l (f(x, s) - y_l)^2 + nu_{l s} / p_s - sum_{s'} nu_{l s'}``, where
    ``nu = lambda_plus - lambda_minus`` are the multipliers of the two sides of the constraint.
    As in the paper the multipliers are obtained by minimising the (entropically smoothed,
    parameter ``beta``) convex dual on *unlabelled* predictions of a calibration sample —
    here by projected gradient steps with Adam — and a small uniform jitter makes the
    predictions continuous so that ties have probability zero. Predictions are rescaled to
    [0, 1] internally (the grid spans the calibration predictions' range).

    Parameters
    ----------
    n_levels : int
        Number of grid levels ``L``.
    epsilon : float
        Allowed deviation of a group's level frequency from the overall one.
    beta : float
        Smoothing of the dual (inverse temperature, on the [0, 1]-rescaled scale).
    max_iter : int
        Dual optimisation steps.
    jitter : float
        Half-width of the uniform tie-breaking noise (rescaled units).
    random_state : int
        Seed of the jitter.

    References
    ----------
    Chzhen, E., Denis, C., Hebiri, M., Oneto, L., Pontil, M. (2020). Fair Regression via Plug-in
    Estimator and Recalibration with Statistical Guarantees. NeurIPS 2020.
    """

    def __init__(
        self,
        *,
        n_levels: Annotated[int, Param('Number of grid levels ``L``', range=(2.0, 1000.0))] = 30,
        epsilon: Annotated[float, Param("Allowed deviation of a group's level frequency from the overall one", range=(0.0, 1.0), tunable=True)] = 0.005,
        beta: Annotated[float, Param('Smoothing of the dual (inverse temperature, on the [0, 1]-rescaled scale)', range=(1.0, 10000000.0))] = 2000.0,
        max_iter: Annotated[int, Param('Dual optimisation steps', range=(1.0, 1000000.0))] = 2000,
        jitter: Annotated[float, Param('Half-width of the uniform tie-breaking noise (rescaled units)', range=(0.0, 1.0))] = 1e-4,
        random_state: Annotated[int, Param('Seed of the jitter', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.n_levels = n_levels
        self.epsilon = epsilon
        self.beta = beta
        self.max_iter = max_iter
        self.jitter = jitter
        self.random_state = random_state

    def _check_params(self) -> None:
        if int(self.n_levels) < 2:
            raise InvalidParameterError(f"n_levels must be at least 2, got {self.n_levels}")
        if not 0.0 <= float(self.epsilon) <= 1.0:
            raise InvalidParameterError(f"epsilon must be in [0, 1], got {self.epsilon}")
        if float(self.beta) <= 0.0 or int(self.max_iter) < 1 or float(self.jitter) < 0.0:
            raise InvalidParameterError("beta must be positive, max_iter >= 1 and jitter >= 0")

    def _costs(
        self, f: np.ndarray, groups: np.ndarray, nu: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        u = (f - self.low_) / self.scale_ + rng.uniform(-float(self.jitter), float(self.jitter), len(f))
        cost = (u[:, None] - self.grid_[None, :]) ** 2
        total = nu.sum(axis=0)  # sum_{s'} nu_{l s'}
        for gi, g in enumerate(self.groups_):
            m = groups == g
            cost[m] += nu[gi] / self.weights_[gi] - total
        return cost

    def fit(
        self, y_score: Any, y_true: Any = None, *, sensitive_features: Any, X: Any = None
    ) -> PluginRecalibrationRegression:
        self._check_params()
        f = check_predictions(y_score)
        if y_true is not None and len(np.asarray(y_true).ravel()) != len(f):
            raise DataError(f"y_true has {len(np.asarray(y_true).ravel())} rows but y_score has {len(f)}")
        groups = check_groups(sensitive_features, len(f), technique=KEY)
        self.groups_ = sorted(set(groups.tolist()))
        self.weights_ = np.array([np.mean(groups == g) for g in self.groups_])
        self.low_, high = float(f.min()), float(f.max())
        self.scale_ = max(high - self.low_, 1e-12)
        L, G, eps, beta = int(self.n_levels), len(self.groups_), float(self.epsilon), float(self.beta)
        self.grid_ = np.linspace(0.0, 1.0, L)
        self.levels_ = self.low_ + self.scale_ * self.grid_
        member = np.stack([groups == g for g in self.groups_])  # (G, n)
        lam = np.zeros((2, G, L))  # lambda_plus, lambda_minus >= 0
        m1, m2 = np.zeros_like(lam), np.zeros_like(lam)
        lr = 0.1 / beta
        for t in range(1, int(self.max_iter) + 1):
            rng = np.random.default_rng(self.random_state)
            w = _softmin_weights(self._costs(f, groups, lam[0] - lam[1], rng), beta)
            per_group = (member @ w) / member.sum(axis=1, keepdims=True)  # P_s(level)
            overall = w.mean(axis=0)
            viol = per_group - overall[None, :]
            # ascent direction of the concave dual in (lambda_plus, lambda_minus)
            grad = np.stack([viol - eps, -viol - eps])
            m1 = 0.9 * m1 + 0.1 * grad
            m2 = 0.999 * m2 + 0.001 * grad**2
            step = lr * (m1 / (1 - 0.9**t)) / (np.sqrt(m2 / (1 - 0.999**t)) + 1e-12)
            lam = np.maximum(lam + step, 0.0)
        self.multipliers_ = lam[0] - lam[1]
        self.max_violation_ = float(np.abs(viol).max())
        return self

    def predict(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        """The recalibrated prediction: one of ``levels_`` per row."""
        f = check_predictions(y_score)
        groups = groups_at_predict(sensitive_features, len(f), self.groups_, KEY)
        rng = np.random.default_rng(self.random_state + 1)
        cost = self._costs(f, groups, self.multipliers_, rng)
        return self.levels_[cost.argmin(axis=1)]

    def predict_proba(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        """Same as :meth:`predict` (the recalibrated continuous prediction)."""
        return self.predict(y_score, sensitive_features=sensitive_features)

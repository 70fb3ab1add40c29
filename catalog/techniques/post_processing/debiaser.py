"""Randomized threshold optimizer for demographic parity (Alabdulmohsin & Lucic 2021)."""

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

KEY = "ml_debiaser_randomized_threshold"


def _ramp(s: np.ndarray, offset: float, gamma: float) -> np.ndarray:
    """P(h = 1) of the regularised rule: ``clip((2 s - 1 - offset) / gamma, 0, 1)``."""
    return np.clip((2.0 * s - 1.0 - offset) / gamma, 0.0, 1.0)


def _offset_for_rate(s: np.ndarray, rate: float, gamma: float) -> float:
    """Bisection for the dual variable ``offset`` with ``mean(ramp(s, offset)) == rate``."""
    lo, hi = -1.0 - gamma - 1e-9, 1.0 + 1e-9  # mean ramp is 1 at lo, 0 at hi, non-increasing
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if _ramp(s, mid, gamma).mean() > rate:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _gain(s_sorted_desc_cum: np.ndarray, n: int, rate: float) -> float:
    """max E[h (2 s - 1)] over rules selecting a fraction ``rate`` of the group (top scores first).

    Concave and piecewise linear in ``rate``; the fractional last row is the randomisation.
    """
    k = rate * n
    i = int(np.floor(k))
    frac = k - i
    total = s_sorted_desc_cum[i]
    if i < n:
        total += frac * (s_sorted_desc_cum[i + 1] - s_sorted_desc_cum[i])
    return float(total / n)


class RandomizedThresholdOptimizer(BaseEstimator):
    """Per-group randomised thresholds bounding the demographic-parity gap (Alabdulmohsin & Lucic 2021).

    The paper post-processes a trained model's score ``f(x)`` by solving
    ``min_h E[(h(x) - f(x))^2]`` over randomised rules ``h`` subject to
    ``|P(h = 1 | A = g) - rho| <= epsilon`` for every group ``g`` and some common ``rho``; with the
    paper's ``gamma``-regularisation the Lagrangian is maximised pointwise by the randomised
    threshold rule ``P(h(x) = 1) = clip((2 f(x) - 1 - lambda_g) / gamma, 0, 1)`` (a ramp of width
    ``gamma / 2`` in score units around the group threshold ``(1 + lambda_g) / 2``).

    Instead of the paper's stochastic dual ascent we solve the program exactly for binary
    outcomes: for a fixed group selection rate ``r_g`` the best rule selects the group's top
    ``r_g`` fraction of scores, whose objective ``E[h (2 f - 1)]`` is concave in ``r_g``, so for
    every ``rho`` on a fine grid each group's optimal rate is its unconstrained optimum
    (``P(f > 1/2 | g)``) clipped into ``[rho - epsilon, rho + epsilon]``; the ``rho`` with the
    largest total objective is kept. The dual variable ``lambda_g`` of each group is then found
    by bisection so that the ramp rule selects exactly ``r_g`` on the fitting data. The result is
    the paper's randomised threshold rule with the (epsilon-)optimal rates.

    ``predict_proba`` returns ``P(h = 1)`` per row (the randomised rule); ``predict`` samples it
    with ``random_state``.

    Parameters
    ----------
    epsilon : float
        Allowed deviation of each group's selection rate from the common rate ``rho``
        (so the demographic-parity difference is at most ``2 epsilon``).
    gamma : float
        Regularisation of the paper; width of the randomisation ramp (0 < gamma).
    grid_size : int
        Number of candidate common rates ``rho`` in [0, 1].
    random_state : int
        Seed of the randomised prediction.

    References
    ----------
    Alabdulmohsin, I., Lucic, M. (2021). A Near-Optimal Algorithm for Debiasing Trained Machine
    Learning Models. NeurIPS 2021.
    """

    def __init__(
        self, *, epsilon: Annotated[float, Param("Allowed deviation of each group's selection rate from the common rate ``rho`` (so the demographic-parity difference is at most ``2 epsilon``)", range=(0.0, 1.0), tunable=True)] = 0.01, gamma: Annotated[float, Param('Regularisation of the paper; width of the randomisation ramp (0 < gamma)', range=(1e-06, 1.0))] = 0.05, grid_size: Annotated[int, Param('Number of candidate common rates ``rho`` in [0, 1]', range=(11.0, 100001.0))] = 1001, random_state: Annotated[int, Param('Seed of the randomised prediction', range=(0.0, 2147483647.0))] = 0
    ) -> None:
        self.epsilon = epsilon
        self.gamma = gamma
        self.grid_size = grid_size
        self.random_state = random_state

    def fit(
        self, y_score: Any, y_true: Any = None, *, sensitive_features: Any, X: Any = None
    ) -> RandomizedThresholdOptimizer:
        eps, gamma = float(self.epsilon), float(self.gamma)
        if not 0.0 <= eps <= 0.5:
            raise InvalidParameterError(f"epsilon must be in [0, 0.5], got {self.epsilon}")
        if gamma <= 0.0:
            raise InvalidParameterError(f"gamma must be positive, got {self.gamma}")
        if int(self.grid_size) < 2:
            raise InvalidParameterError("grid_size must be at least 2")
        s = check_scores(y_score)
        if y_true is not None:
            check_labels(y_true, len(s))
        groups = check_groups(sensitive_features, len(s), technique=KEY)
        self.groups_ = sorted(set(groups.tolist()))
        cums, sizes, free = {}, {}, {}
        for g in self.groups_:
            sg = s[groups == g]
            cums[g] = np.concatenate([[0.0], np.cumsum(np.sort(2.0 * sg - 1.0)[::-1])])
            sizes[g] = len(sg)
            free[g] = float(np.mean(sg > 0.5))
        weights = {g: sizes[g] / len(s) for g in self.groups_}
        best = (-np.inf, None, None)
        for rho in np.linspace(0.0, 1.0, int(self.grid_size)):
            rates = {
                g: float(np.clip(free[g], max(rho - eps, 0.0), min(rho + eps, 1.0))) for g in self.groups_
            }
            value = sum(weights[g] * _gain(cums[g], sizes[g], rates[g]) for g in self.groups_)
            if value > best[0] + 1e-12:
                best = (value, rho, rates)
        self.objective_, self.rho_, self.rates_ = best
        self.offsets_ = {g: _offset_for_rate(s[groups == g], self.rates_[g], gamma) for g in self.groups_}
        self.thresholds_ = {g: (1.0 + o) / 2.0 for g, o in self.offsets_.items()}
        return self

    def predict_proba(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        """Probability that the randomised rule outputs 1 (not a calibrated P(y = 1))."""
        s = check_scores(y_score)
        groups = groups_at_predict(sensitive_features, len(s), self.groups_, KEY)
        out = np.zeros(len(s))
        for g in self.groups_:
            m = groups == g
            out[m] = _ramp(s[m], self.offsets_[g], float(self.gamma))
        return out

    def predict(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        p = self.predict_proba(y_score, sensitive_features=sensitive_features)
        rng = np.random.default_rng(self.random_state)
        return (rng.random(len(p)) < p).astype(int)

"""Fairness through awareness (Dwork et al. 2012): the Lipschitz-constrained LP over individuals.

Each individual ``i`` is mapped to a distribution over the outcomes ``{0, 1}``, i.e. to
``p_i = P(outcome 1 | i)``. The LP of the paper minimises the expected loss subject to the
Lipschitz condition ``D(μ_i, μ_j) ≤ d(i, j)``; for two outcomes the total-variation distance
is ``|p_i − p_j|``, so the LP is

    minimise  Σ_i w_i [p_i (1 − y_i) + (1 − p_i) y_i]
    subject to  −d(i, j) ≤ p_i − p_j ≤ d(i, j),   0 ≤ p_i ≤ 1.

It is solved with ``scipy.optimize.linprog`` (HiGHS) on ``n_anchors`` training rows sampled
stratified by group × label (only pairs with ``d(i, j) < 1`` give constraints). The metric is
the Euclidean distance between :class:`FeatureEncoder` encodings, divided by ``metric_scale``
times the median anchor distance (the paper takes the metric as given; the protected attribute
is not part of ``X``). A new row gets the midpoint of the McShane and Whitney extensions,
``(min_i [p_i + d(x, i)] + max_i [p_i − d(x, i)]) / 2`` clipped to ``[0, 1]``, which equals
``p_i`` on the anchors and keeps the Lipschitz condition everywhere.
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

from fairmend.errors import InvalidParameterError, NotExecutableError


def _pairwise(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    sq = (A**2).sum(1)[:, None] + (B**2).sum(1)[None, :] - 2.0 * A @ B.T
    return np.sqrt(np.maximum(sq, 0.0))


class FairnessThroughAwareness(ClassifierMixin, BaseEstimator):
    """Lipschitz-constrained randomized classifier from the Dwork et al. LP.

    Parameters
    ----------
    n_anchors : int
        Training rows the LP is solved on (at most 1000; the LP has up to ``n²`` constraints).
    metric_scale : float
        Distances are divided by ``metric_scale × median anchor distance``; a smaller scale
        makes the metric larger and the Lipschitz condition looser.
    random_state : int
        Seed of the anchor sample.

    References
    ----------
    Dwork, C., Hardt, M., Pitassi, T., Reingold, O., Zemel, R. (2012). Fairness Through
    Awareness. ITCS 2012.
    """

    def __init__(self, *, n_anchors: Annotated[int, Param('Training rows the LP is solved on (at most 1000; the LP has up to ``n²`` constraints)', range=(20.0, 1000.0))] = 400, metric_scale: Annotated[float, Param('Distances are divided by ``metric_scale × median anchor distance``; a smaller scale makes the metric larger and the Lipschitz condition looser', range=(0.01, 100.0))] = 1.0, random_state: Annotated[int, Param('Seed of the anchor sample', range=(0.0, 2147483647.0))] = 0) -> None:
        self.n_anchors = n_anchors
        self.metric_scale = metric_scale
        self.random_state = random_state

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> FairnessThroughAwareness:
        from scipy.optimize import linprog
        from scipy.sparse import coo_matrix

        if not 2 <= self.n_anchors <= 1000 or self.metric_scale <= 0:
            raise InvalidParameterError("n_anchors must be in [2, 1000] and metric_scale > 0")
        y_arr = check_binary_labels(y)
        groups = check_groups(sensitive_features, len(y_arr), technique="fairness through awareness")
        w = check_sample_weight(sample_weight, len(y_arr))
        self.encoder_ = FeatureEncoder()
        Z = self.encoder_.fit_transform(X)
        idx = self._sample_anchors(y_arr, groups.astype(str))
        Za, ya, wa = Z[idx], y_arr[idx], w[idx]
        D = _pairwise(Za, Za)
        med = float(np.median(D[np.triu_indices(len(idx), 1)]))
        if med <= 0:
            raise NotExecutableError("the anchor rows are identical; the metric is degenerate")
        self.scale_ = self.metric_scale * med
        D /= self.scale_
        ii, jj = np.nonzero(np.triu(D < 1.0, 1))
        m = len(ii)
        rows = np.repeat(np.arange(m), 2)
        cols = np.column_stack([ii, jj]).ravel()
        vals = np.tile([1.0, -1.0], m)
        A1 = coo_matrix((vals, (rows, cols)), shape=(m, len(idx)))
        from scipy.sparse import vstack

        A_ub = vstack([A1, -A1]).tocsr()
        b_ub = np.concatenate([D[ii, jj], D[ii, jj]])
        c = wa * (1.0 - 2.0 * ya)  # p (1 − y) + (1 − p) y = y + p (1 − 2y)
        res = linprog(c, A_ub=A_ub if m else None, b_ub=b_ub if m else None, bounds=(0.0, 1.0), method="highs")
        if res.status != 0:  # pragma: no cover - the LP is always feasible (p = const)
            raise NotExecutableError(f"the fairness-through-awareness LP failed: {res.message}")
        self.anchors_ = Za
        self.anchor_index_ = idx
        self.anchor_proba_ = np.clip(res.x, 0.0, 1.0)
        self.n_constraints_ = 2 * m
        self.classes_ = np.array([0, 1])
        return self

    def _sample_anchors(self, y: np.ndarray, groups: np.ndarray) -> np.ndarray:
        rng = np.random.default_rng(self.random_state)
        n = len(y)
        if n <= self.n_anchors:
            return np.arange(n)
        strata = np.char.add(groups.astype(str), y.astype(str))
        picked = []
        for s in np.unique(strata):
            members = np.flatnonzero(strata == s)
            k = max(1, int(np.rint(self.n_anchors * len(members) / n)))
            picked.append(rng.choice(members, size=min(k, len(members)), replace=False))
        return np.sort(np.concatenate(picked))

    def metric(self, X1: Any, X2: Any) -> np.ndarray:
        """Pairwise metric ``d`` between the rows of ``X1`` and ``X2`` (the one the LP used)."""
        return _pairwise(self.encoder_.transform(X1), self.encoder_.transform(X2)) / self.scale_

    def predict_proba(self, X: Any) -> np.ndarray:
        D = _pairwise(self.encoder_.transform(X), self.anchors_) / self.scale_
        p = self.anchor_proba_[None, :]
        upper = np.min(p + D, axis=1)
        lower = np.max(p - D, axis=1)
        return proba_columns(np.clip(0.5 * (upper + lower), 0.0, 1.0))

    def predict(self, X: Any) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)

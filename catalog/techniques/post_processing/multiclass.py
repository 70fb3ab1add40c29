"""Black-box LP post-processing for (multiclass) fairness (Putzel & Lee 2022)."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.post_processing._common import check_groups, groups_at_predict
from sklearn.base import BaseEstimator

from fairmend.errors import DataError, InvalidParameterError, LabelError, NotExecutableError

KEY = "lp_multiclass_postprocessing"
CONSTRAINTS = ("equalized_odds", "demographic_parity")


def _check_probabilities(y_score: Any) -> np.ndarray:
    """Class probabilities as an ``(n, C)`` array; a 1-D score is the binary ``P(y = 1)``."""
    arr = np.asarray(y_score, dtype=float)
    if arr.ndim == 1:
        arr = np.column_stack([1.0 - arr, arr])
    if arr.ndim != 2 or arr.shape[1] < 2 or arr.shape[0] == 0:
        raise DataError(f"y_score must be a 1-D score or an (n, n_classes) matrix, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or arr.min() < 0.0 or arr.max() > 1.0:
        raise DataError("y_score must hold finite probabilities in [0, 1]")
    return arr


class LPMulticlassPostprocessor(BaseEstimator):
    """Randomised per-group re-mapping of predicted classes found by a linear program.

    The deployed model's predicted class ``yhat = argmax_k p_k(x)`` is replaced by a class drawn
    from ``M_g[yhat, :]``, a row-stochastic ``C x C`` matrix per group ``g``. Because every rate
    of the derived predictor is linear in ``M``, the fairest-most-accurate mapping solves an LP
    (Putzel & Lee 2022, Sec. 3; in the binary case this is Hardt et al.'s 2016 derived predictor):

    * objective: minimise the expected 0-1 loss ``sum_{g,k,i} P(y=k, yhat=i, A=g) sum_{j != k} M_g[i, j]``;
    * ``equalized_odds``: ``|P(ytilde = j | y = k, A = g) - T[k, j]| <= tolerance`` for all
      ``g, k, j`` and free common rates ``T``;
    * ``demographic_parity``: ``|P(ytilde = j | A = g) - T[j]| <= tolerance``.

    Solved with :func:`scipy.optimize.linprog` (HiGHS). ``predict`` samples the mapping with
    ``random_state``; ``predict_proba`` returns the output-class distribution per row (for
    binary input, the 1-D ``P(ytilde = 1)``).

    Parameters
    ----------
    constraint : str
        ``equalized_odds`` or ``demographic_parity``.
    tolerance : float
        Allowed deviation of each group's rate from the common rate (0 = exact equality).
    random_state : int
        Seed of the randomised prediction.

    References
    ----------
    Putzel, P., Lee, S. (2022). Blackbox Post-Processing for Multiclass Fairness. arXiv:2201.04461.
    Hardt, M., Price, E., Srebro, N. (2016). Equality of Opportunity in Supervised Learning. NeurIPS.
    """

    def __init__(
        self, *, constraint: Annotated[str, Param('``equalized_odds`` or ``demographic_parity``', choices=('equalized_odds', 'demographic_parity'))] = "equalized_odds", tolerance: Annotated[float, Param("Allowed deviation of each group's rate from the common rate (0 = exact equality)", range=(0.0, 1.0), tunable=True)] = 0.0, random_state: Annotated[int, Param('Seed of the randomised prediction', range=(0.0, 2147483647.0))] = 0
    ) -> None:
        self.constraint = constraint
        self.tolerance = tolerance
        self.random_state = random_state

    def fit(
        self, y_score: Any, y_true: Any, *, sensitive_features: Any, X: Any = None
    ) -> LPMulticlassPostprocessor:
        from scipy.optimize import linprog

        if self.constraint not in CONSTRAINTS:
            raise InvalidParameterError(
                f"constraint {self.constraint!r} is not one of {', '.join(CONSTRAINTS)}"
            )
        tol = float(self.tolerance)
        if not 0.0 <= tol <= 1.0:
            raise InvalidParameterError(f"tolerance must be in [0, 1], got {self.tolerance}")
        P = _check_probabilities(y_score)
        n, C = P.shape
        y = np.asarray(y_true).ravel()
        if len(y) != n:
            raise DataError(f"y_true has {len(y)} rows but y_score has {n}")
        if pd.isna(pd.Series(y)).any():
            raise LabelError("labels contain missing values")
        if not set(pd.unique(y).tolist()) <= set(range(C)):
            raise LabelError(f"labels must be integers 0..{C - 1} matching the y_score columns")
        y = y.astype(int)
        if len(np.unique(y)) < 2:
            raise LabelError("labels contain a single class")
        groups = check_groups(sensitive_features, n, technique=KEY)
        self.groups_ = sorted(set(groups.tolist()))
        self.n_classes_ = C
        G = len(self.groups_)
        yhat = P.argmax(axis=1)
        nm = G * C * C  # mapping variables M[g, i, j] at index (g * C + i) * C + j
        n_t = C * C if self.constraint == "equalized_odds" else C
        cost = np.zeros(nm + n_t)
        for gi, g in enumerate(self.groups_):
            mg = groups == g
            joint = np.zeros((C, C))  # joint[k, i] = P(y = k, yhat = i, A = g)
            np.add.at(joint, (y[mg], yhat[mg]), 1.0 / n)
            for i in range(C):
                for j in range(C):
                    cost[(gi * C + i) * C + j] = joint[:, i].sum() - joint[j, i]
        A_eq, b_eq, A_ub, b_ub = [], [], [], []
        for gi in range(G):
            for i in range(C):
                row = np.zeros(nm + n_t)
                row[(gi * C + i) * C : (gi * C + i + 1) * C] = 1.0
                A_eq.append(row)
                b_eq.append(1.0)
        for gi, g in enumerate(self.groups_):
            mg = groups == g
            conds = range(C) if self.constraint == "equalized_odds" else [None]
            for k in conds:
                rows = mg if k is None else mg & (y == k)
                if not rows.any():
                    raise DataError(f"group {g!r} has no rows with label {k}; equalized odds is undefined")
                conf = np.bincount(yhat[rows], minlength=C) / rows.sum()  # P(yhat = i | ...)
                for j in range(C):
                    row = np.zeros(nm + n_t)
                    for i in range(C):
                        row[(gi * C + i) * C + j] = conf[i]
                    row[nm + (j if k is None else k * C + j)] = -1.0
                    A_ub.append(row)
                    b_ub.append(tol)
                    A_ub.append(-row)
                    b_ub.append(tol)
        bounds = [(0.0, 1.0)] * (nm + n_t)
        res = linprog(
            cost,
            A_ub=np.array(A_ub),
            b_ub=np.array(b_ub),
            A_eq=np.array(A_eq),
            b_eq=np.array(b_eq),
            bounds=bounds,
            method="highs",
        )
        if res.status != 0:
            raise NotExecutableError(f"{KEY}: the linear program failed ({res.message})")
        M = np.clip(res.x[:nm].reshape(G, C, C), 0.0, 1.0)
        self.mappings_ = {g: M[gi] / M[gi].sum(axis=1, keepdims=True) for gi, g in enumerate(self.groups_)}
        self.expected_error_ = float(res.fun)
        return self

    def _output_distribution(self, y_score: Any, sensitive_features: Any) -> np.ndarray:
        P = _check_probabilities(y_score)
        if P.shape[1] != self.n_classes_:
            raise DataError(
                f"y_score has {P.shape[1]} classes but the post-processor was fitted on {self.n_classes_}"
            )
        groups = groups_at_predict(sensitive_features, len(P), self.groups_, KEY)
        yhat = P.argmax(axis=1)
        out = np.zeros_like(P)
        for g in self.groups_:
            m = groups == g
            out[m] = self.mappings_[g][yhat[m]]
        return out

    def predict_proba(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        """Distribution of the output class per row; 1-D ``P(ytilde = 1)`` for binary input."""
        out = self._output_distribution(y_score, sensitive_features)
        return out[:, 1] if self.n_classes_ == 2 else out

    def predict(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        dist = self._output_distribution(y_score, sensitive_features)
        u = np.random.default_rng(self.random_state).random(len(dist))
        return np.minimum((np.cumsum(dist, axis=1) < u[:, None]).sum(axis=1), self.n_classes_ - 1)

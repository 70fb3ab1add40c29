"""Prejudice remover regulariser (Kamishima et al. 2012), own numpy implementation.

The model is Kamishima's "type 4" logistic regression: one weight vector ``w_s`` per group ``s``
(so the protected attribute is needed at prediction), ``P(y=1 | x, s) = σ(w_sᵀx)``. It minimises

``−Σ_i log P(y_i | x_i, s_i) + η · PI + (C/2) Σ_s ||w_s||²``

where the prejudice index ``PI = Σ_i Σ_y P(y|x_i,s_i) log(P̂(y|s_i) / P̂(y))`` is the empirical
mutual information between prediction and group, with ``P̂(y|s)`` and ``P̂(y)`` the mean predicted
probabilities in group ``s`` and overall. Weights are initialised by a separate logistic regression
per group (the authors' default) and optimised with L-BFGS using the exact gradient.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fairmend.catalog.contracts import group_labels
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.in_processing._common import (
    FeatureEncoder,
    check_binary_labels,
    check_groups,
    check_sample_weight,
    proba_columns,
    sigmoid,
)
from scipy.optimize import minimize
from sklearn.base import BaseEstimator, ClassifierMixin

from fairmend.errors import DataError, InvalidParameterError

_EPS = 1e-12


def _objective(coef: np.ndarray, X: np.ndarray, y: np.ndarray, s: np.ndarray, w: np.ndarray,
               n_groups: int, eta: float, C: float) -> tuple[float, np.ndarray]:
    W = coef.reshape(n_groups, X.shape[1])
    z = np.einsum("ij,ij->i", X, W[s])
    p = np.clip(sigmoid(z), _EPS, 1 - _EPS)
    counts = np.bincount(s, weights=w, minlength=n_groups)
    q = np.bincount(s, weights=w * p, minlength=n_groups) / counts  # P̂(y=1 | s)
    r = np.sum(w * p) / w.sum()  # P̂(y=1)
    loglik = np.sum(w * (y * np.log(p) + (1 - y) * np.log(1 - p)))
    f1 = (np.log(q[s]) - np.log(r)) - (np.log(1 - q[s]) - np.log(1 - r))
    pi = np.sum(w * (p * (np.log(q[s]) - np.log(r)) + (1 - p) * (np.log(1 - q[s]) - np.log(1 - r))))
    loss = -loglik + eta * pi + 0.5 * C * np.sum(coef**2)
    # d PI / d w_t = Σ_{i in t} w_i f1_i p_i (1 - p_i) x_i: the terms through P̂(y|s) and P̂(y) cancel
    resid = w * ((p - y) + eta * f1 * p * (1 - p))
    grad = np.zeros_like(W)
    np.add.at(grad, s, resid[:, None] * X)
    grad = grad.ravel() + C * coef
    return float(loss), grad


class PrejudiceRemover(ClassifierMixin, BaseEstimator):
    """Logistic regression per group with Kamishima's prejudice-index (mutual information) penalty.

    Parameters
    ----------
    eta : float
        Weight η of the prejudice index; 0 gives plain per-group logistic regression.
    C : float
        L2 regularisation strength (on sums over rows, as in the authors' code).
    max_iter : int
        Maximum L-BFGS iterations.

    Notes
    -----
    ``predict`` and ``predict_proba`` need ``sensitive_features``: each row is scored by its
    group's weights. Categorical features are one-hot encoded and numeric ones standardised, and
    an intercept is added.

    References
    ----------
    Kamishima, T., Akaho, S., Asoh, H., Sakuma, J. (2012). Fairness-Aware Classifier with Prejudice
    Remover Regularizer. ECML PKDD 2012.
    """

    def __init__(self, *, eta: Annotated[float, Param('Weight of the prejudice index (mutual information)', range=(0.0, 1000.0), tunable=True)] = 1.0, C: Annotated[float, Param('L2 regularisation strength', range=(0.0001, 10000.0))] = 1.0, max_iter: Annotated[int, Param('L-BFGS iterations', range=(1.0, 100000.0))] = 500) -> None:
        self.eta = eta
        self.C = C
        self.max_iter = max_iter

    def _design(self, X: Any) -> np.ndarray:
        Xe = self.encoder_.transform(X)
        return np.column_stack([Xe, np.ones(len(Xe))])

    def _group_index(self, sensitive_features: Any, n_rows: int) -> np.ndarray:
        if sensitive_features is None:
            raise DataError("PrejudiceRemover needs sensitive_features at prediction (one model per group)")
        groups = group_labels(sensitive_features)
        if len(groups) != n_rows:
            raise DataError(f"sensitive_features has {len(groups)} rows but X has {n_rows}")
        lookup = {g: i for i, g in enumerate(self.groups_)}
        unknown = sorted(set(groups.tolist()) - set(lookup))
        if unknown:
            raise DataError(f"group(s) {', '.join(map(str, unknown[:5]))} were not seen in fit")
        return np.array([lookup[g] for g in groups], dtype=int)

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> PrejudiceRemover:
        from sklearn.linear_model import LogisticRegression

        if self.eta < 0 or self.C <= 0:
            raise InvalidParameterError("eta must be >= 0 and C > 0")
        y_arr = check_binary_labels(y)
        groups = check_groups(sensitive_features, len(y_arr), technique="PrejudiceRemover")
        w = check_sample_weight(sample_weight, len(y_arr))
        self.encoder_ = FeatureEncoder()
        self.encoder_.fit(X)
        Xd = self._design(X)
        self.groups_ = np.array(sorted(set(groups.tolist())), dtype=object)
        s = self._group_index(groups, len(y_arr))
        init = np.zeros((len(self.groups_), Xd.shape[1]))
        for g in range(len(self.groups_)):
            rows = s == g
            if len(set(y_arr[rows].tolist())) == 2:
                lr = LogisticRegression(C=1.0 / self.C, fit_intercept=False, max_iter=1000)
                init[g] = lr.fit(Xd[rows], y_arr[rows], sample_weight=w[rows]).coef_[0]
        res = minimize(
            _objective, init.ravel(), args=(Xd, y_arr.astype(float), s, w, len(self.groups_), self.eta, self.C),
            jac=True, method="L-BFGS-B", options={"maxiter": self.max_iter},
        )
        self.coef_ = res.x.reshape(len(self.groups_), Xd.shape[1])
        self.loss_ = float(res.fun)
        self.converged_ = bool(res.success)
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: Any, *, sensitive_features: Any) -> np.ndarray:
        Xd = self._design(X)
        s = self._group_index(sensitive_features, len(Xd))
        return proba_columns(sigmoid(np.einsum("ij,ij->i", Xd, self.coef_[s])))

    def predict(self, X: Any, *, sensitive_features: Any) -> np.ndarray:
        return (self.predict_proba(X, sensitive_features=sensitive_features)[:, 1] > 0.5).astype(int)

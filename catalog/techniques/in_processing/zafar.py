"""Covariance-constrained logistic regression (Zafar et al. 2017, AISTATS and WWW).

Both estimators minimise the (weighted) logistic loss with a small L2 penalty using scipy's
SLSQP, subject to covariance constraints between the group indicator(s) ``z`` and a function of
the signed distance to the decision boundary ``θᵀx``:

* :class:`ZafarFairnessConstraints` (disparate impact / demographic parity):
  ``|1/N Σ (z_i − z̄) θᵀx_i| ≤ c`` (AISTATS 2017, eq. 4).
* :class:`ZafarDisparateMistreatment` (disparate mistreatment / error-rate parity):
  ``|1/N Σ (z_i − z̄) min(0, ỹ_i θᵀx_i)| ≤ c`` over all rows (overall misclassification), over
  ``y = 0`` rows (false positives), ``y = 1`` rows (false negatives) or both (WWW 2017, eq. 14).

With more than two groups there is one constraint per group (one-hot ``z``), as in the authors' code.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.in_processing._common import (
    FeatureEncoder,
    LogitClassifierMixin,
    check_binary_labels,
    check_groups,
    check_sample_weight,
    sigmoid,
)
from scipy.optimize import minimize

from fairmend.errors import DataError, InvalidParameterError


def _logloss_and_grad(theta: np.ndarray, Xb: np.ndarray, ys: np.ndarray, w: np.ndarray, l2: float) -> tuple:
    """Weighted mean logistic loss with labels ``ys`` in {-1, +1}; the intercept is not penalised."""
    m = ys * (Xb @ theta)
    loss = np.sum(w * np.logaddexp(0.0, -m)) / w.sum()
    grad = -(Xb.T @ (w * ys * sigmoid(-m))) / w.sum()
    loss += 0.5 * l2 * np.sum(theta[1:] ** 2)
    grad[1:] += l2 * theta[1:]
    return loss, grad


def _group_matrix(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    classes = np.array(sorted(set(groups.tolist())), dtype=object)
    Z = (groups[:, None] == classes[None, :]).astype(float)
    if len(classes) == 2:
        Z = Z[:, 1:]  # one indicator suffices for two groups
    return classes, Z - Z.mean(axis=0)


class _ZafarBase(LogitClassifierMixin):
    """Encoding, SLSQP fitting and prediction shared by the two Zafar estimators."""

    covariance_threshold: float
    l2: float
    max_iter: int

    def _prepare(self, X: Any, y: Any, sensitive_features: Any, sample_weight: Any) -> tuple:
        y_arr = check_binary_labels(y)
        groups = check_groups(sensitive_features, len(y_arr), technique=type(self).__name__)
        if self.covariance_threshold < 0:
            raise InvalidParameterError("covariance_threshold must be >= 0")
        self.encoder_ = FeatureEncoder()
        Xe = self.encoder_.fit_transform(X)
        if Xe.shape[0] != len(y_arr):
            raise DataError(f"X has {Xe.shape[0]} rows but y has {len(y_arr)}")
        Xb = np.column_stack([np.ones(len(y_arr)), Xe])
        w = check_sample_weight(sample_weight, len(y_arr))
        self.groups_, Zc = _group_matrix(groups)
        self.classes_ = np.array([0, 1])
        return Xb, 2.0 * y_arr - 1.0, w, Zc

    def _solve(self, Xb: np.ndarray, ys: np.ndarray, w: np.ndarray, constraints: list[dict]) -> None:
        theta0 = np.zeros(Xb.shape[1])
        unconstrained = minimize(
            _logloss_and_grad, theta0, args=(Xb, ys, w, self.l2), jac=True, method="L-BFGS-B",
            options={"maxiter": 1000},
        )
        self.unconstrained_coef_ = unconstrained.x
        res = minimize(
            _logloss_and_grad, unconstrained.x, args=(Xb, ys, w, self.l2), jac=True, method="SLSQP",
            constraints=constraints, options={"maxiter": self.max_iter, "ftol": 1e-7},
        )
        self.coef_ = res.x
        self.converged_ = bool(res.success)
        self.optimizer_message_ = str(res.message)

    def decision_function(self, X: Any) -> np.ndarray:
        Xe = self.encoder_.transform(X)
        return self.coef_[0] + Xe @ self.coef_[1:]



class ZafarFairnessConstraints(_ZafarBase):
    """Logistic regression under decision-boundary covariance constraints (demographic parity).

    Parameters
    ----------
    covariance_threshold : float
        ``c`` in ``|cov(z, θᵀx)| ≤ c``; 0 is the strictest setting. Features are standardised, so
        the unconstrained model's covariance (``unconstrained_covariance_``) is typically 0.1–1.
    l2 : float
        L2 penalty on the non-intercept coefficients.
    max_iter : int
        Maximum SLSQP iterations.

    References
    ----------
    Zafar, M. B., Valera, I., Gomez Rodriguez, M., Gummadi, K. P. (2017). Fairness Constraints:
    Mechanisms for Fair Classification. AISTATS 2017.
    """

    def __init__(self, *, covariance_threshold: Annotated[float, Param('Bound c on |cov(z, theta^T x)|; 0 is strictest', range=(0.0, 10.0), tunable=True)] = 0.0, l2: Annotated[float, Param('L2 penalty on non-intercept weights', range=(0.0, 100.0))] = 1e-4, max_iter: Annotated[int, Param('SLSQP iterations', range=(1.0, 10000.0))] = 200) -> None:
        self.covariance_threshold = covariance_threshold
        self.l2 = l2
        self.max_iter = max_iter

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> ZafarFairnessConstraints:
        Xb, ys, w, Zc = self._prepare(X, y, sensitive_features, sample_weight)
        n = len(ys)
        M = Zc.T @ Xb / n  # covariance of each group indicator with θᵀx is M @ θ (linear in θ)
        c = self.covariance_threshold
        constraints = [
            {"type": "ineq", "fun": lambda t: c - M @ t, "jac": lambda t: -M},
            {"type": "ineq", "fun": lambda t: c + M @ t, "jac": lambda t: M},
        ]
        self._solve(Xb, ys, w, constraints)
        self.unconstrained_covariance_ = M @ self.unconstrained_coef_
        self.covariance_ = M @ self.coef_
        return self


class ZafarDisparateMistreatment(_ZafarBase):
    """Logistic regression under misclassification-covariance constraints (disparate mistreatment).

    The constraint is convex-concave; the authors solve it with DCCP. Here SLSQP solves it
    directly from the unconstrained solution, with ``min(0, u)`` smoothed as
    ``−softplus(−β u)/β`` (β = ``smoothing``) so the constraint is differentiable. This gives a
    local optimum of the same program (the simpler relaxation; DCCP would also give a local one).

    Parameters
    ----------
    constraint : str
        ``false_positive_rate``, ``false_negative_rate``, ``both`` (equalised odds) or
        ``misclassification`` (overall error rate).
    covariance_threshold : float
        ``c`` in ``|cov(z, g_θ)| ≤ c``.
    smoothing : float
        β of the smooth ``min(0, ·)``; larger is closer to the exact hinge.
    l2 : float
        L2 penalty on the non-intercept coefficients.
    max_iter : int
        Maximum SLSQP iterations.

    References
    ----------
    Zafar, M. B., Valera, I., Gomez Rodriguez, M., Gummadi, K. P. (2017). Fairness Beyond
    Disparate Treatment & Disparate Impact: Learning Classification without Disparate
    Mistreatment. WWW 2017.
    """

    def __init__(
        self,
        *,
        constraint: Annotated[str, Param('Which misclassification covariance is constrained', choices=('false_positive_rate', 'false_negative_rate', 'both', 'misclassification'))] = "both",
        covariance_threshold: Annotated[float, Param('Bound c on the misclassification covariance', range=(0.0, 10.0), tunable=True)] = 0.0,
        smoothing: Annotated[float, Param('Sharpness beta of the smoothed min(0, u)', range=(0.1, 1000.0))] = 5.0,
        l2: Annotated[float, Param('L2 penalty on non-intercept weights', range=(0.0, 100.0))] = 1e-4,
        max_iter: Annotated[int, Param('SLSQP iterations', range=(1.0, 10000.0))] = 200,
    ) -> None:
        self.constraint = constraint
        self.covariance_threshold = covariance_threshold
        self.smoothing = smoothing
        self.l2 = l2
        self.max_iter = max_iter

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> ZafarDisparateMistreatment:
        masks = {
            "false_positive_rate": ["neg"],
            "false_negative_rate": ["pos"],
            "both": ["neg", "pos"],
            "misclassification": ["all"],
        }
        if self.constraint not in masks:
            raise InvalidParameterError(f"constraint {self.constraint!r} is not one of {', '.join(masks)}")
        Xb, ys, w, _ = self._prepare(X, y, sensitive_features, sample_weight)
        groups = check_groups(sensitive_features, len(ys))
        beta, c = float(self.smoothing), self.covariance_threshold
        constraints: list[dict] = []
        for which in masks[self.constraint]:
            rows = {"neg": ys < 0, "pos": ys > 0, "all": np.ones(len(ys), bool)}[which]
            _, Zc = _group_matrix(groups[rows])  # z̄ is taken over the rows the rate is defined on
            Xr, yr, n = Xb[rows], ys[rows], int(rows.sum())

            def cov(t: np.ndarray, Xr: np.ndarray = Xr, yr: np.ndarray = yr, Zc: np.ndarray = Zc, n: int = n) -> tuple:
                u = yr * (Xr @ t)
                g = -np.logaddexp(0.0, -beta * u) / beta  # smooth min(0, u)
                dg = sigmoid(-beta * u) * yr  # d g / d(θᵀx)
                return Zc.T @ g / n, (Zc * dg[:, None]).T @ Xr / n

            constraints.append({"type": "ineq", "fun": lambda t, f=cov: c - f(t)[0], "jac": lambda t, f=cov: -f(t)[1]})
            constraints.append({"type": "ineq", "fun": lambda t, f=cov: c + f(t)[0], "jac": lambda t, f=cov: f(t)[1]})
        self._constraint_fns_ = constraints
        self._solve(Xb, ys, w, constraints)
        self.covariance_ = [c - con["fun"](self.coef_) for con in constraints[::2]]
        del self._constraint_fns_
        return self

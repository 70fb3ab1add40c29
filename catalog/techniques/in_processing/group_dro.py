"""Group distributionally robust optimisation (Sagawa et al. 2020) for a logistic model, in numpy.

Minimises the worst-group expected logistic loss ``max_g E[ℓ | g]`` with the paper's online
algorithm (Algorithm 1): group weights ``q`` are updated by exponentiated gradient,
``q_g ← q_g · exp(η_q · L_g)``, renormalised, and the model takes a gradient step on
``Σ_g q_g L_g``. Full-batch updates (the data here fit in memory); strong L2 regularisation is part
of the paper's recipe for the worst-group guarantee to generalise.
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

from fairmend.errors import InvalidParameterError


class GroupDRO(LogitClassifierMixin):
    """Logistic regression minimising the worst group's loss (exponentiated group weights).

    Parameters
    ----------
    step_size : float
        Learning rate of the model's gradient steps.
    group_step_size : float
        ``η_q`` of the exponentiated-gradient update of group weights.
    l2 : float
        L2 penalty on the non-intercept coefficients.
    n_iter : int
        Number of full-batch iterations.

    References
    ----------
    Sagawa, S., Koh, P. W., Hashimoto, T. B., Liang, P. (2020). Distributionally Robust Neural
    Networks for Group Shifts. ICLR 2020.
    """

    def __init__(self, *, step_size: Annotated[float, Param('Model learning rate', range=(1e-06, 100.0))] = 0.5, group_step_size: Annotated[float, Param('Exponentiated-gradient step of group weights', range=(0.0, 100.0))] = 0.05, l2: Annotated[float, Param('L2 penalty on non-intercept weights', range=(0.0, 100.0))] = 1e-3,
                 n_iter: Annotated[int, Param('Full-batch iterations', range=(1.0, 1000000.0))] = 1000) -> None:
        self.step_size = step_size
        self.group_step_size = group_step_size
        self.l2 = l2
        self.n_iter = n_iter

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> GroupDRO:
        if self.step_size <= 0 or self.group_step_size < 0 or self.n_iter < 1:
            raise InvalidParameterError("step_size must be > 0, group_step_size >= 0 and n_iter >= 1")
        y_arr = check_binary_labels(y)
        groups = check_groups(sensitive_features, len(y_arr), technique="GroupDRO")
        w = check_sample_weight(sample_weight, len(y_arr))
        self.groups_ = np.array(sorted(set(groups.tolist())), dtype=object)
        g = np.searchsorted(self.groups_, groups)
        self.encoder_ = FeatureEncoder()
        Xb = np.column_stack([np.ones(len(y_arr)), self.encoder_.fit_transform(X)])
        ys = 2.0 * y_arr - 1.0
        G = len(self.groups_)
        counts = np.bincount(g, weights=w, minlength=G)
        theta = np.zeros(Xb.shape[1])
        q = np.full(G, 1.0 / G)
        q_sum = np.zeros(G)
        for _ in range(self.n_iter):
            m = ys * (Xb @ theta)
            losses = np.bincount(g, weights=w * np.logaddexp(0.0, -m), minlength=G) / counts
            q = q * np.exp(self.group_step_size * losses)
            q /= q.sum()
            q_sum += q
            row_weight = w * q[g] / counts[g]
            grad = -(Xb.T @ (row_weight * ys * sigmoid(-m)))
            grad[1:] += self.l2 * theta[1:]
            theta -= self.step_size * grad
        m = ys * (Xb @ theta)
        self.coef_ = theta
        self.group_weights_ = dict(zip(self.groups_.tolist(), q.tolist()))
        self.group_losses_ = dict(
            zip(self.groups_.tolist(), (np.bincount(g, weights=w * np.logaddexp(0.0, -m), minlength=G) / counts).tolist())
        )
        self.classes_ = np.array([0, 1])
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        return self.coef_[0] + self.encoder_.transform(X) @ self.coef_[1:]


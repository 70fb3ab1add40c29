"""Fairness-regularised and fairness-constrained linear classifiers.

* :class:`FairretClassifier` — logistic model trained with a *fairret* (Buyl, Defrance & De Bie
  2024): the norm fairret ``‖γ(s)/γ̄ − 1‖_p`` on a linear-fractional statistic ``γ`` (positive
  rate for demographic parity, true/false positive rate for equal opportunity / odds).
* :class:`LohausTooRelaxed` — logistic regression with the exact, smoothed demographic-parity
  penalty of Lohaus, Perrot & von Luxburg (2020): squared differences of the groups' mean
  *sigmoid* outputs instead of a convex relaxation (e.g. Zafar's covariance).
* :class:`FERMClassifier` — Donini et al. (2018) linear FERM: the equal-opportunity constraint
  ``⟨w, u⟩ = 0`` (``u`` the difference of the groups' mean positive-class features) is enforced by
  projecting the features onto the orthogonal complement of ``u`` before fitting.

The two penalised models are trained full-batch with Adam in PyTorch (CUDA when available).
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
    import_torch,
    torch_device,
)

from fairmend.errors import DataError, InvalidParameterError

_STATISTICS = ("positive_rate", "true_positive_rate", "false_positive_rate")


class _PenalisedLogistic(LogitClassifierMixin):
    """Shared full-batch torch trainer: weighted log-loss + L2 + ``penalty(proba, y, G)``."""

    epochs: int
    learning_rate: float
    l2: float
    random_state: int

    def _penalty(self, torch: Any, p: Any, y: Any, G: Any, w: Any) -> Any:  # pragma: no cover
        raise NotImplementedError

    def _fit_penalised(self, X: Any, y: Any, sensitive_features: Any, sample_weight: Any, name: str) -> None:
        torch = import_torch()
        if self.epochs < 1 or self.learning_rate <= 0 or self.l2 < 0:
            raise InvalidParameterError("epochs must be >= 1, learning_rate > 0 and l2 >= 0")
        y_arr = check_binary_labels(y)
        groups = check_groups(sensitive_features, len(y_arr), technique=name)
        w = check_sample_weight(sample_weight, len(y_arr))
        self.groups_ = np.array(sorted(set(groups.tolist())), dtype=object)
        g_idx = np.searchsorted(self.groups_, groups)
        self.encoder_ = FeatureEncoder()
        Xe = self.encoder_.fit_transform(X)
        self.classes_ = np.array([0, 1])
        self.device_ = torch_device()
        dev = self.device_
        torch.manual_seed(self.random_state)
        Xt = torch.as_tensor(Xe, dtype=torch.float64, device=dev)
        yt = torch.as_tensor(y_arr, dtype=torch.float64, device=dev)
        wt = torch.as_tensor(w, dtype=torch.float64, device=dev)
        G = torch.zeros((len(y_arr), len(self.groups_)), dtype=torch.float64, device=dev)
        G[torch.arange(len(y_arr)), torch.as_tensor(g_idx, device=dev)] = 1.0
        coef = torch.zeros(Xe.shape[1], dtype=torch.float64, device=dev, requires_grad=True)
        bias = torch.zeros(1, dtype=torch.float64, device=dev, requires_grad=True)
        opt = torch.optim.Adam([coef, bias], lr=self.learning_rate)
        bce = torch.nn.functional.binary_cross_entropy_with_logits
        for _ in range(self.epochs):
            opt.zero_grad()
            logit = Xt @ coef + bias
            loss = (wt * bce(logit, yt, reduction="none")).mean() + 0.5 * self.l2 * (coef**2).sum()
            loss = loss + self._penalty(torch, torch.sigmoid(logit), yt, G, wt)
            loss.backward()
            opt.step()
        with torch.no_grad():
            self.coef_ = np.concatenate([bias.cpu().numpy(), coef.cpu().numpy()])
            p = torch.sigmoid(Xt @ coef + bias)
            self.train_penalty_ = float(self._penalty(torch, p, yt, G, wt).cpu())

    def decision_function(self, X: Any) -> np.ndarray:
        return self.coef_[0] + self.encoder_.transform(X) @ self.coef_[1:]



class FairretClassifier(_PenalisedLogistic):
    """Logistic model with the norm fairret on a linear-fractional statistic.

    For group indicator ``s`` the statistic is ``γ(s) = Σ_i s_i c_i f(x_i) / Σ_i s_i c_i`` with
    ``c_i = 1`` (positive rate), ``y_i`` (true positive rate) or ``1 − y_i`` (false positive rate),
    and ``f`` the predicted probability. The fairret is ``‖γ(s)/γ̄ − 1‖_p`` over groups, ``γ̄``
    the same statistic on all rows; it is added to the log-loss with weight ``strength``.

    Parameters
    ----------
    statistic : str
        ``positive_rate`` (demographic parity), ``true_positive_rate`` (equal opportunity) or
        ``false_positive_rate``.
    strength : float
        Weight of the fairret in the loss (0 = plain logistic regression).
    p : float
        Order of the norm over groups (the fairret library's default is 1).
    epochs : int
        Full-batch Adam steps.
    learning_rate : float
        Adam learning rate.
    l2 : float
        L2 penalty on the coefficients.
    random_state : int
        Torch seed.

    References
    ----------
    Buyl, M., Defrance, M., De Bie, T. (2024). fairret: a Framework for Differentiable Fairness
    Regularization Terms. ICLR 2024.
    """

    def __init__(self, *, statistic: Annotated[str, Param('``positive_rate`` (demographic parity), ``true_positive_rate`` (equal opportunity) or ``false_positive_rate``', choices=('positive_rate', 'true_positive_rate', 'false_positive_rate'))] = "positive_rate", strength: Annotated[float, Param('Weight of the fairret in the loss (0 = plain logistic regression)', range=(0.0, 1000000.0), tunable=True)] = 1.0, p: Annotated[float, Param("Order of the norm over groups (the fairret library's default is 1)", range=(1.0, 100.0))] = 1.0,
                 epochs: Annotated[int, Param('Full-batch Adam steps', range=(1.0, 100000.0))] = 300, learning_rate: Annotated[float, Param('Adam learning rate', range=(1e-06, 10.0))] = 0.05, l2: Annotated[float, Param('L2 penalty on the coefficients', range=(0.0, 10.0))] = 1e-4, random_state: Annotated[int, Param('Torch seed', range=(0.0, 2147483647.0))] = 0) -> None:
        self.statistic = statistic
        self.strength = strength
        self.p = p
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.l2 = l2
        self.random_state = random_state

    def _statistic(self, torch: Any, prob: Any, y: Any, G: Any, w: Any) -> tuple[Any, Any]:
        c = w if self.statistic == "positive_rate" else w * (y if self.statistic == "true_positive_rate" else 1 - y)
        num = G.T @ (c * prob)
        den = G.T @ c
        return num / den.clamp_min(1e-12), (c * prob).sum() / c.sum()

    def _penalty(self, torch: Any, prob: Any, y: Any, G: Any, w: Any) -> Any:
        gamma, overall = self._statistic(torch, prob, y, G, w)
        return self.strength * torch.linalg.vector_norm(gamma / overall.clamp_min(1e-12) - 1.0, ord=self.p)

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> FairretClassifier:
        if self.statistic not in _STATISTICS:
            raise InvalidParameterError(f"statistic {self.statistic!r} is not one of {', '.join(_STATISTICS)}")
        if self.strength < 0 or self.p < 1:
            raise InvalidParameterError("strength must be >= 0 and p >= 1")
        self._fit_penalised(X, y, sensitive_features, sample_weight, "fairret")
        return self


class LohausTooRelaxed(_PenalisedLogistic):
    """Logistic regression with the smoothed exact demographic-parity penalty.

    Penalty ``strength · Σ_{g<h} (E[σ(f(x)) | g] − E[σ(f(x)) | h])²``: the differentiable
    surrogate of the gap in positive rates itself, not a convex proxy of it (Lohaus et al. show
    convex relaxations can leave the classifier unfair).

    Parameters
    ----------
    strength : float
        Weight of the penalty.
    epochs : int
        Full-batch Adam steps.
    learning_rate : float
        Adam learning rate.
    l2 : float
        L2 penalty on the coefficients.
    random_state : int
        Torch seed.

    References
    ----------
    Lohaus, M., Perrot, M., von Luxburg, U. (2020). Too Relaxed to Be Fair. ICML 2020.
    """

    def __init__(self, *, strength: Annotated[float, Param('Weight of the penalty', range=(0.0, 1000000.0), tunable=True)] = 10.0, epochs: Annotated[int, Param('Full-batch Adam steps', range=(1.0, 100000.0))] = 300, learning_rate: Annotated[float, Param('Adam learning rate', range=(1e-06, 10.0))] = 0.05,
                 l2: Annotated[float, Param('L2 penalty on the coefficients', range=(0.0, 10.0))] = 1e-4, random_state: Annotated[int, Param('Torch seed', range=(0.0, 2147483647.0))] = 0) -> None:
        self.strength = strength
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.l2 = l2
        self.random_state = random_state

    def _penalty(self, torch: Any, prob: Any, y: Any, G: Any, w: Any) -> Any:
        means = (G.T @ (w * prob)) / (G.T @ w).clamp_min(1e-12)
        diff = means[:, None] - means[None, :]
        return self.strength * 0.5 * (diff**2).sum()

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> LohausTooRelaxed:
        if self.strength < 0:
            raise InvalidParameterError("strength must be >= 0")
        self._fit_penalised(X, y, sensitive_features, sample_weight, "lohaus_too_relaxed")
        return self


class FERMClassifier(LogitClassifierMixin):
    """Linear FERM: logistic regression on features projected orthogonally to ``u``.

    ``u = E[x | y=1, a] − E[x | y=1, b]`` (encoded features, two groups). Any linear model on the
    projected features ``x − (⟨x, u⟩/‖u‖²) u`` has weights with ``⟨w, u⟩ = 0``, i.e. equal mean
    score over the two groups' positive examples on the training data — the paper's linear-case
    equal-opportunity constraint.

    Parameters
    ----------
    C : float
        Inverse L2 strength of the logistic regression.

    References
    ----------
    Donini, M., Oneto, L., Ben-David, S., Shawe-Taylor, J., Pontil, M. (2018). Empirical Risk
    Minimization Under Fairness Constraints. NeurIPS 2018.
    """

    def __init__(self, *, C: Annotated[float, Param('Inverse L2 strength of the logistic regression', range=(1e-06, 1000000.0))] = 1.0) -> None:
        self.C = C

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> FERMClassifier:
        from sklearn.linear_model import LogisticRegression

        if self.C <= 0:
            raise InvalidParameterError("C must be > 0")
        y_arr = check_binary_labels(y)
        groups = check_groups(sensitive_features, len(y_arr), binary=True, technique="FERM")
        w = check_sample_weight(sample_weight, len(y_arr))
        self.groups_ = np.array(sorted(set(groups.tolist())), dtype=object)
        self.encoder_ = FeatureEncoder()
        Xe = self.encoder_.fit_transform(X)
        pos = y_arr == 1
        means = []
        for grp in self.groups_:
            rows = pos & (groups == grp)
            if not rows.any():
                raise DataError(f"group {grp!r} has no positive (y=1) rows; FERM's constraint is undefined")
            means.append(np.average(Xe[rows], axis=0, weights=w[rows]))
        u = means[0] - means[1]
        norm = float(np.linalg.norm(u))
        self.u_ = u / norm if norm > 1e-12 else np.zeros_like(u)
        self.model_ = LogisticRegression(C=self.C, max_iter=2000).fit(self._project(Xe), y_arr, sample_weight=w)
        self.coef_ = np.concatenate([self.model_.intercept_, self.model_.coef_[0]])
        self.classes_ = np.array([0, 1])
        return self

    def _project(self, Xe: np.ndarray) -> np.ndarray:
        return Xe - np.outer(Xe @ self.u_, self.u_)

    def decision_function(self, X: Any) -> np.ndarray:
        return self.model_.decision_function(self._project(self.encoder_.transform(X)))



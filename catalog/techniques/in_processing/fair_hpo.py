"""Fair Bayesian optimisation (Perrone et al. 2021): constrained hyperparameter search.

Hyperparameters of a logistic regression or a gradient-boosting model are tuned to maximise
validation accuracy subject to a demographic-parity gap ``≤ epsilon`` on the same validation
split. After ``n_initial`` random configurations, each next configuration maximises the
constrained expected improvement ``EI(accuracy) · P(gap ≤ epsilon)`` under two Gaussian-process
surrogates (sklearn's :class:`~sklearn.gaussian_process.GaussianProcessRegressor`, Matérn 5/2).
Before any feasible point is found the acquisition is ``P(gap ≤ epsilon)`` alone.

As in Perrone et al. §5 the search space may include a hyperparameter of a fairness method:
``reweighing_strength`` ``r ∈ [0, 1]`` trains with Kamiran–Calders weights raised to the power
``r`` (0 = unweighted).
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

# name -> (low, high, log10-scale, integer)
_SPACES: dict[str, dict[str, tuple[float, float, bool, bool]]] = {
    "logistic": {
        "C": (1e-3, 1e2, True, False),
        "positive_class_weight": (0.5, 3.0, True, False),
        "reweighing_strength": (0.0, 1.0, False, False),
    },
    "gbm": {
        "learning_rate": (1e-2, 0.5, True, False),
        "max_depth": (2, 8, False, True),
        "max_iter": (20, 150, False, True),
        "positive_class_weight": (0.5, 3.0, True, False),
        "reweighing_strength": (0.0, 1.0, False, False),
    },
}


def _decode(u: np.ndarray, space: dict[str, tuple[float, float, bool, bool]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for ui, (name, (lo, hi, log, integer)) in zip(u, space.items()):
        v = 10 ** (np.log10(lo) + ui * (np.log10(hi) - np.log10(lo))) if log else lo + ui * (hi - lo)
        out[name] = round(v) if integer else float(v)
    return out


def _kamiran_weights(y: np.ndarray, g: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Kamiran & Calders reweighing: ``P(g) P(y) / P(g, y)``."""
    out = np.ones(len(y))
    total = w.sum()
    for grp in np.unique(g):
        for label in (0, 1):
            cell = (g == grp) & (y == label)
            if cell.any():
                out[cell] = (w[g == grp].sum() * w[y == label].sum() / total) / w[cell].sum()
    return out


def _dp_gap(pred: np.ndarray, g: np.ndarray) -> float:
    rates = [pred[g == grp].mean() for grp in np.unique(g)]
    return float(max(rates) - min(rates))


class FairBayesianOptimization(ClassifierMixin, BaseEstimator):
    """Constrained Bayesian optimisation of a classifier's hyperparameters (DP gap ≤ epsilon).

    Parameters
    ----------
    epsilon : float
        Largest admissible demographic-parity gap (max − min group positive rate) on validation.
    model : str
        ``logistic`` (C, positive-class weight, reweighing strength) or ``gbm``
        (HistGradientBoosting: learning rate, depth, iterations, positive-class weight,
        reweighing strength).
    n_initial : int
        Random configurations before the GP-guided ones.
    n_iter : int
        GP-guided configurations.
    validation_fraction : float
        Share of the training rows held out (stratified by group × label) to score configurations.
    random_state : int
        Seed of the split, the random configurations and the models.

    Attributes
    ----------
    trials_ : list of dict
        Every evaluated configuration with its validation ``accuracy`` and ``dp_gap``.
    best_params_ : dict
        The most accurate feasible configuration (the smallest-gap one when none is feasible).
    feasible_ : bool
        Whether a configuration met ``dp_gap ≤ epsilon``.

    References
    ----------
    Perrone, V., Donini, M., Zafar, M. B., Schmucker, R., Kenthapadi, K., Archambeau, C. (2021).
    Fair Bayesian Optimization. AIES 2021.
    """

    def __init__(self, *, epsilon: Annotated[float, Param('Largest admissible demographic-parity gap (max − min group positive rate) on validation', range=(0.0, 1.0), tunable=True)] = 0.05, model: Annotated[str, Param('``logistic`` (C, positive-class weight, reweighing strength) or ``gbm`` (HistGradientBoosting: learning rate, depth, iterations, positive-class weight, reweighing strength)', choices=('logistic', 'gbm'))] = "logistic", n_initial: Annotated[int, Param('Random configurations before the GP-guided ones', range=(1.0, 1000.0))] = 8, n_iter: Annotated[int, Param('GP-guided configurations', range=(0.0, 1000.0))] = 12,
                 validation_fraction: Annotated[float, Param('Share of the training rows held out (stratified by group × label) to score configurations', range=(0.05, 0.8))] = 0.3, random_state: Annotated[int, Param('Seed of the split, the random configurations and the models', range=(0.0, 2147483647.0))] = 0) -> None:
        self.epsilon = epsilon
        self.model = model
        self.n_initial = n_initial
        self.n_iter = n_iter
        self.validation_fraction = validation_fraction
        self.random_state = random_state

    def _build(self, params: dict[str, Any]) -> Any:
        if self.model == "logistic":
            from sklearn.linear_model import LogisticRegression

            return LogisticRegression(C=params["C"], max_iter=2000)
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(
            learning_rate=params["learning_rate"], max_depth=params["max_depth"], max_iter=params["max_iter"],
            random_state=self.random_state,
        )

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> FairBayesianOptimization:
        from sklearn.model_selection import train_test_split

        if self.model not in _SPACES:
            raise InvalidParameterError(f"model {self.model!r} is not one of {', '.join(_SPACES)}")
        if self.epsilon < 0 or self.n_initial < 1 or self.n_iter < 0 or not 0 < self.validation_fraction < 1:
            raise InvalidParameterError(
                "epsilon >= 0, n_initial >= 1, n_iter >= 0 and 0 < validation_fraction < 1 are required"
            )
        y_arr = check_binary_labels(y)
        groups = check_groups(sensitive_features, len(y_arr), technique="fair Bayesian optimisation")
        w = check_sample_weight(sample_weight, len(y_arr))
        self.encoder_ = FeatureEncoder()
        Xe = self.encoder_.fit_transform(X)
        strata = np.array([f"{g}|{v}" for g, v in zip(groups, y_arr)], dtype=object)
        tr, va = train_test_split(np.arange(len(y_arr)), test_size=self.validation_fraction,
                                  stratify=strata, random_state=self.random_state)
        kamiran = _kamiran_weights(y_arr[tr], groups[tr], w[tr])
        space = _SPACES[self.model]
        rng = np.random.default_rng(self.random_state)
        self.trials_: list[dict[str, Any]] = []
        models: list[Any] = []
        U: list[np.ndarray] = []

        def evaluate(u: np.ndarray) -> None:
            params = _decode(u, space)
            sw = w[tr] * kamiran ** params["reweighing_strength"]
            sw = sw * np.where(y_arr[tr] == 1, params["positive_class_weight"], 1.0)
            est = self._build(params).fit(Xe[tr], y_arr[tr], sample_weight=sw)
            pred = est.predict(Xe[va])
            acc = float(np.average(pred == y_arr[va], weights=w[va]))
            gap = _dp_gap(pred, groups[va])
            self.trials_.append({"params": params, "accuracy": acc, "dp_gap": gap, "feasible": gap <= self.epsilon})
            models.append(est)
            U.append(u)

        for _ in range(self.n_initial):
            evaluate(rng.random(len(space)))
        for _ in range(self.n_iter):
            evaluate(self._propose(np.array(U), rng))

        feasible = [i for i, t in enumerate(self.trials_) if t["feasible"]]
        self.feasible_ = bool(feasible)
        if feasible:
            best = max(feasible, key=lambda i: self.trials_[i]["accuracy"])
        else:
            best = min(range(len(self.trials_)), key=lambda i: self.trials_[i]["dp_gap"])
        self.best_params_ = self.trials_[best]["params"]
        self.best_validation_ = {k: self.trials_[best][k] for k in ("accuracy", "dp_gap")}
        self.best_model_ = models[best]
        self.classes_ = np.array([0, 1])
        return self

    def _propose(self, U: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        import warnings

        from scipy.stats import norm
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

        acc = np.array([t["accuracy"] for t in self.trials_])
        gap = np.array([t["dp_gap"] for t in self.trials_])
        cand = rng.random((512, U.shape[1]))

        def gp(target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            kernel = ConstantKernel() * Matern(nu=2.5, length_scale=np.full(U.shape[1], 0.3)) + WhiteKernel(1e-4)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                model = GaussianProcessRegressor(kernel, normalize_y=True, random_state=self.random_state)
                mu, sd = model.fit(U, target).predict(cand, return_std=True)
            return mu, np.maximum(sd, 1e-9)

        mu_g, sd_g = gp(gap)
        p_feasible = norm.cdf((self.epsilon - mu_g) / sd_g)
        feasible = gap <= self.epsilon
        if not feasible.any():
            return cand[int(np.argmax(p_feasible))]
        mu_a, sd_a = gp(acc)
        z = (mu_a - acc[feasible].max()) / sd_a
        ei = sd_a * (z * norm.cdf(z) + norm.pdf(z))
        return cand[int(np.argmax(ei * p_feasible))]

    def predict_proba(self, X: Any) -> np.ndarray:
        return proba_columns(self.best_model_.predict_proba(self.encoder_.transform(X))[:, 1])

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(self.best_model_.predict(self.encoder_.transform(X))).astype(int)

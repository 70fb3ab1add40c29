"""Reductions approach (Agarwal et al. 2018, 2019) through fairlearn's ``ExponentiatedGradient``
and ``GridSearch``, with a logistic-regression (or least-squares) base learner on encoded features.

References
----------
Agarwal, A., Beygelzimer, A., Dudík, M., Langford, J., Wallach, H. (2018). A Reductions Approach to
Fair Classification. ICML 2018.
Agarwal, A., Dudík, M., Wu, Z. S. (2019). Fair Regression: Quantitative Definitions and
Reduction-Based Algorithms. ICML 2019.
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
)
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

from fairmend.errors import DataError, InvalidParameterError

CONSTRAINTS = (
    "demographic_parity",
    "equalized_odds",
    "true_positive_rate_parity",
    "false_positive_rate_parity",
    "error_rate_parity",
)


def make_constraint(name: str, difference_bound: float | None = None) -> Any:
    """The fairlearn ``Moment`` for a constraint name (see :data:`CONSTRAINTS`)."""
    from fairlearn import reductions as red

    classes = {
        "demographic_parity": red.DemographicParity,
        "equalized_odds": red.EqualizedOdds,
        "true_positive_rate_parity": red.TruePositiveRateParity,
        "false_positive_rate_parity": red.FalsePositiveRateParity,
        "error_rate_parity": red.ErrorRateParity,
    }
    if name not in classes:
        raise InvalidParameterError(f"constraint {name!r} is not one of {', '.join(CONSTRAINTS)}")
    kwargs = {} if difference_bound is None else {"difference_bound": difference_bound}
    return classes[name](**kwargs)


def base_logistic_regression(C: float = 1.0) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, max_iter=1000)


def _base_learner(estimator: Any, C: float) -> Any:
    """The user's base learner (a fresh clone) or the default logistic regression."""
    if estimator is None:
        return base_logistic_regression(C)
    from sklearn.base import clone

    return clone(estimator)


def _weighted_resample(weights: np.ndarray, seed: Any, *arrays: Any) -> list[np.ndarray]:
    """Seeded resample of the same size in which each row appears in proportion to its weight.

    fairlearn's moments take no sample weights (``load_data`` has no such argument), so instance
    weights, e.g. from a pre-processor, are honoured by resampling the rows they weigh.
    """
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(weights), size=len(weights), replace=True, p=weights / weights.sum())
    return [np.asarray(a)[rows] for a in arrays]


class _ReductionClassifier(ClassifierMixin, BaseEstimator):
    """Shared fit/predict plumbing: encode X, check labels and groups, delegate to fairlearn."""

    def _fit_common(self, X: Any, y: Any, sensitive_features: Any, sample_weight: Any) -> tuple:
        y_arr = check_binary_labels(y)
        groups = check_groups(sensitive_features, len(y_arr), technique=type(self).__name__)
        self.encoder_ = FeatureEncoder()
        Z = self.encoder_.fit_transform(X)
        if Z.shape[0] != len(y_arr):
            raise DataError(f"X has {Z.shape[0]} rows but y has {len(y_arr)}")
        self.classes_ = np.array([0, 1])
        weights = None if sample_weight is None else check_sample_weight(sample_weight, len(y_arr))
        return Z, y_arr, groups, weights

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(self.model_.predict(self.encoder_.transform(X))).astype(int)


class ExponentiatedGradientReduction(_ReductionClassifier):
    """Exponentiated-gradient reduction to cost-sensitive classification (fairlearn wrapper).

    Returns a randomized classifier (a distribution over logistic regressions); ``predict`` is
    seeded by ``random_state`` so repeated calls agree.

    Parameters
    ----------
    constraint : str
        One of ``demographic_parity``, ``equalized_odds``, ``true_positive_rate_parity``,
        ``false_positive_rate_parity``, ``error_rate_parity``.
    eps : float
        Allowed constraint violation (fairlearn ``eps``).
    max_iter : int
        Maximum number of exponentiated-gradient iterations.
    difference_bound : float or None
        Optional bound of the moment itself (fairlearn ``difference_bound``).
    C : float
        Inverse regularisation strength of the base logistic regression.
    random_state : int
        Seed of the randomized prediction.
    estimator : classifier, optional
        Base learner instead of the logistic regression (cloned; it sees the encoded feature matrix and
        must accept ``sample_weight``): the reduction is model-agnostic.

    References
    ----------
    Agarwal et al. (2018), A Reductions Approach to Fair Classification, ICML.
    """

    def __init__(
        self,
        *,
        constraint: Annotated[str, Param('Fairness constraint (fairlearn Moment)', choices=('demographic_parity', 'equalized_odds', 'true_positive_rate_parity', 'false_positive_rate_parity', 'error_rate_parity'))] = "demographic_parity",
        eps: Annotated[float, Param('Allowed constraint violation', range=(0.0, 1.0), tunable=True)] = 0.01,
        max_iter: Annotated[int, Param('Exponentiated-gradient iterations', range=(1.0, 1000.0))] = 50,
        difference_bound: Annotated[float | None, Param('Optional bound on the moment (fairlearn difference_bound)', range=(0.0, 1.0), tunable=True)] = None,
        C: Annotated[float, Param('Inverse L2 strength of the base logistic regression', range=(0.0001, 10000.0))] = 1.0,
        random_state: Annotated[int, Param('Seed of the randomized prediction', range=(0.0, 2147483647.0))] = 0,
        estimator: Any = None,
    ) -> None:
        self.constraint = constraint
        self.eps = eps
        self.max_iter = max_iter
        self.difference_bound = difference_bound
        self.C = C
        self.random_state = random_state
        self.estimator = estimator

    def fit(
        self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None
    ) -> ExponentiatedGradientReduction:
        from fairlearn.reductions import ExponentiatedGradient

        Z, y_arr, groups, weights = self._fit_common(X, y, sensitive_features, sample_weight)
        self.model_ = ExponentiatedGradient(
            _base_learner(self.estimator, self.C),
            make_constraint(self.constraint, self.difference_bound),
            eps=self.eps,
            max_iter=self.max_iter,
        )
        if weights is not None:
            Z, y_arr, groups = _weighted_resample(weights, self.random_state, Z, y_arr, groups)
        self.model_.fit(Z, y_arr, sensitive_features=groups)
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(
            self.model_.predict(self.encoder_.transform(X), random_state=self.random_state)
        ).astype(int)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each label under the randomized classifier (weighted vote of its models)."""
        Z = self.encoder_.transform(X)
        weights = self.model_.weights_.to_numpy()
        votes = np.column_stack([p.predict(Z) for p in self.model_.predictors_])
        p1 = votes @ weights / weights.sum()
        return np.column_stack([1.0 - p1, p1])


class GridSearchReduction(_ReductionClassifier):
    """Grid search over Lagrange multipliers (fairlearn wrapper); returns one deterministic model.

    Parameters
    ----------
    constraint : str
        One of ``demographic_parity``, ``equalized_odds``, ``true_positive_rate_parity``,
        ``false_positive_rate_parity``, ``error_rate_parity``.
    grid_size : int
        Number of Lagrange-multiplier vectors tried.
    grid_limit : float
        Largest multiplier magnitude on the grid.
    constraint_weight : float
        Weight of the constraint violation in the trade-off used to select the best model
        (``0`` = accuracy only, ``1`` = fairness only).
    C : float
        Inverse regularisation strength of the base logistic regression.
    estimator : classifier, optional
        Base learner instead of the logistic regression (cloned; it sees the encoded feature matrix and
        must accept ``sample_weight``).

    References
    ----------
    Agarwal et al. (2018), A Reductions Approach to Fair Classification, ICML.
    """

    def __init__(
        self,
        *,
        constraint: Annotated[str, Param('Fairness constraint (fairlearn Moment)', choices=('demographic_parity', 'equalized_odds', 'true_positive_rate_parity', 'false_positive_rate_parity', 'error_rate_parity'))] = "demographic_parity",
        grid_size: Annotated[int, Param('Number of Lagrange-multiplier vectors', range=(2.0, 1000.0))] = 10,
        grid_limit: Annotated[float, Param('Largest multiplier on the grid', range=(0.0, 100.0))] = 2.0,
        constraint_weight: Annotated[float, Param('Weight of the violation when selecting the model (0 = accuracy only)', range=(0.0, 1.0), tunable=True)] = 0.5,
        C: Annotated[float, Param('Inverse L2 strength of the base logistic regression', range=(0.0001, 10000.0))] = 1.0,
        estimator: Any = None,
    ) -> None:
        self.constraint = constraint
        self.grid_size = grid_size
        self.grid_limit = grid_limit
        self.constraint_weight = constraint_weight
        self.C = C
        self.estimator = estimator

    def fit(
        self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None
    ) -> GridSearchReduction:
        from fairlearn.reductions import GridSearch

        Z, y_arr, groups, weights = self._fit_common(X, y, sensitive_features, sample_weight)
        if weights is not None:
            raise InvalidParameterError(
                "GridSearchReduction does not support sample_weight (fairlearn GridSearch reweights internally)"
            )
        self.model_ = GridSearch(
            _base_learner(self.estimator, self.C),
            make_constraint(self.constraint),
            constraint_weight=self.constraint_weight,
            grid_size=self.grid_size,
            grid_limit=self.grid_limit,
        )
        self.model_.fit(Z, y_arr, sensitive_features=groups)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        return np.asarray(self.model_.predict_proba(self.encoder_.transform(X)), dtype=float)


class FairRegressionReduction(RegressorMixin, BaseEstimator):
    """Fair regression with bounded group loss (Agarwal, Dudík & Wu 2019) via fairlearn.

    Minimises overall loss subject to every group's loss being at most ``upper_bound``, by
    exponentiated gradient over least-squares regressors. Only the bounded-group-loss half of the
    paper is available (the statistical-parity reduction is in no maintained package).

    Parameters
    ----------
    loss : str
        ``square`` (squared error) or ``absolute`` (absolute error). Targets must lie in
        ``[y_min, y_max]`` of the training data; fairlearn's losses need a bounded range.
    upper_bound : float
        Largest allowed mean loss per group, in the units of ``loss`` on targets rescaled to [0, 1].
    eps : float
        Allowed constraint violation.
    max_iter : int
        Maximum number of exponentiated-gradient iterations.
    alpha : float
        Ridge penalty of the base regressor.
    random_state : int
        Seed of the weighted resample that honours ``sample_weight`` (fairlearn's bounded-group-loss
        moment takes no weights).

    References
    ----------
    Agarwal, Dudík & Wu (2019), Fair Regression: Quantitative Definitions and Reduction-Based
    Algorithms, ICML.
    """

    def __init__(
        self,
        *,
        loss: Annotated[str, Param('Group loss bounded by upper_bound', choices=('square', 'absolute'))] = "square",
        upper_bound: Annotated[float, Param('Largest mean loss per group (targets rescaled to [0, 1])', range=(0.0, 1.0), tunable=True)] = 0.1,
        eps: Annotated[float, Param('Allowed constraint violation', range=(0.0, 1.0), tunable=True)] = 0.01,
        max_iter: Annotated[int, Param('Exponentiated-gradient iterations', range=(1.0, 1000.0))] = 50,
        alpha: Annotated[float, Param('Ridge penalty of the base regressor', range=(0.0, 10000.0))] = 1.0,
        random_state: Annotated[int, Param('Seed of the weighted resample that honours sample_weight', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.loss = loss
        self.upper_bound = upper_bound
        self.eps = eps
        self.max_iter = max_iter
        self.alpha = alpha
        self.random_state = random_state

    def fit(
        self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None
    ) -> FairRegressionReduction:
        from fairlearn.reductions import AbsoluteLoss, BoundedGroupLoss, ExponentiatedGradient, SquareLoss
        from sklearn.linear_model import Ridge

        y_arr = np.asarray(y, dtype=float).ravel()
        if not np.all(np.isfinite(y_arr)):
            raise DataError("regression targets must be finite numbers")
        groups = check_groups(sensitive_features, len(y_arr), technique="FairRegressionReduction")
        self.y_min_, self.y_max_ = float(y_arr.min()), float(y_arr.max())
        if self.y_max_ <= self.y_min_:
            raise DataError("regression target is constant")
        losses = {"square": SquareLoss, "absolute": AbsoluteLoss}
        if self.loss not in losses:
            raise InvalidParameterError(f"loss {self.loss!r} is not one of square, absolute")
        self.encoder_ = FeatureEncoder()
        Z = self.encoder_.fit_transform(X)
        y01 = (y_arr - self.y_min_) / (self.y_max_ - self.y_min_)
        constraint = BoundedGroupLoss(losses[self.loss](0.0, 1.0), upper_bound=self.upper_bound)
        self.model_ = ExponentiatedGradient(
            Ridge(alpha=self.alpha), constraint, eps=self.eps, max_iter=self.max_iter
        )
        if sample_weight is not None:
            weights = check_sample_weight(sample_weight, len(y_arr))
            Z, y01, groups = _weighted_resample(weights, self.random_state, Z, y01, groups)
        self.model_.fit(Z, y01, sensitive_features=groups)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Expected prediction of the randomized regressor, on the original target scale."""
        Z = self.encoder_.transform(X)
        weights = self.model_.weights_.to_numpy()
        preds = np.column_stack([p.predict(Z) for p in self.model_.predictors_])
        y01 = np.clip(preds @ weights, 0.0, 1.0)
        return self.y_min_ + y01 * (self.y_max_ - self.y_min_)

"""Group-specific thresholds on a trained model's scores.

* :class:`HardtThresholdOptimizer` — Hardt, Price & Srebro (2016), "Equality of Opportunity in
  Supervised Learning", NeurIPS: randomised group thresholds from the groups' ROC hulls, wrapped
  around :class:`fairlearn.postprocessing.ThresholdOptimizer`.
* :class:`GroupThresholdsDemographicParity` — Corbett-Davies et al. (2017), "Algorithmic Decision
  Making and the Cost of Fairness", KDD: deterministic per-group thresholds that equalise the
  selection rate while maximising accuracy.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.post_processing._common import (
    check_groups,
    check_labels,
    check_scores,
    groups_at_predict,
)
from sklearn.base import BaseEstimator, ClassifierMixin

from fairmend.errors import InvalidParameterError

CONSTRAINTS = (
    "equalized_odds",
    "true_positive_rate_parity",
    "false_positive_rate_parity",
    "true_negative_rate_parity",
    "false_negative_rate_parity",
    "demographic_parity",
)


class _ScoreIdentity(ClassifierMixin, BaseEstimator):
    """A 'prefit' estimator whose ``predict`` returns the score column it is given."""

    def fit(self, X: Any, y: Any = None) -> _ScoreIdentity:
        return self

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(X, dtype=float).reshape(len(X), -1)[:, 0]

    def __sklearn_is_fitted__(self) -> bool:
        return True


def score_frame(y_score: np.ndarray) -> pd.DataFrame:
    """The score as the one-column feature matrix the identity estimator reads."""
    return pd.DataFrame({"score": y_score})


class HardtThresholdOptimizer(BaseEstimator):
    """Randomised group-specific thresholds for equalized odds / equal opportunity (Hardt et al. 2016).

    Wraps :class:`fairlearn.postprocessing.ThresholdOptimizer` around an identity "model" whose
    prediction is the deployed model's score, so the post-processor needs only scores, labels and
    groups. ``predict`` is randomised (mixing two thresholds per group); ``random_state`` seeds it.

    Parameters
    ----------
    constraint : str
        ``equalized_odds``, ``true_positive_rate_parity`` (equal opportunity),
        ``false_positive_rate_parity``, ``true_negative_rate_parity``,
        ``false_negative_rate_parity`` or ``demographic_parity``.
    objective : str
        ``accuracy_score`` or ``balanced_accuracy_score``.
    grid_size : int
        Number of thresholds fairlearn evaluates per group.
    random_state : int
        Seed of the randomised prediction.

    References
    ----------
    Hardt, M., Price, E., Srebro, N. (2016). Equality of Opportunity in Supervised Learning. NeurIPS.
    """

    def __init__(
        self,
        *,
        constraint: Annotated[str, Param('Constraint (true_positive_rate_parity = equal opportunity)', choices=('equalized_odds', 'true_positive_rate_parity', 'false_positive_rate_parity', 'true_negative_rate_parity', 'false_negative_rate_parity', 'demographic_parity'))] = "equalized_odds",
        objective: Annotated[str, Param('Objective maximised under the constraint', choices=('accuracy_score', 'balanced_accuracy_score'))] = "accuracy_score",
        grid_size: Annotated[int, Param('Thresholds evaluated per group', range=(10.0, 100000.0))] = 1000,
        random_state: Annotated[int, Param('Seed of the randomised prediction', range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.constraint = constraint
        self.objective = objective
        self.grid_size = grid_size
        self.random_state = random_state

    def fit(
        self, y_score: Any, y_true: Any, *, sensitive_features: Any, X: Any = None
    ) -> HardtThresholdOptimizer:
        from fairlearn.postprocessing import ThresholdOptimizer

        if self.constraint not in CONSTRAINTS:
            raise InvalidParameterError(
                f"constraint {self.constraint!r} is not one of {', '.join(CONSTRAINTS)}"
            )
        if self.objective not in ("accuracy_score", "balanced_accuracy_score"):
            raise InvalidParameterError(
                f"objective {self.objective!r} must be accuracy_score or balanced_accuracy_score"
            )
        s = check_scores(y_score)
        y = check_labels(y_true, len(s))
        groups = check_groups(
            sensitive_features, len(s), technique="threshold_optimizer_equalized_odds_hardt"
        )
        self.groups_ = sorted(set(groups.tolist()))
        self.optimizer_ = ThresholdOptimizer(
            estimator=_ScoreIdentity(),
            constraints=self.constraint,
            objective=self.objective,
            grid_size=self.grid_size,
            prefit=True,
            predict_method="predict",
        )
        self.optimizer_.fit(score_frame(s), y, sensitive_features=groups)
        return self

    def predict(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        s = check_scores(y_score)
        groups = groups_at_predict(
            sensitive_features, len(s), self.groups_, "threshold_optimizer_equalized_odds_hardt"
        )
        pred = self.optimizer_.predict(
            score_frame(s), sensitive_features=groups, random_state=self.random_state
        )
        return np.asarray(pred).astype(int)

    def positive_probability(self, y_score: Any, *, sensitive_features: Any) -> np.ndarray:
        """P(predict = 1) of the randomised classifier for each row (not a calibrated P(y = 1))."""
        s = check_scores(y_score)
        groups = groups_at_predict(
            sensitive_features, len(s), self.groups_, "threshold_optimizer_equalized_odds_hardt"
        )
        return np.asarray(self.optimizer_._pmf_predict(score_frame(s), sensitive_features=groups))[:, 1]


class GroupThresholdsDemographicParity(BaseEstimator):
    """Deterministic per-group thresholds with equal selection rates (Corbett-Davies et al. 2017).

    For each candidate selection rate ``r`` on a grid, every group selects its top ``round(r n_g)``
    scores; the rate with the highest accuracy on the fitting data is kept (or ``target_rate`` when
    given), and each group's threshold is the lowest selected score. Prediction is ``score >=
    threshold[group]`` — no randomisation, so rates are equal up to ties and sampling noise.

    Parameters
    ----------
    target_rate : float or None
        Common selection rate to enforce; ``None`` picks the accuracy-maximising rate.
    grid_size : int
        Number of candidate rates in (0, 1).

    References
    ----------
    Corbett-Davies, S., Pierson, E., Feller, A., Goel, S., Huq, A. (2017). Algorithmic Decision
    Making and the Cost of Fairness. KDD.
    """

    def __init__(self, *, target_rate: Annotated[float | None, Param('Common selection rate; empty = the accuracy-maximising rate', range=(0.0, 1.0))] = None, grid_size: Annotated[int, Param('Candidate selection rates searched', range=(2.0, 100000.0))] = 200) -> None:
        self.target_rate = target_rate
        self.grid_size = grid_size

    def fit(
        self, y_score: Any, y_true: Any, *, sensitive_features: Any, X: Any = None
    ) -> GroupThresholdsDemographicParity:
        if self.target_rate is not None and not 0.0 <= float(self.target_rate) <= 1.0:
            raise InvalidParameterError(f"target_rate must be in [0, 1], got {self.target_rate}")
        if int(self.grid_size) < 2:
            raise InvalidParameterError("grid_size must be at least 2")
        s = check_scores(y_score)
        y = check_labels(y_true, len(s))
        groups = check_groups(sensitive_features, len(s), technique="group_thresholds_demographic_parity")
        self.groups_ = sorted(set(groups.tolist()))
        rates = (
            np.array([float(self.target_rate)])
            if self.target_rate is not None
            else np.linspace(0.0, 1.0, int(self.grid_size) + 1)
        )
        correct = np.zeros(len(rates))
        sorted_scores = {}
        for g in self.groups_:
            m = groups == g
            order = np.argsort(-s[m], kind="stable")
            ss, yy = s[m][order], y[m][order]
            sorted_scores[g] = ss
            k = np.rint(rates * len(ss)).astype(int)
            tp = np.concatenate([[0], np.cumsum(yy)])[k]
            tn = (len(yy) - yy.sum()) - (k - tp)
            correct += tp + tn
        best = int(np.argmax(correct))
        self.selection_rate_ = float(rates[best])
        self.thresholds_ = {}
        for g, ss in sorted_scores.items():
            k = int(np.rint(self.selection_rate_ * len(ss)))
            self.thresholds_[g] = float(ss[k - 1]) if k > 0 else float(np.inf)
        self.fit_accuracy_ = float(correct[best] / len(s))
        return self

    def predict(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        s = check_scores(y_score)
        groups = groups_at_predict(
            sensitive_features, len(s), self.groups_, "group_thresholds_demographic_parity"
        )
        t = np.array([self.thresholds_[g] for g in groups])
        return (s >= t).astype(int)

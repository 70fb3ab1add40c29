"""Fair Bayesian optimisation (Perrone et al. 2021) on the Adult sample (protected = sex)."""

from __future__ import annotations

import pytest

from _inproc_metrics import accuracy, dp_diff
from fairmend.catalog.techniques.in_processing.fair_hpo import FairBayesianOptimization
from fairmend.errors import InvalidParameterError, SingleGroupError


def test_constrained_search_meets_epsilon(adult_split):
    s = adult_split
    m = FairBayesianOptimization(epsilon=0.05).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    assert len(m.trials_) == 8 + 12
    assert m.feasible_ and m.best_validation_["dp_gap"] <= 0.05
    # the returned configuration is the most accurate feasible one
    feasible = [t["accuracy"] for t in m.trials_ if t["feasible"]]
    assert m.best_validation_["accuracy"] == max(feasible)
    pred = m.predict(s.X_test)
    # measured: test DP gap 0.179 -> 0.045, accuracy 0.842 -> 0.825
    assert dp_diff(pred, s.A_test) < 0.5 * dp_diff(s.baseline_pred, s.A_test)
    assert accuracy(pred, s.y_test) > 0.8
    # a looser constraint allows a configuration at least as accurate on validation
    loose = FairBayesianOptimization(epsilon=0.5, n_iter=4).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    assert loose.best_validation_["accuracy"] >= max(t["accuracy"] for t in loose.trials_) - 1e-12


def test_gbm_search_space(adult_split):
    s = adult_split
    m = FairBayesianOptimization(epsilon=0.1, model="gbm", n_initial=4, n_iter=2).fit(
        s.X_train, s.y_train, sensitive_features=s.A_train
    )
    assert set(m.best_params_) == {"learning_rate", "max_depth", "max_iter", "positive_class_weight",
                                   "reweighing_strength"}
    assert m.predict_proba(s.X_test).shape == (len(s.y_test), 2)


def test_bad_input(adult_split):
    s = adult_split
    with pytest.raises(SingleGroupError):
        FairBayesianOptimization().fit(s.X_train, s.y_train, sensitive_features=["x"] * len(s.y_train))
    with pytest.raises(InvalidParameterError):
        FairBayesianOptimization(model="svm").fit(s.X_train, s.y_train, sensitive_features=s.A_train)

"""Group thresholds: Hardt et al. (fairlearn wrapper) and deterministic demographic-parity thresholds."""

from __future__ import annotations

import numpy as np
import pytest
from _pp_metrics import accuracy, dp_diff, eo_diff, rate_diff
from fairmend.catalog.techniques.post_processing.thresholds import (
    GroupThresholdsDemographicParity,
    HardtThresholdOptimizer,
)

from fairmend.errors import DataError, InvalidParameterError, SingleGroupError


def _baseline(S):
    return (S.s_test >= 0.5).astype(int)


def test_hardt_equalized_odds_gap_shrinks(adult_scores):
    S = adult_scores
    post = HardtThresholdOptimizer(constraint="equalized_odds").fit(
        S.s_val, S.y_val, sensitive_features=S.A_val
    )
    pred = post.predict(S.s_test, sensitive_features=S.A_test)
    before, after = eo_diff(_baseline(S), S.y_test, S.A_test), eo_diff(pred, S.y_test, S.A_test)
    # measured: 0.078 -> 0.008, accuracy 0.848 -> 0.831
    assert after < 0.5 * before
    assert accuracy(pred, S.y_test) > 0.80


def test_hardt_equal_opportunity_gap_shrinks(adult_scores):
    S = adult_scores
    post = HardtThresholdOptimizer(constraint="true_positive_rate_parity").fit(
        S.s_val, S.y_val, sensitive_features=S.A_val
    )
    pred = post.predict(S.s_test, sensitive_features=S.A_test)
    before = rate_diff(_baseline(S), S.y_test, S.A_test, 1)
    after = rate_diff(pred, S.y_test, S.A_test, 1)
    assert after < 0.5 * before  # measured: 0.075 -> 0.015


@pytest.mark.parametrize("constraint", ["equalized_odds", "true_positive_rate_parity", "demographic_parity"])
def test_hardt_matches_direct_fairlearn_call(adult_scores, constraint):
    from fairlearn.postprocessing import ThresholdOptimizer

    S = adult_scores
    ours = HardtThresholdOptimizer(constraint=constraint, random_state=3).fit(
        S.s_val, S.y_val, sensitive_features=S.A_val
    )
    direct = ThresholdOptimizer(
        estimator=S.model, constraints=constraint, prefit=True, predict_method="predict_proba"
    ).fit(S.X_val, S.y_val, sensitive_features=S.A_val.iloc[:, 0])
    expected = direct.predict(S.X_test, sensitive_features=S.A_test.iloc[:, 0], random_state=3)
    np.testing.assert_array_equal(ours.predict(S.s_test, sensitive_features=S.A_test), expected)


def test_hardt_bad_input(adult_scores):
    S = adult_scores
    with pytest.raises(SingleGroupError):
        HardtThresholdOptimizer().fit(S.s_val, S.y_val, sensitive_features=np.full(len(S.s_val), "x"))
    with pytest.raises(InvalidParameterError):
        HardtThresholdOptimizer(constraint="nope").fit(S.s_val, S.y_val, sensitive_features=S.A_val)
    with pytest.raises(DataError):
        HardtThresholdOptimizer().fit(S.s_val * 3, S.y_val, sensitive_features=S.A_val)
    post = HardtThresholdOptimizer().fit(S.s_val, S.y_val, sensitive_features=S.A_val)
    with pytest.raises(DataError, match="not seen"):
        post.predict(S.s_test[:3], sensitive_features=["Female", "Other", "Male"])


def test_group_thresholds_equalise_selection_rates(adult_scores):
    S = adult_scores
    post = GroupThresholdsDemographicParity().fit(S.s_val, S.y_val, sensitive_features=S.A_val)
    fit_pred = post.predict(S.s_val, sensitive_features=S.A_val)
    assert dp_diff(fit_pred, S.A_val) < 0.005  # defining property on the fitting data
    pred = post.predict(S.s_test, sensitive_features=S.A_test)
    before, after = dp_diff(_baseline(S), S.A_test), dp_diff(pred, S.A_test)
    assert after < 0.2 * before  # measured: 0.179 -> 0.005, accuracy 0.848 -> 0.827
    assert accuracy(pred, S.y_test) > 0.80
    assert post.thresholds_["Female"] < post.thresholds_["Male"]


def test_group_thresholds_target_rate_and_deterministic(adult_scores):
    S = adult_scores
    post = GroupThresholdsDemographicParity(target_rate=0.3).fit(S.s_val, S.y_val, sensitive_features=S.A_val)
    pred = post.predict(S.s_val, sensitive_features=S.A_val)
    assert abs(pred.mean() - 0.3) < 0.01
    np.testing.assert_array_equal(pred, post.predict(S.s_val, sensitive_features=S.A_val))
    with pytest.raises(InvalidParameterError):
        GroupThresholdsDemographicParity(target_rate=1.5).fit(S.s_val, S.y_val, sensitive_features=S.A_val)

"""Calibrators (pooled and per group) on deliberately miscalibrated Adult scores.

The logistic-regression scores are already well calibrated on Adult (per-group ECE ~0.015), so
a calibrator has nothing to fix there. We distort them the way a deployed model often is:
overconfident (logit x 1.5) and over-scoring women (+0.8 on the logit), then check that each
calibrator brings every group's ECE down, and that per-group fitting handles the group shift.
"""

from __future__ import annotations

import numpy as np
import pytest
from _pp_metrics import group_ece, max_group_ece
from fairmend.catalog.techniques.post_processing._common import logit, sigmoid
from fairmend.catalog.techniques.post_processing.bbq import BayesianBinningIntoQuantiles
from fairmend.catalog.techniques.post_processing.calibration import (
    BetaCalibration,
    GroupSpecificPlattScaling,
    HistogramBinning,
    IsotonicCalibration,
    PlattScaling,
    TemperatureScaling,
)
from fairmend.catalog.techniques.post_processing.multicalibration import Multicalibration

from fairmend.errors import DataError, InvalidParameterError, LabelError

CALIBRATORS = [
    PlattScaling,
    GroupSpecificPlattScaling,
    IsotonicCalibration,
    BetaCalibration,
    HistogramBinning,
    BayesianBinningIntoQuantiles,
]  # TemperatureScaling has no bias term, so it cannot undo the group shift: tested on its own


def _distort(s, A):
    female = (A.iloc[:, 0] == "Female").to_numpy()
    return sigmoid(1.5 * logit(s) + 0.8 * female)


@pytest.fixture(scope="module")
def skewed(adult_scores):
    S = adult_scores
    return _distort(S.s_val, S.A_val), _distort(S.s_test, S.A_test)


@pytest.mark.parametrize("cls", CALIBRATORS)
def test_per_group_calibration_lowers_every_group_ece(adult_scores, skewed, cls):
    S = adult_scores
    sv, st = skewed
    before = group_ece(S.y_test, st, S.A_test)  # Female 0.025, Male 0.060
    cal = cls(per_group=True).fit(sv, S.y_val, sensitive_features=S.A_val)
    p = cal.predict_proba(st, sensitive_features=S.A_test)
    after = group_ece(S.y_test, p, S.A_test)
    assert p.shape == st.shape and np.all((p >= 0) & (p <= 1))
    for g in before:
        assert after[g] < before[g], (g, before[g], after[g])
    assert max(after.values()) < 0.5 * max(before.values())
    labels = cal.predict(st, sensitive_features=S.A_test)
    assert set(np.unique(labels)) <= {0, 1}


@pytest.mark.parametrize("cls", [PlattScaling, IsotonicCalibration, BetaCalibration, HistogramBinning])
def test_pooled_calibration_lowers_overall_ece_without_groups(adult_scores, skewed, cls):
    from fairmend.catalog.techniques.post_processing._common import expected_calibration_error as ece

    S = adult_scores
    sv, st = skewed
    cal = cls().fit(sv, S.y_val)
    p = cal.predict_proba(st)  # no sensitive_features needed when pooled
    assert ece(S.y_test, p) < 0.5 * ece(S.y_test, st)


def test_per_group_beats_pooled_under_group_shift(adult_scores, skewed):
    S = adult_scores
    sv, st = skewed
    pooled = PlattScaling().fit(sv, S.y_val).predict_proba(st)
    grouped = (
        GroupSpecificPlattScaling()
        .fit(sv, S.y_val, sensitive_features=S.A_val)
        .predict_proba(st, sensitive_features=S.A_test)
    )
    assert max_group_ece(S.y_test, grouped, S.A_test) < max_group_ece(S.y_test, pooled, S.A_test)


def test_platt_matches_sklearn_sigmoid_on_logit(adult_scores):
    """Without Platt's target smoothing the fit is plain logistic regression on logit(s)."""
    from sklearn.linear_model import LogisticRegression

    S = adult_scores
    z = logit(S.s_val)[:, None]
    ref = (
        LogisticRegression(C=1e10, max_iter=1000)
        .fit(z, S.y_val)
        .predict_proba(logit(S.s_test)[:, None])[:, 1]
    )
    ours = PlattScaling().fit(S.s_val, S.y_val).predict_proba(S.s_test)
    assert np.max(np.abs(ours - ref)) < 0.01  # smoothing with ~3,000 positives moves little


def test_temperature_scaling_undoes_overconfidence(adult_scores):
    S = adult_scores
    sv, st = sigmoid(2.0 * logit(S.s_val)), sigmoid(2.0 * logit(S.s_test))
    cal = TemperatureScaling(per_group=True).fit(sv, S.y_val, sensitive_features=S.A_val)
    assert all(1.6 < t < 2.5 for t in cal.group_maps_.values())  # recovers T ~ 2
    before, after = (
        group_ece(S.y_test, st, S.A_test),
        group_ece(S.y_test, cal.predict_proba(st, sensitive_features=S.A_test), S.A_test),
    )
    for g in before:
        assert after[g] < before[g]


def test_beta_calibration_slopes_non_negative(adult_scores, skewed):
    S = adult_scores
    cal = BetaCalibration().fit(skewed[0], S.y_val)
    assert cal.pooled_[0] >= 0 and cal.pooled_[1] >= 0


def test_bbq_weights_form_distribution(adult_scores):
    S = adult_scores
    cal = BayesianBinningIntoQuantiles().fit(S.s_val, S.y_val)
    w = cal.pooled_["weights"]
    assert np.isclose(w.sum(), 1.0) and len(w) > 10


def test_calibrator_bad_input(adult_scores):
    S = adult_scores
    with pytest.raises(DataError, match="per_group"):
        PlattScaling(per_group=True).fit(S.s_val, S.y_val)
    with pytest.raises(LabelError):
        IsotonicCalibration().fit(S.s_val, np.zeros(len(S.s_val)))
    with pytest.raises(InvalidParameterError):
        HistogramBinning(strategy="magic").fit(S.s_val, S.y_val)


def test_multicalibration_defining_property_and_ece(adult_scores, skewed):
    S = adult_scores
    sv, st = skewed
    mc = Multicalibration(alpha=0.01).fit(sv, S.y_val, sensitive_features=S.A_val)
    assert mc.converged_ and mc.patches_
    # on fresh rows every (subgroup x bucket) cell holding 2 % of them is calibrated within
    # alpha plus its sampling error (the skew left cells off by up to 0.17)
    p_test = mc.predict_proba(st, sensitive_features=S.A_test)
    g = S.A_test.iloc[:, 0].to_numpy()
    buckets = np.clip((p_test * 10).astype(int), 0, 9)
    for mask in (np.ones(len(g), bool), g == "Female", g == "Male"):
        for v in range(10):
            cell = mask & (buckets == v)
            if cell.sum() >= 0.02 * len(g):
                resid = S.y_test[cell] - p_test[cell]
                se = resid.std() / np.sqrt(cell.sum())
                assert abs(resid.mean()) <= 0.01 + 3 * se, (v, resid.mean(), se)
    before = max_group_ece(S.y_test, st, S.A_test)
    after = max_group_ece(S.y_test, p_test, S.A_test)
    assert after < 0.7 * before  # measured: 0.060 -> 0.035


def test_multicalibration_intersections(adult_scores):
    S = adult_scores
    A = S.A_val.assign(race=np.where(np.arange(len(S.A_val)) % 3 == 0, "b", "a"))
    mc = Multicalibration().fit(S.s_val, S.y_val, sensitive_features=A)
    assert "joint=Female|b" in mc.subgroups_ and "sex=Male" in mc.subgroups_

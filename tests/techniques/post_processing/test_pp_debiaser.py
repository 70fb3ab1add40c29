"""Randomized threshold optimizer (Alabdulmohsin & Lucic 2021) for demographic parity on Adult."""

from __future__ import annotations

import numpy as np
import pytest
from _pp_metrics import accuracy, dp_diff
from fairmend.catalog.techniques.post_processing.debiaser import RandomizedThresholdOptimizer

from fairmend.errors import InvalidParameterError, SingleGroupError


def test_dp_gap_bounded(adult_scores) -> None:
    d = adult_scores
    eps = 0.01
    base_val, base_test = (d.s_val >= 0.5).astype(int), (d.s_test >= 0.5).astype(int)
    model = RandomizedThresholdOptimizer(epsilon=eps).fit(d.s_val, d.y_val, sensitive_features=d.A_val)
    # on the fitting data the expected selection rates are within 2 epsilon (|r_g - rho| <= epsilon)
    p_val = model.predict_proba(d.s_val, sensitive_features=d.A_val)
    assert dp_diff(p_val, d.A_val) <= 2 * eps + 1e-6
    assert dp_diff(base_val, d.A_val) > 0.15
    # held out: sampled predictions, gap much reduced, accuracy cost modest
    pred = model.predict(d.s_test, sensitive_features=d.A_test)
    assert set(np.unique(pred)) <= {0, 1}
    before, after = dp_diff(base_test, d.A_test), dp_diff(pred, d.A_test)
    assert after < 0.05 < before, (before, after)
    assert accuracy(pred, d.y_test) > accuracy(base_test, d.y_test) - 0.05
    # larger epsilon -> looser constraint -> no lower objective
    loose = RandomizedThresholdOptimizer(epsilon=0.1).fit(d.s_val, sensitive_features=d.A_val)
    assert loose.objective_ >= model.objective_ - 1e-12
    assert dp_diff(loose.predict_proba(d.s_val, sensitive_features=d.A_val), d.A_val) <= 0.2 + 1e-6


def test_randomised_ramp_and_unconstrained_limit(adult_scores) -> None:
    d = adult_scores
    # epsilon = 0.5 imposes nothing: the rule reproduces thresholding at 1/2 up to the ramp
    model = RandomizedThresholdOptimizer(epsilon=0.5, gamma=1e-3).fit(d.s_val, sensitive_features=d.A_val)
    p = model.predict_proba(d.s_val, sensitive_features=d.A_val)
    assert np.mean((p >= 0.5) == (d.s_val > 0.5)) > 0.995
    # with a wide ramp some rows are genuinely randomised
    wide = RandomizedThresholdOptimizer(epsilon=0.01, gamma=0.2).fit(d.s_val, sensitive_features=d.A_val)
    pw = wide.predict_proba(d.s_val, sensitive_features=d.A_val)
    assert np.mean((pw > 0) & (pw < 1)) > 0.01


def test_bad_input(adult_scores) -> None:
    d = adult_scores
    with pytest.raises(SingleGroupError):
        RandomizedThresholdOptimizer().fit(d.s_val, sensitive_features=np.zeros(len(d.s_val)))
    with pytest.raises(InvalidParameterError):
        RandomizedThresholdOptimizer(gamma=0).fit(d.s_val, sensitive_features=d.A_val)

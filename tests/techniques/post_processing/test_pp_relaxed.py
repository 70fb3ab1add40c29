"""Relaxed equalized-odds thresholds (Cruz & Hardt): the LP respects its tolerance and
tolerance 0 reproduces Hardt et al.'s post-processing."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from _pp_metrics import accuracy, eo_diff, rate_diff
from fairmend.catalog.techniques.post_processing.relaxed import RelaxedThresholdOptimizer
from fairmend.catalog.techniques.post_processing.thresholds import HardtThresholdOptimizer

from fairmend.errors import InvalidParameterError, NotExecutableError


def test_relaxed_respects_tolerance_and_trades_accuracy(adult_scores):
    S = adult_scores
    accs = []
    for tol in (0.0, 0.02, 0.05, 0.1):
        post = RelaxedThresholdOptimizer(tolerance=tol).fit(S.s_val, S.y_val, sensitive_features=S.A_val)
        r = post.group_rates_
        assert abs(r["Female"]["tpr"] - r["Male"]["tpr"]) <= tol + 1e-7
        assert abs(r["Female"]["fpr"] - r["Male"]["fpr"]) <= tol + 1e-7
        accs.append(post.fit_accuracy_)
    assert all(a <= b + 1e-9 for a, b in pairwise(accs))
    # fit_accuracy_ is the LP's expected accuracy of the randomised classifier on the fitting data
    post = RelaxedThresholdOptimizer(tolerance=0.05).fit(S.s_val, S.y_val, sensitive_features=S.A_val)
    assert accuracy(post.predict(S.s_val, sensitive_features=S.A_val), S.y_val) == pytest.approx(
        post.fit_accuracy_, abs=0.01
    )


def test_relaxed_zero_tolerance_is_hardt(adult_scores):
    S = adult_scores
    ours = RelaxedThresholdOptimizer(tolerance=0.0).fit(S.s_val, S.y_val, sensitive_features=S.A_val)
    pred = ours.predict(S.s_test, sensitive_features=S.A_test)
    before = eo_diff((S.s_test >= 0.5).astype(int), S.y_test, S.A_test)
    assert eo_diff(pred, S.y_test, S.A_test) < 0.5 * before  # measured: 0.078 -> 0.008
    hardt = HardtThresholdOptimizer().fit(S.s_val, S.y_val, sensitive_features=S.A_val)
    hp = hardt.predict(S.s_test, sensitive_features=S.A_test)
    assert abs(accuracy(pred, S.y_test) - accuracy(hp, S.y_test)) < 0.01  # 0.833 vs 0.831


def test_relaxed_equal_opportunity_only(adult_scores):
    S = adult_scores
    post = RelaxedThresholdOptimizer(constraint="true_positive_rate_parity", tolerance=0.0).fit(
        S.s_val, S.y_val, sensitive_features=S.A_val
    )
    pred = post.predict(S.s_test, sensitive_features=S.A_test)
    assert rate_diff(pred, S.y_test, S.A_test, 1) < 0.04
    assert np.array_equal(pred, post.predict(S.s_test, sensitive_features=S.A_test))  # seeded


def test_relaxed_bad_input(adult_scores):
    S = adult_scores
    with pytest.raises(InvalidParameterError):
        RelaxedThresholdOptimizer(tolerance=-1).fit(S.s_val, S.y_val, sensitive_features=S.A_val)
    g = S.A_val.iloc[:, 0].to_numpy().copy()
    y = S.y_val.copy()
    y[g == "Female"] = 0
    with pytest.raises(NotExecutableError, match="single class"):
        RelaxedThresholdOptimizer().fit(S.s_val, y, sensitive_features=g)

"""Zafar et al. (2017) covariance-constrained logistic regression, on the Adult sample."""

from __future__ import annotations

import numpy as np
import pytest
from _inproc_metrics import accuracy, dp_diff, rate_diff

from fairmend.catalog.techniques.in_processing.zafar import ZafarDisparateMistreatment, ZafarFairnessConstraints
from fairmend.errors import InvalidParameterError, SingleGroupError


def test_fairness_constraints_reduce_dp(adult_split):
    s = adult_split
    m = ZafarFairnessConstraints(covariance_threshold=0.0).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    # defining property: the decision-boundary covariance meets the bound (it was far from it before)
    assert np.all(np.abs(m.covariance_) <= 1e-4)
    assert np.all(np.abs(m.unconstrained_covariance_) > 0.05)
    pred = m.predict(s.X_test)
    before, after = dp_diff(s.baseline_pred, s.A_test), dp_diff(pred, s.A_test)
    assert after < 0.5 * before, (before, after)
    assert accuracy(pred, s.y_test) > accuracy(s.baseline_pred, s.y_test) - 0.04


def test_looser_threshold_is_between(adult_split):
    s = adult_split
    tight = ZafarFairnessConstraints(covariance_threshold=0.0).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    loose = ZafarFairnessConstraints(covariance_threshold=0.1).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    assert np.all(np.abs(loose.covariance_) <= 0.1 + 1e-4)
    assert dp_diff(tight.predict(s.X_test), s.A_test) <= dp_diff(loose.predict(s.X_test), s.A_test) + 0.01


def test_disparate_mistreatment_fpr(adult_split):
    """The FPR-covariance constraint narrows the false-positive-rate gap (Zafar et al. WWW 2017, §5)."""
    s = adult_split
    m = ZafarDisparateMistreatment(constraint="false_positive_rate").fit(
        s.X_train, s.y_train, sensitive_features=s.A_train
    )
    assert m.converged_
    assert all(np.all(np.abs(c) <= 1e-4) for c in m.covariance_)
    pred = m.predict(s.X_test)
    before = rate_diff(s.baseline_pred, s.y_test, s.A_test, 0)
    after = rate_diff(pred, s.y_test, s.A_test, 0)
    assert after < before, (before, after)
    assert accuracy(pred, s.y_test) > accuracy(s.baseline_pred, s.y_test) - 0.03


def test_bad_input(adult_split):
    s = adult_split
    with pytest.raises(SingleGroupError):
        ZafarFairnessConstraints().fit(s.X_train, s.y_train, sensitive_features=["a"] * len(s.y_train))
    with pytest.raises(InvalidParameterError):
        ZafarDisparateMistreatment(constraint="bogus").fit(s.X_train, s.y_train, sensitive_features=s.A_train)

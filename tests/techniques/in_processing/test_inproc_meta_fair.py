"""Celis et al. (2019) statistical-rate meta-classifier (own implementation; aif360's is broken)."""

from __future__ import annotations

import pytest
from _inproc_metrics import accuracy, dp_diff

from fairmend.catalog.techniques.in_processing.meta_fair import MetaFairClassifier, statistical_rate
from fairmend.errors import InvalidParameterError, NotExecutableError


def test_statistical_rate_reaches_tau(adult_split):
    s = adult_split
    z_test = s.A_test["sex"].to_numpy()
    base_rate = statistical_rate(s.baseline_pred, z_test)
    m = MetaFairClassifier(tau=0.8).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    assert m.feasible_ and m.train_statistical_rate_ >= 0.8
    pred = m.predict(s.X_test)
    # defining property on held-out rows, with slack for sampling: rate close to tau, far above baseline's
    assert statistical_rate(pred, z_test) >= 0.7 > base_rate + 0.2
    assert dp_diff(pred, s.A_test) < dp_diff(s.baseline_pred, s.A_test)
    assert accuracy(pred, s.y_test) > accuracy(s.baseline_pred, s.y_test) - 0.04


def test_bad_input(adult_split, adult_sample):
    s = adult_split
    with pytest.raises(InvalidParameterError):
        MetaFairClassifier(tau=1.5).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    race = adult_sample.frame["race"].iloc[: len(s.y_train)]
    with pytest.raises(NotExecutableError):  # only two groups are supported
        MetaFairClassifier().fit(s.X_train, s.y_train, sensitive_features=race)

"""fairret, Lohaus et al. smoothed DP penalty and linear FERM on the Adult sample (protected = sex)."""

from __future__ import annotations

import numpy as np
import pytest

from _inproc_metrics import accuracy, dp_diff, rate_diff
from fairmend.catalog.techniques.in_processing.fair_linear import (
    FairretClassifier,
    FERMClassifier,
    LohausTooRelaxed,
)
from fairmend.errors import InvalidParameterError, NotExecutableError, SingleGroupError


def test_fairret_positive_rate_reduces_dp_gap(adult_split):
    s = adult_split
    m = FairretClassifier(statistic="positive_rate", strength=1.0).fit(
        s.X_train, s.y_train, sensitive_features=s.A_train
    )
    pred = m.predict(s.X_test)
    base = dp_diff(s.baseline_pred, s.A_test)
    # measured: 0.179 -> 0.043, accuracy 0.842 -> 0.806
    assert dp_diff(pred, s.A_test) < 0.5 * base
    assert accuracy(pred, s.y_test) > 0.78
    # strength 0 is plain logistic regression
    plain = FairretClassifier(strength=0.0).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    assert dp_diff(plain.predict(s.X_test), s.A_test) > dp_diff(pred, s.A_test) + 0.05


def test_fairret_true_positive_rate_reduces_tpr_gap(adult_split):
    s = adult_split
    m = FairretClassifier(statistic="true_positive_rate").fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    pred = m.predict(s.X_test)
    # measured: TPR gap 0.073 -> 0.025 at unchanged accuracy
    assert rate_diff(pred, s.y_test, s.A_test, 1) < rate_diff(s.baseline_pred, s.y_test, s.A_test, 1)
    assert accuracy(pred, s.y_test) > 0.82


def test_lohaus_reduces_dp_gap(adult_split):
    s = adult_split
    m = LohausTooRelaxed(strength=10.0).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    pred = m.predict(s.X_test)
    # measured: 0.179 -> 0.015
    assert dp_diff(pred, s.A_test) < 0.5 * dp_diff(s.baseline_pred, s.A_test)
    weak = LohausTooRelaxed(strength=0.0).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    assert dp_diff(weak.predict(s.X_test), s.A_test) > dp_diff(pred, s.A_test) + 0.05
    assert accuracy(pred, s.y_test) > 0.78


def test_ferm_constraint_and_tpr_gap(adult_split):
    s = adult_split
    m = FERMClassifier().fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    # defining property: equal mean score over the two groups' positives on the training data
    score = m.decision_function(s.X_train)
    pos = s.y_train == 1
    sex = s.A_train["sex"].to_numpy()
    means = [score[pos & (sex == g)].mean() for g in ("Female", "Male")]
    assert abs(means[0] - means[1]) < 1e-6
    pred = m.predict(s.X_test)
    # measured: TPR gap 0.073 -> 0.007 at unchanged accuracy (0.842)
    assert rate_diff(pred, s.y_test, s.A_test, 1) < rate_diff(s.baseline_pred, s.y_test, s.A_test, 1)
    assert accuracy(pred, s.y_test) > 0.82


def test_bad_input(adult_split):
    s = adult_split
    one = ["x"] * len(s.y_train)
    for est in (FairretClassifier(epochs=2), LohausTooRelaxed(epochs=2), FERMClassifier()):
        with pytest.raises(SingleGroupError):
            est.fit(s.X_train, s.y_train, sensitive_features=one)
    with pytest.raises(InvalidParameterError):
        FairretClassifier(statistic="calibration").fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    three = np.resize(np.array(["a", "b", "c"], dtype=object), len(s.y_train))
    with pytest.raises(NotExecutableError):
        FERMClassifier().fit(s.X_train, s.y_train, sensitive_features=three)

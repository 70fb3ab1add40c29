"""ARL (Lahoti et al. 2020) and MAAT (Chen et al. 2022) on the Adult sample (protected = sex)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from _inproc_metrics import accuracy, dp_diff
from fairmend.catalog.techniques.in_processing.reweighted import ARLClassifier, MAATClassifier
from fairmend.errors import InvalidParameterError, LabelError, SingleGroupError


def _group_logloss(proba: np.ndarray, y: np.ndarray, g: np.ndarray) -> dict:
    p = np.clip(np.where(y == 1, proba, 1 - proba), 1e-12, 1)
    return pd.Series(-np.log(p)).groupby(g).mean().to_dict()


def test_arl_worst_group_loss_goes_down_without_groups(adult_split):
    """Groups sex x income are only used to evaluate: ARL never sees them (nor sex)."""
    s = adult_split
    m = ARLClassifier().fit(s.X_train, s.y_train)
    g_test = s.A_test["sex"].to_numpy() + "|" + s.y_test.astype(str)
    base = _group_logloss(s.baseline_proba, s.y_test, g_test)
    ours = _group_logloss(m.predict_proba(s.X_test)[:, 1], s.y_test, g_test)
    # measured: worst group Female|1, 0.971 -> ~0.69; accuracy 0.842 -> ~0.83
    assert max(ours.values()) < max(base.values()) - 0.1, (base, ours)
    assert accuracy(m.predict(s.X_test), s.y_test) > 0.8
    # the adversary up-weights the high-loss positives relative to the negatives
    lam = m.example_weights(s.X_train, s.y_train)
    assert lam[s.y_train == 1].mean() > lam[s.y_train == 0].mean()
    # seeded: the same seed gives the same model
    again = ARLClassifier().fit(s.X_train, s.y_train)
    np.testing.assert_allclose(again.decision_function(s.X_test[:50]), m.decision_function(s.X_test[:50]))


def test_maat_reduces_dp_gap(adult_split):
    s = adult_split
    base = dp_diff(s.baseline_pred, s.A_test)
    gaps = {}
    for fw in (0.0, 0.5, 1.0):
        m = MAATClassifier(fairness_weight=fw).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
        gaps[fw] = dp_diff(m.predict(s.X_test), s.A_test)
        if fw == 0.5:
            assert accuracy(m.predict(s.X_test), s.y_test) > 0.83
    # measured: baseline 0.179; fairness_weight 0.5 -> 0.140, 1.0 -> 0.095
    assert abs(gaps[0.0] - base) < 0.02  # weight 0 = the performance model = plain logistic regression
    assert gaps[1.0] < gaps[0.5] < base


def test_bad_input(adult_split):
    s = adult_split
    with pytest.raises(LabelError):
        ARLClassifier(epochs=1).fit(s.X_train, np.full(len(s.y_train), 3))
    with pytest.raises(InvalidParameterError):
        ARLClassifier(batch_size=1).fit(s.X_train, s.y_train)
    with pytest.raises(SingleGroupError):
        MAATClassifier().fit(s.X_train, s.y_train, sensitive_features=["x"] * len(s.y_train))
    with pytest.raises(InvalidParameterError):
        MAATClassifier(fairness_weight=1.5).fit(s.X_train, s.y_train, sensitive_features=s.A_train)

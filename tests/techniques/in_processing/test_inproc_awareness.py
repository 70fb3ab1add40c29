"""Fairness through awareness (Dwork et al. 2012): the Lipschitz LP on Adult anchors."""

from __future__ import annotations

import numpy as np
import pytest
from _inproc_metrics import accuracy
from fairmend.catalog.techniques.in_processing._common import FeatureEncoder
from fairmend.catalog.techniques.in_processing.awareness import FairnessThroughAwareness
from sklearn.linear_model import LogisticRegression

from fairmend.errors import InvalidParameterError, SingleGroupError


def _max_lipschitz_ratio(p, D):
    iu = np.triu_indices(len(p), 1)
    return float(np.max(np.abs(p[:, None] - p[None, :])[iu] / np.maximum(D[iu], 1e-12)))


def test_lipschitz_on_anchors_and_smoother_than_baseline(adult_split):
    s = adult_split
    m = FairnessThroughAwareness(n_anchors=400).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    assert len(m.anchor_index_) >= 390 and m.n_constraints_ > 0
    anchors = s.X_train.iloc[m.anchor_index_]
    # the defining property: |p_i - p_j| <= d(i, j) on every anchor pair (LP solver tolerance)
    assert _max_lipschitz_ratio(m.anchor_proba_, m.metric(anchors, anchors)) <= 1 + 1e-6
    # new rows: the Lipschitz extension keeps the condition; the baseline's probabilities break it
    sub = s.X_test.iloc[:500]
    D = m.metric(sub, sub)
    assert _max_lipschitz_ratio(m.predict_proba(sub)[:, 1], D) <= 1 + 1e-6
    enc = FeatureEncoder().fit(s.X_train)
    base = LogisticRegression(max_iter=1000).fit(enc.transform(s.X_train), s.y_train)
    assert _max_lipschitz_ratio(base.predict_proba(enc.transform(sub))[:, 1], D) > 1.5
    # still a useful classifier (majority class alone scores ~0.75 on this sample)
    assert accuracy(m.predict(s.X_test), s.y_test) > 0.77
    # anchors reproduce the LP values exactly
    assert np.allclose(m.predict_proba(anchors)[:, 1], m.anchor_proba_, atol=1e-6)


def test_bad_input(adult_split):
    s = adult_split
    with pytest.raises(SingleGroupError):
        FairnessThroughAwareness().fit(s.X_train, s.y_train, sensitive_features=["x"] * len(s.y_train))
    with pytest.raises(InvalidParameterError):
        FairnessThroughAwareness(n_anchors=5000).fit(s.X_train, s.y_train, sensitive_features=s.A_train)

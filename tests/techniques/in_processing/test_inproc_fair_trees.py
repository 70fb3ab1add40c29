"""Fair tree with the strong-DP splitting criterion (Pereira Barata et al.): DP gap below a plain tree."""

from __future__ import annotations

import numpy as np
import pytest
from _inproc_metrics import accuracy, dp_diff
from fairmend.catalog.techniques.in_processing._common import FeatureEncoder
from fairmend.catalog.techniques.in_processing.fair_trees import FairTreeClassifier
from sklearn.metrics import roc_auc_score
from sklearn.tree import DecisionTreeClassifier

from fairmend.errors import InvalidParameterError, SingleGroupError


def _auc_s(score, A):
    auc = roc_auc_score(A["sex"].to_numpy() == "Male", score)
    return max(auc, 1 - auc)


def test_dp_gap_below_plain_tree(adult_split):
    s = adult_split
    enc = FeatureEncoder().fit(s.X_train)
    plain = DecisionTreeClassifier(max_depth=5, min_samples_leaf=20, random_state=0)
    plain.fit(enc.transform(s.X_train), s.y_train)
    plain_pred = plain.predict(enc.transform(s.X_test))
    fair = FairTreeClassifier(orthogonality=0.6, max_depth=5).fit(
        s.X_train, s.y_train, sensitive_features=s.A_train)
    pred = fair.predict(s.X_test)
    assert fair.get_depth() >= 3  # a real tree, not a stump
    assert dp_diff(pred, s.A_test) < dp_diff(plain_pred, s.A_test) - 0.05
    assert accuracy(pred, s.y_test) > 0.75  # majority class alone is ~0.75; the tree learns
    # strong DP: the score distributions of the groups move closer (AUC w.r.t. sex towards 0.5)
    assert _auc_s(fair.predict_proba(s.X_test)[:, 1], s.A_test) < _auc_s(
        plain.predict_proba(enc.transform(s.X_test))[:, 1], s.A_test) - 0.05


def test_orthogonality_zero_is_an_ordinary_tree(adult_split):
    """theta = 0 splits on label AUC only: accuracy comparable with sklearn's tree of the same depth."""
    s = adult_split
    enc = FeatureEncoder().fit(s.X_train)
    plain = DecisionTreeClassifier(max_depth=5, min_samples_leaf=20, random_state=0)
    plain.fit(enc.transform(s.X_train), s.y_train)
    ours = FairTreeClassifier(orthogonality=0.0, max_depth=5).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    assert abs(accuracy(ours.predict(s.X_test), s.y_test)
               - accuracy(plain.predict(enc.transform(s.X_test)), s.y_test)) < 0.03
    # more orthogonality -> smaller DP gap (monotone over a coarse grid)
    gaps = [dp_diff(FairTreeClassifier(orthogonality=t, max_depth=5).fit(
        s.X_train, s.y_train, sensitive_features=s.A_train).predict(s.X_test), s.A_test) for t in (0.0, 0.5, 0.8)]
    assert gaps[0] > gaps[1] > gaps[2] - 0.01, gaps


def test_bad_input(adult_split):
    s = adult_split
    with pytest.raises(SingleGroupError):
        FairTreeClassifier().fit(s.X_train, s.y_train, sensitive_features=["x"] * len(s.y_train))
    with pytest.raises(InvalidParameterError):
        FairTreeClassifier(orthogonality=1.5).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    m = FairTreeClassifier(max_depth=2).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    p = m.predict_proba(s.X_test)
    assert p.shape == (len(s.X_test), 2) and np.allclose(p.sum(axis=1), 1)

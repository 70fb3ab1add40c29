"""One-vs.-one intersectional mitigation (Kobayashi & Nakao) over sex x race on the Adult sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairmend.catalog.techniques.in_processing._common import FeatureEncoder
from fairmend.catalog.techniques.in_processing.intersectional_ovo import IntersectionalOneVsOne, _massage_pair
from sklearn.model_selection import train_test_split

from fairmend.errors import InvalidParameterError, SingleGroupError


def _max_gap(pred, groups, min_rows=100):
    """Largest selection-rate gap over intersectional groups with >= min_rows test rows.

    Groups with a few dozen test rows (e.g. Female|Other) have selection rates too noisy to compare.
    """
    s = pd.Series(pred).groupby(np.asarray(groups))
    rates = s.mean()[s.size() >= min_rows]
    return float(rates.max() - rates.min())


def test_intersectional_dp_gap_drops(adult_sample):
    from sklearn.linear_model import LogisticRegression

    f = adult_sample.frame
    train, test = train_test_split(f, test_size=0.5, stratify=f["sex"] + f["income"].astype(str), random_state=0)
    drop = ["income", "sex", "race"]
    X_tr, X_te = train.drop(columns=drop), test.drop(columns=drop)
    y_tr = train["income"].to_numpy()
    g_te = (test["sex"] + "|" + test["race"]).to_numpy()
    enc = FeatureEncoder().fit(X_tr)
    base = LogisticRegression(max_iter=1000).fit(enc.transform(X_tr), y_tr).predict(enc.transform(X_te))
    m = IntersectionalOneVsOne().fit(X_tr, y_tr, sensitive_features=train[["sex", "race"]])
    pred = m.predict(X_te)
    assert m.n_pairs_ >= 10 and m.n_relabelled_ > 0
    assert _max_gap(pred, g_te) < _max_gap(base, g_te) - 0.05
    assert np.mean(pred == test["income"].to_numpy()) > 0.78
    # the new training labels are closer to parity than the original labels
    g_tr = (train["sex"] + "|" + train["race"]).to_numpy()
    assert _max_gap(m.massaged_labels_, g_tr, 200) < _max_gap(y_tr, g_tr, 200)


def test_massage_pair_equalises_rates():
    rng = np.random.default_rng(0)
    in_a = rng.random(400) < 0.5
    y = (rng.random(400) < np.where(in_a, 0.5, 0.2)).astype(int)
    new = _massage_pair(y, in_a, rng.random(400))
    assert abs(new[in_a].mean() - new[~in_a].mean()) < 0.02
    assert new.sum() == y.sum()  # massaging keeps the number of positives


def test_bad_input(adult_split):
    s = adult_split
    with pytest.raises(SingleGroupError):
        IntersectionalOneVsOne().fit(s.X_train, s.y_train, sensitive_features=["x"] * len(s.y_train))
    with pytest.raises(InvalidParameterError):
        IntersectionalOneVsOne(min_group_size=10**6).fit(s.X_train, s.y_train, sensitive_features=s.A_train)

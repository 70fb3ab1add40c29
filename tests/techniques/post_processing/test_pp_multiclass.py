"""LP post-processing (Putzel & Lee 2022): binary Adult vs fairlearn, and a 3-class Adult task."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _pp_metrics import accuracy, dp_diff, eo_diff
from fairlearn.postprocessing import ThresholdOptimizer
from fairmend.catalog.techniques.post_processing.multiclass import LPMulticlassPostprocessor
from fairmend.catalog.techniques.post_processing.thresholds import _ScoreIdentity, score_frame
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from fairmend.errors import DataError, InvalidParameterError, LabelError, SingleGroupError


def _multiclass_eo_gap(dist, y, g) -> float:
    """max over (true k, output j) of the between-group gap in P(pred = j | y = k, A).

    ``dist`` is an (n, C) matrix of output-class probabilities (one-hot for hard predictions).
    """
    gap = 0.0
    for k in np.unique(y):
        for j in range(dist.shape[1]):
            rates = pd.Series(dist[y == k, j]).groupby(g[y == k]).mean()
            gap = max(gap, float(rates.max() - rates.min()))
    return gap


def test_binary_equalized_odds_like_fairlearn(adult_scores) -> None:
    d = adult_scores
    base = (d.s_test >= 0.5).astype(int)
    model = LPMulticlassPostprocessor().fit(d.s_val, d.y_val, sensitive_features=d.A_val)
    pred = model.predict(d.s_test, sensitive_features=d.A_test)
    assert set(np.unique(pred)) <= {0, 1}
    # exact EO on the fitting data in expectation (the LP's constraint)
    p_val = model.predict_proba(d.s_val, sensitive_features=d.A_val)
    assert eo_diff(p_val, d.y_val, d.A_val) < 1e-6
    fl = ThresholdOptimizer(
        estimator=_ScoreIdentity(), constraints="equalized_odds", prefit=True, predict_method="predict"
    ).fit(score_frame(d.s_val), d.y_val, sensitive_features=d.A_val["sex"])
    fl_pred = fl.predict(score_frame(d.s_test), sensitive_features=d.A_test["sex"], random_state=0)
    before = eo_diff(base, d.y_test, d.A_test)
    ours, theirs = eo_diff(pred, d.y_test, d.A_test), eo_diff(fl_pred, d.y_test, d.A_test)
    assert before > 0.05
    assert ours < before / 2 and theirs < before / 2, (before, ours, theirs)
    # the LP only sees the hard prediction, fairlearn the score: at most a few points less accurate
    assert accuracy(pred, d.y_test) > accuracy(fl_pred, d.y_test) - 0.04


def test_binary_demographic_parity(adult_scores) -> None:
    d = adult_scores
    model = LPMulticlassPostprocessor(constraint="demographic_parity").fit(
        d.s_val, d.y_val, sensitive_features=d.A_val
    )
    before = dp_diff((d.s_test >= 0.5).astype(int), d.A_test)
    after = dp_diff(model.predict(d.s_test, sensitive_features=d.A_test), d.A_test)
    assert after < 0.04 < before, (before, after)


def test_three_class_adult(adult_sample) -> None:
    frame = adult_sample.frame
    # 0: <=50K and < 40 h/week, 1: <=50K and >= 40 h/week, 2: >50K
    y = np.where(frame["income"] == 1, 2, np.where(frame["hours_per_week"] >= 40, 1, 0))
    X = frame.drop(columns=["income", "sex", "race", "hours_per_week"])
    g = frame["sex"].astype(str).to_numpy()
    cats = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    nums = [c for c in X.columns if c not in cats]
    Xtr, Xte, ytr, yte, gtr, gte = train_test_split(X, y, g, test_size=0.5, random_state=0, stratify=y)
    Xfit, Xval, yfit, yval, _gfit, gval = train_test_split(Xtr, ytr, gtr, test_size=0.5, random_state=0)
    clf = make_pipeline(
        ColumnTransformer(
            [("n", StandardScaler(), nums), ("c", OneHotEncoder(handle_unknown="ignore"), cats)]
        ),
        LogisticRegression(max_iter=1000),
    ).fit(Xfit, yfit)
    Pval, Pte = clf.predict_proba(Xval), clf.predict_proba(Xte)
    model = LPMulticlassPostprocessor(tolerance=0.02).fit(Pval, yval, sensitive_features=gval)
    dist = model.predict_proba(Pte, sensitive_features=gte)
    assert dist.shape == (len(yte), 3) and np.allclose(dist.sum(axis=1), 1.0)
    assert all(np.allclose(M.sum(axis=1), 1.0) and M.min() >= 0 for M in model.mappings_.values())
    # the LP constraint on the fitting data: every rate within 2 * tolerance across groups
    assert _multiclass_eo_gap(model.predict_proba(Pval, sensitive_features=gval), yval, gval) <= 0.04 + 1e-6
    # held out (expected rates of the randomised rule; the female class-2 cell has ~150 rows)
    onehot = np.eye(3)[Pte.argmax(axis=1)]
    before, after = _multiclass_eo_gap(onehot, yte, gte), _multiclass_eo_gap(dist, yte, gte)
    assert before > 0.1
    assert after < before / 2, (before, after)
    pred = model.predict(Pte, sensitive_features=gte)
    assert set(np.unique(pred)) <= {0, 1, 2}
    assert accuracy(pred, yte) > 1 / 3  # better than chance


def test_bad_input(adult_scores) -> None:
    d = adult_scores
    with pytest.raises(SingleGroupError):
        LPMulticlassPostprocessor().fit(d.s_val, d.y_val, sensitive_features=np.zeros(len(d.s_val)))
    with pytest.raises(InvalidParameterError):
        LPMulticlassPostprocessor(constraint="nope").fit(d.s_val, d.y_val, sensitive_features=d.A_val)
    with pytest.raises(LabelError):
        LPMulticlassPostprocessor().fit(d.s_val, d.y_val + 5, sensitive_features=d.A_val)
    with pytest.raises(DataError):
        LPMulticlassPostprocessor().fit(d.s_val[:10], d.y_val, sensitive_features=d.A_val)

"""Massaging, uniform and preferential sampling (Kamiran & Calders 2009/2012) on the Adult sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _pre_metrics import downstream_predictions, dp_diff, label_rate_diff
from fairmend.catalog.techniques.pre_processing.kamiran_calders import (
    Massaging,
    PreferentialSampling,
    UniformSampling,
    ranker_scores,
)

from fairmend.errors import InvalidParameterError, SingleGroupError


def _discrimination(y, groups):
    return label_rate_diff(y, groups)


def test_massaging_relabels_m_pairs_to_zero_discrimination(adult_split):
    s = adult_split
    groups = s.A_train["sex"].to_numpy()
    y = s.y_train
    n_f, n_m = np.sum(groups == "Female"), np.sum(groups == "Male")
    disc = y[groups == "Male"].mean() - y[groups == "Female"].mean()
    m_paper = disc * n_f * n_m / len(y)  # Kamiran & Calders: M = disc * |D| * |F| / |D u F|
    pre = Massaging()
    pred, res = downstream_predictions(pre, s)
    assert pre.changes_["Female"] == round(m_paper) and pre.changes_["Male"] == -round(m_paper)
    assert pre.n_relabelled_ == 2 * round(m_paper)
    assert res.y.sum() == y.sum()  # promotions and demotions cancel
    assert _discrimination(res.y, groups) < 1.0 / min(n_f, n_m) + 1e-12  # zero up to one row
    # promoted rows are the best-ranked negatives of the deprived group
    scores = ranker_scores(s.X_train, y, "logreg")
    promoted = (res.y == 1) & (y == 0)
    untouched_neg = (groups == "Female") & (y == 0) & ~promoted
    assert scores[promoted].min() >= scores[untouched_neg].max()
    base, after = dp_diff(s.baseline_pred, s.A_test), dp_diff(pred, s.A_test)
    assert after < 0.6 * base, (base, after)  # measured: 0.179 -> 0.064


def test_uniform_sampling_cells_reach_expected_sizes(adult_split):
    s = adult_split
    groups = s.A_train["sex"].to_numpy()
    pred, res = downstream_predictions(UniformSampling(random_state=0), s)
    new_groups = res.sensitive_features["sex"].to_numpy()
    for g in ("Female", "Male"):
        for lab in (0, 1):
            expected = np.sum(groups == g) * np.sum(s.y_train == lab) / len(s.y_train)
            assert abs(np.sum((new_groups == g) & (res.y == lab)) - expected) <= 0.5 + 1e-9
    assert _discrimination(res.y, new_groups) < 1e-3
    base, after = dp_diff(s.baseline_pred, s.A_test), dp_diff(pred, s.A_test)
    assert after < 0.7 * base, (base, after)  # measured: 0.179 -> 0.082


def test_preferential_sampling_duplicates_and_drops_borderline_rows(adult_split):
    s = adult_split
    y, groups = s.y_train, s.A_train["sex"].to_numpy()
    pre = PreferentialSampling()
    pred, res = downstream_predictions(pre, s)
    counts = np.bincount(pre.indices_, minlength=len(y))
    scores = ranker_scores(s.X_train, y, "logreg")
    # favoured positives are over-represented -> the dropped ones have the lowest scores
    fp = (groups == "Male") & (y == 1)
    dropped, kept = fp & (counts == 0), fp & (counts > 0)
    assert dropped.any() and scores[dropped].max() <= scores[kept].min()
    # deprived positives are under-represented (expected size > 2x observed on Adult): rows are
    # duplicated in order of closeness to the boundary, so copies never increase with the score
    cell = np.flatnonzero((groups == "Female") & (y == 1))
    by_score = counts[cell[np.argsort(scores[cell], kind="stable")]]
    assert by_score.min() >= 2 and by_score.max() > by_score.min()
    assert np.all(np.diff(by_score) <= 0)
    assert _discrimination(res.y, res.sensitive_features["sex"].to_numpy()) < 1e-3
    base, after = dp_diff(s.baseline_pred, s.A_test), dp_diff(pred, s.A_test)
    assert after < 0.5 * base, (base, after)  # measured: 0.179 -> 0.018


def test_naive_bayes_ranker_and_bad_parameters(adult_split):
    s = adult_split
    res = Massaging(ranker="naive_bayes").fit_resample(s.X_train, s.y_train, sensitive_features=s.A_train)
    assert _discrimination(res.y, s.A_train["sex"].to_numpy()) < 1e-3
    with pytest.raises(InvalidParameterError):
        Massaging(ranker="svm").fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    with pytest.raises(SingleGroupError):
        UniformSampling().fit(s.X_train, s.y_train, sensitive_features=np.full(len(s.y_train), "x"))


def test_three_groups_all_reach_overall_rate():
    rng = np.random.default_rng(1)
    n = 600
    g = np.repeat(["a", "b", "c"], n // 3)
    x = rng.normal(size=n) + (g == "a") * 1.0
    y = (x + rng.normal(size=n) > 0.5).astype(int)
    X = pd.DataFrame({"x": x, "z": rng.normal(size=n)})
    res = Massaging().fit_resample(X, y, sensitive_features=g)
    assert _discrimination(res.y, g) <= 1.0 / 200 + 1e-12
    res = PreferentialSampling().fit_resample(X, y, sensitive_features=g)
    assert _discrimination(res.y, res.sensitive_features) < 0.01

"""SMOTE oversampling and Fair-SMOTE (Chakraborty et al. 2021) on the Adult sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _pre_metrics import downstream_predictions, dp_diff, label_rate_diff, rate_diff
from fairmend.catalog.techniques.pre_processing.smote import FairSMOTE, SMOTEOversampling

from fairmend.errors import DataError, InvalidParameterError, SingleGroupError


def _cells(res):
    g = res.sensitive_features["sex"].to_numpy()
    return {(a, lab): int(np.sum((g == a) & (res.y == lab))) for a in ("Female", "Male") for lab in (0, 1)}


def _valid_rows(res, X):
    new = res.X.iloc[len(X) :]
    for col in X.columns:
        if pd.api.types.is_numeric_dtype(X[col]):
            assert new[col].dtype == X[col].dtype, col
            assert new[col].min() >= X[col].min() and new[col].max() <= X[col].max(), col
        else:
            assert set(new[col]) <= set(X[col]), col
    pd.testing.assert_frame_equal(res.X.iloc[: len(X)], X)  # originals first, unchanged


def test_smote_by_group_balances_classes_per_group(adult_split):
    s = adult_split
    pre = SMOTEOversampling(random_state=0)
    pred, res = downstream_predictions(pre, s)
    cells = _cells(res)
    for g in ("Female", "Male"):
        assert cells[(g, 1)] == cells[(g, 0)]
    assert label_rate_diff(res.y, res.sensitive_features["sex"].to_numpy()) < 1e-12
    _valid_rows(res, s.X_train)
    # Balancing every group's classes raises predicted positive rates, which widens the DP gap on
    # Adult (measured 0.179 -> 0.221); what it does reduce is the TPR gap (0.073 -> 0.033).
    base, after = rate_diff(s.baseline_pred, s.y_test, s.A_test, 1), rate_diff(pred, s.y_test, s.A_test, 1)
    assert after < 0.7 * base, (base, after)


def test_smote_synthetic_rows_lie_between_neighbours():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    y = np.r_[np.ones(20, int), np.zeros(180, int)]
    g = np.resize(["u", "v"], 200)
    res = SMOTEOversampling(by="label", k_neighbors=3).fit_resample(X, y, sensitive_features=g)
    assert np.sum(res.y == 1) == np.sum(res.y == 0) == 180
    minority = X.to_numpy()[:20]
    new = res.X.to_numpy()[200:]
    # each synthetic row is on a segment between two minority rows: its distance to the nearest
    # minority row is at most half the largest 3-NN distance within the minority class
    d_new = np.sqrt(((new[:, None, :] - minority[None]) ** 2).sum(-1)).min(1)
    d_min = np.sort(np.sqrt(((minority[:, None] - minority[None]) ** 2).sum(-1)), axis=1)[:, 3]
    assert d_new.max() <= d_min.max()
    lo, hi = minority.min(0), minority.max(0)
    assert np.all(new >= lo - 1e-12) and np.all(new <= hi + 1e-12)


def test_fair_smote_equal_subgroups_and_tpr_gap(adult_split):
    s = adult_split
    pred, res = downstream_predictions(FairSMOTE(random_state=0), s)
    cells = _cells(res)
    assert len(set(cells.values())) == 1 and cells[("Male", 0)] == max(_cells_orig(s).values())
    _valid_rows(res, s.X_train)
    pred_st, res_st = downstream_predictions(FairSMOTE(random_state=0, situation_testing=True), s)
    assert len(res_st.y) < len(res.y)  # situation testing removed the rows whose prediction flips with sex
    # DP of predictions worsens on Adult (balanced subgroups raise the positive rate, measured
    # 0.179 -> 0.226); the paper reports equal-opportunity / average-odds gains. The TPR gap
    # shrinks, most clearly with situation testing (measured 0.073 -> 0.066, and 0.046).
    base = rate_diff(s.baseline_pred, s.y_test, s.A_test, 1)
    assert rate_diff(pred_st, s.y_test, s.A_test, 1) < 0.8 * base
    assert rate_diff(pred, s.y_test, s.A_test, 1) < base
    assert dp_diff(pred, s.A_test) > 0  # computed, documented above


def _cells_orig(s):
    g = s.A_train["sex"].to_numpy()
    return {
        (a, lab): int(np.sum((g == a) & (s.y_train == lab))) for a in ("Female", "Male") for lab in (0, 1)
    }


def test_bad_input(adult_split):
    s = adult_split
    with pytest.raises(InvalidParameterError):
        SMOTEOversampling(by="race").fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    with pytest.raises(InvalidParameterError):
        FairSMOTE(crossover=1.5).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    with pytest.raises(SingleGroupError):
        FairSMOTE().fit(s.X_train, s.y_train, sensitive_features=np.full(len(s.y_train), "a"))
    g = s.A_train["sex"].to_numpy()
    only_pos_women = ~((g == "Female") & (s.y_train == 0))
    with pytest.raises(DataError, match="empty subgroup"):
        FairSMOTE().fit(
            s.X_train[only_pos_women], s.y_train[only_pos_women], sensitive_features=s.A_train[only_pos_women]
        )


def test_item10_fair_smote_draws_two_distinct_neighbours():
    """The two neighbours of a parent are drawn without replacement: with full crossover every
    synthetic row moves by ``mutation * (c1 - c2) != 0`` on continuous features, so none copies its
    parent (drawing with replacement copied the parent for about 1 in ``k_neighbors`` rows)."""
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=400), "b": rng.normal(size=400)})
    y = np.r_[np.ones(40, int), np.zeros(360, int)]
    g = np.resize(["u", "v"], 400)
    res = FairSMOTE(k_neighbors=3, crossover=1.0, mutation=0.8).fit_resample(X, y, sensitive_features=g)
    new = res.X.to_numpy()[400:]
    assert len(new) > 300
    original = {tuple(r) for r in X.to_numpy()}
    copies = sum(tuple(r) in original for r in new)
    assert copies == 0, copies

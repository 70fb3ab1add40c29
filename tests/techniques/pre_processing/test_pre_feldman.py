"""Disparate impact remover (Feldman et al. 2015): our quantile repair, and aif360's for comparison."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _pre_metrics import downstream_predictions, dp_diff
from fairmend.catalog.techniques.pre_processing.feldman import DisparateImpactRemover
from scipy.stats import ks_2samp

from fairmend.errors import DataError, InvalidParameterError, SingleGroupError

NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]


def _ks(values, groups):
    return ks_2samp(values[groups == "Male"], values[groups == "Female"]).statistic


def test_full_repair_equalises_group_distributions_on_train_and_test(adult_split):
    s = adult_split
    pre = DisparateImpactRemover(repair_level=1.0).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    g_tr, g_te = s.A_train["sex"].to_numpy(), s.A_test["sex"].to_numpy()
    rep_tr = pre.transform(s.X_train, sensitive_features=s.A_train)
    rep_te = pre.transform(s.X_test, sensitive_features=s.A_test)  # repaired with the *train* quantiles
    for col in ("age", "hours_per_week", "education_num"):
        before = _ks(s.X_train[col].to_numpy(float), g_tr)
        assert before > 0.04
        assert _ks(rep_tr[col].to_numpy(), g_tr) < 0.03, col
        assert _ks(rep_te[col].to_numpy(), g_te) < 0.05, col
    # categorical columns are untouched
    pd.testing.assert_series_equal(rep_te["occupation"], s.X_test["occupation"])


def test_repair_preserves_order_within_groups_and_partial_repair_interpolates(adult_split):
    s = adult_split
    kw = {"columns": "age", "tie_breaking": "midrank"}
    full = DisparateImpactRemover(repair_level=1.0, **kw).fit(
        s.X_train, s.y_train, sensitive_features=s.A_train
    )
    half = DisparateImpactRemover(repair_level=0.5, **kw).fit(
        s.X_train, s.y_train, sensitive_features=s.A_train
    )
    none = DisparateImpactRemover(repair_level=0.0, **kw).fit(
        s.X_train, s.y_train, sensitive_features=s.A_train
    )
    x = s.X_test["age"].to_numpy(float)
    r1 = full.transform(s.X_test, sensitive_features=s.A_test)["age"].to_numpy()
    r05 = half.transform(s.X_test, sensitive_features=s.A_test)["age"].to_numpy()
    r0 = none.transform(s.X_test, sensitive_features=s.A_test)["age"].to_numpy()
    np.testing.assert_allclose(r0, x)
    np.testing.assert_allclose(r05, 0.5 * x + 0.5 * r1)
    groups = s.A_test["sex"].to_numpy()
    for g in ("Male", "Female"):
        order = np.argsort(x[groups == g], kind="stable")
        assert np.all(np.diff(r1[groups == g][order]) >= -1e-12)
    # the target is the median of the group quantile functions (two groups: their midpoint)
    sv = full.sorted_values_["age"]
    q = np.vstack([np.quantile(v, full.levels_) for v in sv.values()])
    np.testing.assert_allclose(full.target_quantiles_["age"], q.mean(axis=0))


def test_downstream_demographic_parity_improves(adult_split):
    s = adult_split
    pred, _ = downstream_predictions(DisparateImpactRemover(), s)
    base, after = dp_diff(s.baseline_pred, s.A_test), dp_diff(pred, s.A_test)
    # Only the numeric features are repaired; sex remains encoded in relationship/marital status,
    # so on full Adult X the reduction is small (measured 0.179 -> ~0.17).
    assert after < base, (base, after)
    # with numeric features only (no categorical proxies) the repair removes most of the gap
    Xtr, Xte = s.X_train[NUMERIC], s.X_test[NUMERIC]
    from fairmend.engine.models import fit_model, make_base_model

    model = fit_model(make_base_model("logreg", Xtr), Xtr, s.y_train)
    base_num = dp_diff(model.predict(Xte), s.A_test)
    pred_num, _ = downstream_predictions(DisparateImpactRemover(), s, X_train=Xtr, X_test=Xte)
    assert dp_diff(pred_num, s.A_test) < 0.6 * base_num, (base_num, dp_diff(pred_num, s.A_test))


def test_compare_with_aif360_on_age(adult_split):
    """aif360's remover also equalises a numeric feature, but differently (see the class Notes).

    It recomputes distributions on the data it is given (no fit on train / transform on test),
    outputs Freedman-Diaconis bin medians (a few dozen distinct values), and its partial repair
    moves rows between bins. On ``age`` both repairs agree closely (correlation > 0.99) and both
    shrink the between-group KS distance; ours, with random tie breaking, equalises it more.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from aif360.algorithms.preprocessing import DisparateImpactRemover as AifDIR
        from aif360.datasets import BinaryLabelDataset

    s = adult_split
    sex = (s.A_train["sex"] == "Male").astype(float).to_numpy()
    df = pd.DataFrame({"age": s.X_train["age"].astype(float), "sex": sex, "income": s.y_train.astype(float)})
    ds = BinaryLabelDataset(df=df, label_names=["income"], protected_attribute_names=["sex"])
    ref = AifDIR(repair_level=1.0, sensitive_attribute="sex").fit_transform(ds)
    theirs = ref.features[:, ref.feature_names.index("age")]
    ours = DisparateImpactRemover(columns="age").fit_resample(
        s.X_train, s.y_train, sensitive_features=s.A_train
    )
    ours_age = ours.X["age"].to_numpy()
    groups = s.A_train["sex"].to_numpy()
    before = _ks(s.X_train["age"].to_numpy(float), groups)
    assert np.corrcoef(theirs, ours_age)[0, 1] > 0.99
    assert _ks(theirs, groups) < before and _ks(ours_age, groups) < _ks(theirs, groups)
    assert len(np.unique(theirs)) < 100  # bin medians
    assert abs(np.median(theirs) - np.median(ours_age)) <= 1.0


def test_bad_input(adult_split):
    s = adult_split
    pre = DisparateImpactRemover().fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    with pytest.raises(DataError, match="not seen in fit"):
        pre.transform(s.X_test, sensitive_features=np.full(len(s.X_test), "Other"))
    with pytest.raises(DataError, match="needs sensitive_features"):
        pre.transform(s.X_test)
    with pytest.raises(InvalidParameterError):
        DisparateImpactRemover(repair_level=1.5).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    with pytest.raises(DataError, match="not numeric"):
        DisparateImpactRemover(columns="occupation").fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    with pytest.raises(SingleGroupError):
        DisparateImpactRemover().fit(s.X_train, s.y_train, sensitive_features=np.full(len(s.y_train), "a"))


def test_item4_dir_transform_is_row_deterministic(adult_split):
    """A row's repaired value depends on the row alone: reversing or shuffling the batch, or
    transforming one row on its own, changes nothing (issue 15, item 4: a batch-level random tie
    break changed 77 % of the test rows when their order was reversed)."""
    s = adult_split
    pre = DisparateImpactRemover(repair_level=1.0).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    forward = pre.transform(s.X_test, sensitive_features=s.A_test)
    rev = np.arange(len(s.X_test))[::-1]
    backward = pre.transform(
        s.X_test.iloc[rev].reset_index(drop=True),
        sensitive_features=s.A_test.iloc[rev].reset_index(drop=True),
    )
    np.testing.assert_array_equal(backward[NUMERIC].to_numpy()[::-1], forward[NUMERIC].to_numpy())
    perm = np.random.default_rng(1).permutation(len(s.X_test))
    shuffled = pre.transform(s.X_test.iloc[perm], sensitive_features=s.A_test.iloc[perm])
    np.testing.assert_array_equal(shuffled[NUMERIC].to_numpy(), forward[NUMERIC].to_numpy()[perm])
    one = pre.transform(s.X_test.iloc[[7]], sensitive_features=s.A_test.iloc[[7]])
    np.testing.assert_array_equal(one[NUMERIC].to_numpy()[0], forward[NUMERIC].to_numpy()[7])
    # ties are still spread: rows at 40 hours a week get many distinct repaired values
    men_40 = (s.X_test["hours_per_week"] == 40).to_numpy() & (s.A_test["sex"] == "Male").to_numpy()
    assert len(np.unique(forward["hours_per_week"].to_numpy()[men_40])) > 10

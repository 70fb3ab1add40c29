"""FairAdapt: quantile-preserving causal data adaptation (Plečko & Meinshausen 2020)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _pre_metrics import downstream_predictions, dp_diff
from fairmend.catalog.techniques.pre_processing.fairadapt import FairAdapt
from scipy.stats import ks_2samp

from fairmend.errors import ColumnNotFoundError, DataError, SingleGroupError

EDGES = "age->education_num, education_num->occupation, age->marital_status, marital_status->relationship"


def test_adapted_groups_match_and_reference_unchanged(adult_split):
    X, A = adult_split.X_train, adult_split.A_train
    pre = FairAdapt(edges=EDGES).fit(X, adult_split.y_train, sensitive_features=A)
    assert pre.reference_ == "Male"
    Z = pre.transform(X, sensitive_features=A)
    male = (A["sex"] == "Male").to_numpy()
    pd.testing.assert_frame_equal(Z[male], X[male])
    assert list(Z.dtypes) == list(X.dtypes)
    for c in ("age", "hours_per_week", "education_num"):
        before = ks_2samp(X.loc[male, c], X.loc[~male, c]).statistic
        after = ks_2samp(Z.loc[male, c], Z.loc[~male, c]).statistic
        assert after < 0.05 < before, c
    for c in ("relationship", "marital_status"):
        p_ref = X.loc[male, c].value_counts(normalize=True)
        p_new = Z.loc[~male, c].value_counts(normalize=True).reindex(p_ref.index, fill_value=0)
        assert (p_ref - p_new).abs().sum() / 2 < 0.05, c  # total variation distance
    # quantile preservation (a feature without parents): the map is monotone within the group,
    # x_i < x_j implies z_i <= z_j (ties of x may spread over a step of the reference quantiles)
    spans = Z.loc[~male, "hours_per_week"].groupby(X.loc[~male, "hours_per_week"]).agg(["min", "max"])
    assert (spans["max"].to_numpy()[:-1] <= spans["min"].to_numpy()[1:]).all()


def test_downstream_dp_gap_drops(adult_split):
    base = dp_diff(adult_split.baseline_pred, adult_split.A_test)
    pred, res = downstream_predictions(FairAdapt(edges=EDGES), adult_split)
    after = dp_diff(pred, adult_split.A_test)
    assert after < base - 0.05
    assert (
        np.mean(pred == adult_split.y_test) > np.mean(adult_split.baseline_pred == adult_split.y_test) - 0.05
    )
    np.testing.assert_array_equal(res.y, adult_split.y_train)


def test_resolving_and_bad_input(adult_split):
    X, y, A = adult_split.X_train, adult_split.y_train, adult_split.A_train
    pre = FairAdapt(resolving="education_num").fit(X, y, sensitive_features=A)
    Z = pre.transform(X, sensitive_features=A)
    pd.testing.assert_series_equal(Z["education_num"], X["education_num"])
    with pytest.raises(ColumnNotFoundError):
        FairAdapt(edges="zip->age").fit(X, y, sensitive_features=A)
    with pytest.raises(SingleGroupError):
        FairAdapt().fit(X, y, sensitive_features=np.array(["Male"] * len(X)))
    with pytest.raises(DataError):
        FairAdapt(reference="Other").fit(X, y, sensitive_features=A)
    with pytest.raises(DataError):
        pre.transform(X, sensitive_features=None)
    with pytest.raises(DataError):
        pre.transform(X, sensitive_features=np.array(["Unseen"] * len(X)))

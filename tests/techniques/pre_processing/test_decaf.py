"""DECAF (van Breugel et al. 2021): causally-aware fair synthetic data on German credit.

Protected attribute ``age_group``; ``age`` is left out of the features because ``age_group`` is a
binning of it (keeping it would keep the protected attribute itself). The generator is trained
once per module on the 700 training rows with the default graph ``A -> features -> y``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _pre_metrics import label_rate_diff
from fairmend.catalog.techniques.pre_processing.decaf import DECAF
from scipy.stats import ks_2samp
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from fairmend.engine.models import fit_model, make_base_model
from fairmend.errors import ColumnNotFoundError, DataError, InvalidParameterError, SingleGroupError

torch = pytest.importorskip("torch")



@pytest.fixture(scope="module")
def german_split(german):
    f = german.frame
    train, test = train_test_split(
        f, test_size=0.3, stratify=f["age_group"] + f["credit"].astype(str), random_state=0
    )
    drop = ["credit", "sex", "age_group", "age"]
    return (
        train.drop(columns=drop).reset_index(drop=True), train["credit"].to_numpy(),
        train[["age_group"]].reset_index(drop=True),
        test.drop(columns=drop).reset_index(drop=True), test["credit"].to_numpy(),
    )


@pytest.fixture(scope="module")
def decaf(german_split):
    X, y, A = german_split[:3]
    model = DECAF(random_state=0)
    return model, model.fit_resample(X, y, sensitive_features=A)


def _logreg(X, y):
    return fit_model(make_base_model("logreg", X), X, y)


def test_decaf_synthetic_data_fair_and_faithful(german_split, decaf):
    X, y, A, X_te, y_te = german_split
    model, res = decaf
    assert res.X.shape == X.shape and list(res.X.columns) == list(X.columns)
    assert (res.X.dtypes == X.dtypes).all() and set(res.y) == {0, 1}
    assert list(res.sensitive_features.columns) == ["age_group"]
    big = model.sample(5000)
    g_syn = big.sensitive_features["age_group"].to_numpy()
    real_gap, syn_gap = label_rate_diff(y, A["age_group"]), label_rate_diff(big.y, g_syn)
    # measured: label gap 0.149 (real) -> 0.016 (synthetic); over seeds 0.002-0.027
    assert syn_gap < 0.4 * real_gap, (real_gap, syn_gap)
    # the GAN's label and group marginals are off by up to ~0.12 (measured positive rate 0.70 -> 0.59,
    # share of 25_or_younger 0.19 -> 0.20; over seeds 0.59-0.78 and 0.12-0.26)
    assert abs(big.y.mean() - y.mean()) < 0.15
    assert abs((g_syn == "25_or_younger").mean() - (A["age_group"] == "25_or_younger").mean()) < 0.1
    # a model trained on the synthetic rows is fair on synthetic rows (measured DP 0.012)
    syn_model = _logreg(big.X, big.y)
    assert label_rate_diff(syn_model.predict(big.X), g_syn) < 0.4 * real_gap
    # marginals stay close (measured KS 0.00-0.22 numeric, total variation <= 0.07 categorical)
    nums = [c for c in X.columns if pd.api.types.is_numeric_dtype(X[c])]
    ks = [ks_2samp(X[c], big.X[c]).statistic for c in nums]
    assert sum(k < 0.3 for k in ks) >= len(nums) - 1, dict(zip(nums, ks))
    for c in X.columns.difference(nums):
        tv = X[c].value_counts(normalize=True).sub(big.X[c].value_counts(normalize=True), fill_value=0)
        assert 0.5 * tv.abs().sum() < 0.15, c
    # On *real* test rows, whose features still carry age_group, the gap is not controlled: measured
    # DP 0.066 (model trained on real rows) -> 0.162, accuracy 0.750 -> 0.713; over seeds 0.02-0.27.
    # Only check that the synthetic labels still carry signal about real ones (AUC 0.783 -> 0.751).
    auc_syn = roc_auc_score(y_te, syn_model.predict_proba(X_te)[:, 1])
    assert auc_syn > 0.65, auc_syn


@pytest.fixture(scope="module")
def status_model(german):
    """personal_status is a deterministic function of sex in German credit: a strong, learnable edge."""
    f = german.frame
    model = DECAF(edges="A->personal_status, personal_status->y, A->y", epochs=60, random_state=0)
    return model.fit(f[["personal_status"]], f["credit"], sensitive_features=f[["sex"]])


def _female_share_of_a92(res) -> float:
    return float((res.sensitive_features["sex"][res.X["personal_status"] == "A92"] == "female").mean())


def test_decaf_edge_removal_at_generation(status_model):
    m = status_model
    assert m.label_ == "credit" and m.removed_edges_ == [("sex", "credit"), ("sex", "personal_status")]
    kept = m.sample(3000, remove_edges="none")
    cut = m.sample(3000)
    # with the edge the generator reproduces "A92 => female" (real: 1.00); cut, A92 rows have the
    # synthetic female share of all rows. Measured: 0.997 kept; 0.216 cut vs 0.244 overall.
    assert _female_share_of_a92(kept) > 0.85
    assert abs(_female_share_of_a92(cut) - (cut.sensitive_features["sex"] == "female").mean()) < 0.05
    direct_only = m.sample(3000, remove_edges="A->credit")
    assert _female_share_of_a92(direct_only) > 0.85


def test_decaf_skops_round_trip(status_model, tmp_path):
    sio = pytest.importorskip("skops.io")
    path = tmp_path / "decaf.skops"
    sio.dump(status_model, path)
    loaded = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    a, b = status_model.sample(500, random_state=3), loaded.sample(500, random_state=3)
    pd.testing.assert_frame_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert loaded.transform(a.X) is a.X


def test_decaf_bad_input(german):
    f = german.frame.iloc[:200]
    X, y, A = f[["duration", "purpose"]], f["credit"], f[["sex"]]
    with pytest.raises(ColumnNotFoundError, match="'salary'"):
        DECAF(edges="sex->salary").fit(X, y, sensitive_features=A)
    with pytest.raises(InvalidParameterError, match="purpose -> duration"):
        DECAF(edges="sex->duration", remove_edges="purpose->duration").fit(X, y, sensitive_features=A)
    with pytest.raises(DataError, match="cycle"):
        DECAF(edges="duration->purpose, purpose->duration").fit(X, y, sensitive_features=A)
    with pytest.raises(InvalidParameterError, match="n_samples"):
        DECAF(n_samples=0).fit(X, y, sensitive_features=A)
    with pytest.raises(DataError, match="duration"):
        DECAF().fit(X.assign(duration=np.where(np.arange(200) == 5, np.nan, X["duration"])), y,
                    sensitive_features=A)
    with pytest.raises(SingleGroupError):
        DECAF().fit(X, y, sensitive_features=np.full(200, "x"))

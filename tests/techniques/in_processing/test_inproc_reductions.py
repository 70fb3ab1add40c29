"""Reductions (Agarwal et al. 2018, 2019) wrappers around fairlearn, on the Adult sample."""

from __future__ import annotations

import numpy as np
import pytest
from _inproc_metrics import accuracy, dp_diff, eo_diff, rate_diff

from fairmend.catalog.techniques.in_processing._common import FeatureEncoder
from fairmend.catalog.techniques.in_processing.reductions import (
    ExponentiatedGradientReduction,
    FairRegressionReduction,
    GridSearchReduction,
)
from fairmend.errors import InvalidParameterError, LabelError, SingleGroupError


def test_exponentiated_gradient_reduces_dp(adult_split):
    s = adult_split
    m = ExponentiatedGradientReduction(constraint="demographic_parity").fit(
        s.X_train, s.y_train, sensitive_features=s.A_train
    )
    pred = m.predict(s.X_test)
    before, after = dp_diff(s.baseline_pred, s.A_test), dp_diff(pred, s.A_test)
    assert after < 0.5 * before, (before, after)
    assert accuracy(pred, s.y_test) > accuracy(s.baseline_pred, s.y_test) - 0.05
    proba = m.predict_proba(s.X_test)
    assert proba.shape == (len(s.y_test), 2) and np.allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize(
    ("constraint", "metric"),
    [("equalized_odds", "eo"), ("false_positive_rate_parity", "fpr"), ("true_positive_rate_parity", "tpr")],
)
def test_exponentiated_gradient_error_constraints(adult_split, constraint, metric):
    s = adult_split
    m = ExponentiatedGradientReduction(constraint=constraint).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    pred = m.predict(s.X_test)
    fn = {
        "eo": lambda p: eo_diff(p, s.y_test, s.A_test),
        "fpr": lambda p: rate_diff(p, s.y_test, s.A_test, 0),
        "tpr": lambda p: rate_diff(p, s.y_test, s.A_test, 1),
    }[metric]
    # on held-out data the constrained model's gap is below the baseline's (plus sampling slack)
    assert fn(pred) < fn(s.baseline_pred) + 0.02, (fn(s.baseline_pred), fn(pred))


def test_exponentiated_gradient_matches_direct_fairlearn(adult_split):
    from fairlearn.reductions import DemographicParity, ExponentiatedGradient
    from sklearn.linear_model import LogisticRegression

    s = adult_split
    ours = ExponentiatedGradientReduction(constraint="demographic_parity", eps=0.02, random_state=3).fit(
        s.X_train, s.y_train, sensitive_features=s.A_train
    )
    enc = FeatureEncoder().fit(s.X_train)
    direct = ExponentiatedGradient(LogisticRegression(C=1.0, max_iter=1000), DemographicParity(), eps=0.02)
    direct.fit(enc.transform(s.X_train), s.y_train, sensitive_features=s.A_train["sex"].to_numpy())
    ref = direct.predict(enc.transform(s.X_test), random_state=3)
    assert np.array_equal(ours.predict(s.X_test), ref)


def test_grid_search_reduces_dp_and_matches_fairlearn(adult_split):
    from fairlearn.reductions import DemographicParity, GridSearch
    from sklearn.linear_model import LogisticRegression

    s = adult_split
    m = GridSearchReduction(constraint="demographic_parity", grid_size=15).fit(
        s.X_train, s.y_train, sensitive_features=s.A_train
    )
    pred = m.predict(s.X_test)
    assert dp_diff(pred, s.A_test) < dp_diff(s.baseline_pred, s.A_test)
    assert accuracy(pred, s.y_test) > accuracy(s.baseline_pred, s.y_test) - 0.06
    enc = FeatureEncoder().fit(s.X_train)
    direct = GridSearch(LogisticRegression(C=1.0, max_iter=1000), DemographicParity(), grid_size=15)
    direct.fit(enc.transform(s.X_train), s.y_train, sensitive_features=s.A_train["sex"].to_numpy())
    assert np.array_equal(pred, direct.predict(enc.transform(s.X_test)))


def test_fair_regression_bounds_group_loss(adult_split):
    """Predict hours_per_week; the bounded-group-loss model lowers the worst group's squared error."""
    from sklearn.linear_model import Ridge

    s = adult_split
    Xtr, ytr = s.X_train.drop(columns=["hours_per_week"]), s.X_train["hours_per_week"].to_numpy(float)
    g = s.A_train["sex"].to_numpy()
    enc = FeatureEncoder().fit(Xtr)
    base = Ridge(alpha=1.0).fit(enc.transform(Xtr), ytr).predict(enc.transform(Xtr))
    lo, hi = ytr.min(), ytr.max()
    base_losses = {k: np.mean(((base[g == k] - ytr[g == k]) / (hi - lo)) ** 2) for k in set(g)}
    bound = 0.95 * max(base_losses.values())
    m = FairRegressionReduction(loss="square", upper_bound=bound).fit(Xtr, ytr, sensitive_features=s.A_train)
    pred = m.predict(Xtr)
    losses = {k: np.mean(((pred[g == k] - ytr[g == k]) / (hi - lo)) ** 2) for k in set(g)}
    assert max(losses.values()) < max(base_losses.values())
    assert max(losses.values()) <= bound + m.eps + 1e-3


def test_bad_input(adult_split):
    s = adult_split
    with pytest.raises(SingleGroupError):
        ExponentiatedGradientReduction().fit(s.X_train, s.y_train, sensitive_features=["x"] * len(s.y_train))
    with pytest.raises(LabelError):
        GridSearchReduction().fit(s.X_train, s.y_train * 2 + 1, sensitive_features=s.A_train)
    with pytest.raises(InvalidParameterError):
        ExponentiatedGradientReduction(constraint="nope").fit(s.X_train, s.y_train, sensitive_features=s.A_train)


def test_expgrad_honours_pre_processing_weights_by_seeded_resampling(adult_sample):
    """fairlearn's moments take no sample_weight, so weights (e.g. from reweighing) resample the rows."""
    import numpy as np

    from fairmend.catalog.techniques.in_processing.reductions import ExponentiatedGradientReduction

    frame = adult_sample.frame.iloc[:3000]
    X, y = frame.drop(columns=["income", "sex", "race"]), frame["income"].to_numpy()
    w = np.where(frame["sex"].to_numpy() == "Female", 2.0, 0.5)
    a = ExponentiatedGradientReduction(max_iter=5).fit(X, y, sensitive_features=frame["sex"], sample_weight=w)
    b = ExponentiatedGradientReduction(max_iter=5).fit(X, y, sensitive_features=frame["sex"], sample_weight=w)
    assert np.array_equal(a.predict(X), b.predict(X))
    unweighted = ExponentiatedGradientReduction(max_iter=5).fit(X, y, sensitive_features=frame["sex"])
    assert not np.array_equal(a.predict_proba(X), unweighted.predict_proba(X))


def test_item6_fair_regression_accepts_sample_weight(adult_split):
    """sample_weight used to raise TypeError (fairlearn's BoundedGroupLoss takes no weights): it is
    honoured by a seeded weighted resample, so heavier weight on women moves the fit toward them."""
    s = adult_split
    Xtr, ytr = s.X_train.drop(columns=["hours_per_week"]), s.X_train["hours_per_week"].to_numpy(float)
    female = (s.A_train["sex"] == "Female").to_numpy()
    w = np.where(female, 5.0, 1.0)
    kw = {"loss": "square", "upper_bound": 1.0, "max_iter": 5}
    a = FairRegressionReduction(**kw).fit(Xtr, ytr, sensitive_features=s.A_train, sample_weight=w)
    b = FairRegressionReduction(**kw).fit(Xtr, ytr, sensitive_features=s.A_train, sample_weight=w)
    np.testing.assert_array_equal(a.predict(Xtr), b.predict(Xtr))  # seeded
    plain = FairRegressionReduction(**kw).fit(Xtr, ytr, sensitive_features=s.A_train)

    def female_mse(m):
        return float(np.mean((m.predict(Xtr)[female] - ytr[female]) ** 2))

    assert female_mse(a) < female_mse(plain), (female_mse(plain), female_mse(a))

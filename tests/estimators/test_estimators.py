"""``fairmend.estimator``: every pre-, in- and post-processing technique as a scikit-learn classifier."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate

import fairmend
from fairmend.catalog.types import Contract
from fairmend.errors import InvalidParameterError
from fairmend.plugins import get_catalog

STAGES = (Contract.PREPROCESSOR, Contract.ESTIMATOR, Contract.POSTPROCESSOR)
KEYS = sorted(t.key for t in get_catalog() if t.executable and t.contract in STAGES)


@pytest.fixture(scope="module")
def data(german):
    frame = german.frame
    X = frame.drop(columns=["credit", "sex"]).select_dtypes("number")
    return X, frame["credit"].to_numpy(), frame["sex"]


@pytest.fixture
def routing():
    sklearn.set_config(enable_metadata_routing=True)
    yield
    sklearn.set_config(enable_metadata_routing=False)


@pytest.mark.parametrize("key", KEYS)
def test_clone_and_params_round_trip(key):
    est = fairmend.estimator(key)
    params = est.get_params(deep=False)
    technique = get_catalog().get(key)
    assert {p.name for p in technique.parameters} <= set(params)
    twin = clone(est)
    assert twin is not est and twin.get_params(deep=False) == params
    assert twin.set_params(technique=key) is twin


def test_reweighing_weights_reach_the_model(data):
    X, y, A = data
    plain = LogisticRegression(max_iter=1000).fit(X, y)
    wrapped = fairmend.estimator("reweighing_kamiran_calders", estimator=LogisticRegression(max_iter=1000))
    wrapped.fit(X, y, sensitive_features=A)
    assert not np.allclose(wrapped.estimator_.coef_, plain.coef_, atol=1e-4)
    refit = LogisticRegression(max_iter=1000).fit(X, y, sample_weight=wrapped.sample_weight_)
    np.testing.assert_allclose(wrapped.estimator_.coef_, refit.coef_, rtol=1e-6)


def test_reweighing_wrapped_gbm_in_cross_validate(data, routing):
    X, y, A = data
    est = fairmend.estimator("reweighing_kamiran_calders",
                             estimator=GradientBoostingClassifier(n_estimators=30, random_state=0))
    scores = cross_validate(est, X, y, params={"sensitive_features": A}, cv=3)["test_score"]
    assert len(scores) == 3 and 0.6 < scores.mean() < 0.9


def test_exponentiated_gradient_with_users_estimator(data, routing):
    X, y, A = data
    est = fairmend.estimator("exponentiated_gradient_reduction", estimator=LogisticRegression(max_iter=500))
    scores = cross_validate(est, X, y, params={"sensitive_features": A}, cv=3)["test_score"]
    assert 0.6 < scores.mean() < 0.9
    search = GridSearchCV(fairmend.estimator("exponentiated_gradient_reduction"), {"eps": [0.005, 0.05]}, cv=3)
    search.fit(X, y, sensitive_features=A)
    assert search.best_params_["eps"] in (0.005, 0.05)
    assert search.best_estimator_.model_.model_.eps == search.best_params_["eps"]


def test_prefit_postprocessing_never_refits(data):
    X, y, A = data

    class Counting(LogisticRegression):
        fits = 0

        def fit(self, *args, **kwargs):
            type(self).fits += 1
            return super().fit(*args, **kwargs)

    user = Counting(max_iter=500).fit(X, y)
    coef = user.coef_.copy()
    post = fairmend.estimator("threshold_optimizer_equalized_odds_hardt", estimator=user, prefit=True)
    post.fit(X, y, sensitive_features=A)
    assert Counting.fits == 1 and post.estimator_ is user and np.array_equal(user.coef_, coef)
    before = user.predict(X)
    after = post.predict(X, sensitive_features=A)
    gap = lambda p: abs(p[(A == "male").to_numpy() & (y == 1)].mean() - p[(A == "female").to_numpy() & (y == 1)].mean())  # noqa: E731
    assert gap(after) <= gap(before) + 0.02
    with pytest.raises(InvalidParameterError, match="sensitive_features"):
        post.predict(X)


def test_bad_parameters_fail_at_construction():
    with pytest.raises(InvalidParameterError, match="nope"):
        fairmend.estimator("reweighing_kamiran_calders", nope=1)
    with pytest.raises(InvalidParameterError, match="eps"):
        fairmend.estimator("exponentiated_gradient_reduction", eps=-1)
    with pytest.raises(InvalidParameterError, match="prefit"):
        fairmend.estimator("reweighing_kamiran_calders", prefit=True)


@pytest.mark.slow
@pytest.mark.parametrize("key", KEYS)
def test_every_technique_fits_and_predicts_through_the_estimator_api(key, german):
    """German credit with every feature (categoricals included): fit on 700 rows, predict 300."""
    frame = german.frame
    keep_sex = key == "counterfactual_data_augmentation"  # it swaps the attribute inside X
    X = frame.drop(columns=["credit"] if keep_sex else ["credit", "sex"])
    y, A = frame["credit"].to_numpy(), frame["sex"]
    params = {"columns": "duration,credit_amount,checking_status"} if key == "optimized_preprocessing_calmon" else {}
    est = fairmend.estimator(key, **params)
    est.fit(X.iloc[:700], y[:700], sensitive_features=A.iloc[:700])
    pred = est.predict(X.iloc[700:], sensitive_features=A.iloc[700:])
    assert pred.shape == (300,) and set(np.unique(pred)) <= {-1, 0, 1}

"""``fairmend.estimator``: every pre-, in- and post-processing technique as a scikit-learn classifier."""

from __future__ import annotations

import inspect
import pickle

import numpy as np
import pytest
import sklearn
from fairmend.catalog.types import Contract
from fairmend.plugins import get_catalog
from sklearn.base import clone
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate

import fairmend
from fairmend.errors import InvalidParameterError, LabelError
from fairmend.estimators import estimator_class

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
    cls = type(est)
    assert cls is estimator_class(key) and getattr(fairmend.estimators, cls.__name__) is cls
    params = est.get_params(deep=False)
    technique = get_catalog().get(key)
    own = {"estimator", "prefit"} if technique.contract is Contract.POSTPROCESSOR else {"estimator"}
    assert set(params) == {p.name for p in technique.parameters} | own
    assert set(inspect.signature(cls).parameters) == set(params)  # the signature declares the parameters
    twin = clone(est)
    assert twin is not est and type(twin) is cls and twin.get_params(deep=False) == params
    assert pickle.loads(pickle.dumps(twin)).get_params(deep=False) == params
    for spec in technique.parameters:
        if spec.choices and len(spec.choices) > 1:
            other = next(c for c in spec.choices if c != spec.default)
            assert twin.set_params(**{spec.name: other}) is twin and clone(twin).get_params()[spec.name] == other


def test_classes_survive_a_catalog_reset():
    from fairmend.plugins import reset

    before = fairmend.estimator("platt_scaling")
    reset()
    after = fairmend.estimator("platt_scaling")
    assert type(after) is type(before)
    assert type(pickle.loads(pickle.dumps(before))) is type(before)


def test_deep_parameters_reach_the_users_estimator():
    est = fairmend.estimator("reweighing_kamiran_calders", estimator=LogisticRegression(C=1.0))
    est.set_params(estimator__C=0.25)
    assert est.get_params()["estimator__C"] == 0.25 and clone(est).estimator.C == 0.25


def test_out_of_range_values_set_later_fail_at_fit(data):
    X, y, A = data
    est = fairmend.estimator("exponentiated_gradient_reduction").set_params(eps=-1.0)  # set_params never validates
    with pytest.raises(InvalidParameterError, match="eps"):
        est.fit(X, y, sensitive_features=A)


def test_inputs_are_validated_the_scikit_learn_way(data):
    X, y, A = data
    est = fairmend.estimator("reweighing_kamiran_calders").fit(X, y, sensitive_features=A)
    assert est.n_features_in_ == X.shape[1] and list(est.feature_names_in_) == list(X.columns)
    with pytest.raises(ValueError, match="features"):
        est.predict(X.iloc[:, :-1].to_numpy())
    with pytest.raises(ValueError, match="NaN"):
        est.fit(X.assign(duration=np.nan), y, sensitive_features=A)
    with pytest.raises(ValueError, match="Only binary classification") as info:
        est.fit(X, np.arange(len(y)) % 3, sensitive_features=A)
    assert isinstance(info.value, LabelError)  # a fairmend error as well
    # numpy input after a DataFrame fit is read with the fitted column names
    with pytest.warns(UserWarning, match="feature names"):
        np.testing.assert_array_equal(est.predict(X.to_numpy()), est.predict(X))


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


def test_postprocessor_in_cross_validate_gets_groups_at_scoring(data, routing):
    X, y, A = data
    est = fairmend.estimator("threshold_optimizer_equalized_odds_hardt", estimator=LogisticRegression(max_iter=500))
    scores = cross_validate(est, X, y, params={"sensitive_features": A}, cv=3)["test_score"]
    assert len(scores) == 3 and 0.5 < scores.mean() < 0.9


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
    gap = lambda p: abs(p[(A == "male").to_numpy() & (y == 1)].mean() - p[(A == "female").to_numpy() & (y == 1)].mean())
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

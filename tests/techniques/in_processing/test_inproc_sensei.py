"""SenSeI (Yurochkin & Sun 2021): decisions become invariant to moves that only reveal sex.

Every comparison is against the same network trained without the invariance term (``rho=0``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import skops.io as sio
from _inproc_metrics import accuracy
from fairmend.catalog.techniques.in_processing.sensei import SenSeIClassifier

from fairmend.errors import DataError, InvalidParameterError, SingleGroupError

SEED = {"random_state": 0}


def _swap(X, column, a, b):
    X = X.copy()
    X[column] = X[column].astype(object).replace({a: b, b: a})
    return X


def _sensitive_set_flips(model, X, radius=1.0):
    """Fraction of rows whose decision changes somewhere on ``x + t·u``, |t| <= radius, u in the sensitive basis."""
    Z = model.encoder_.transform(X)
    base = model._logits(Z) > 0
    flipped = np.zeros(len(Z), dtype=bool)
    for u in model.sensitive_basis_.T:
        for t in np.linspace(-radius, radius, 9):
            flipped |= (model._logits(Z + t * u) > 0) != base
    return float(flipped.mean())


def _logit_slope(model, X):
    """Mean |change of the logit| for a unit move along the sensitive direction."""
    Z = model.encoder_.transform(X)
    u = model.sensitive_basis_[:, 0]
    return float(np.mean(np.abs(model._logits(Z + u) - model._logits(Z))))


@pytest.fixture(scope="module")
def with_sex(adult_split):
    """Models that see sex as a feature; the fair metric is learned from the same attribute."""
    s = adult_split
    X_train = s.X_train.assign(sex=s.A_train["sex"].to_numpy())
    X_test = s.X_test.assign(sex=s.A_test["sex"].to_numpy())
    plain = SenSeIClassifier(rho=0.0, **SEED).fit(X_train, s.y_train, sensitive_features=s.A_train)
    fair = SenSeIClassifier(**SEED).fit(X_train, s.y_train, sensitive_features=s.A_train)
    return X_test, plain, fair


def test_sex_flip_changes_fewer_decisions(adult_split, with_sex):
    """Flipping sex changes 5.6% of the plain network's decisions and 0.95% of SenSeI's; accuracy 0.841 -> 0.841."""
    s = adult_split
    X_test, plain, fair = with_sex
    flipped = _swap(X_test, "sex", "Male", "Female")
    plain_changed = np.mean(plain.predict(X_test) != plain.predict(flipped))
    fair_changed = np.mean(fair.predict(X_test) != fair.predict(flipped))
    assert fair_changed < plain_changed - 0.02, (plain_changed, fair_changed)
    assert fair_changed < 0.02
    assert accuracy(fair.predict(X_test), s.y_test) > accuracy(plain.predict(X_test), s.y_test) - 0.02
    assert accuracy(fair.predict(X_test), s.y_test) > 0.8


def test_sensitive_moves_matter_less(with_sex):
    """Along the learned sensitive direction: logit slope 0.29 -> 0.06; worst-case flips within |t|<=1 0.084 -> 0.020."""
    X_test, plain, fair = with_sex
    assert _logit_slope(fair, X_test) < 0.5 * _logit_slope(plain, X_test)
    assert _sensitive_set_flips(fair, X_test) < _sensitive_set_flips(plain, X_test) - 0.02
    assert 0 < fair.lambda_ and plain.lambda_ == 1.0  # rho=0 never moves the dual variable


def test_spouse_consistency_without_sex(adult_split):
    """Sex not in X: Husband <-> Wife consistency 0.958 -> 0.985, logit slope 0.32 -> 0.04; accuracy 0.840 -> 0.840."""
    s = adult_split
    plain = SenSeIClassifier(rho=0.0, **SEED).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    fair = SenSeIClassifier(**SEED).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    swapped = _swap(s.X_test, "relationship", "Husband", "Wife")
    plain_con = np.mean(plain.predict(s.X_test) == plain.predict(swapped))
    fair_con = np.mean(fair.predict(s.X_test) == fair.predict(swapped))
    assert fair_con > plain_con + 0.015, (plain_con, fair_con)
    assert fair_con > 0.975
    assert _logit_slope(fair, s.X_test) < 0.5 * _logit_slope(plain, s.X_test)
    assert accuracy(fair.predict(s.X_test), s.y_test) > accuracy(s.baseline_pred, s.y_test) - 0.03


def test_dual_variable_follows_the_budget(adult_split):
    """Algorithm 1: a larger transport budget epsilon lets lambda fall further (1.07, 0.26, 1e-5 observed)."""
    s = adult_split
    lams = [SenSeIClassifier(epsilon=eps, hidden=0, epochs=2).fit(
        s.X_train, s.y_train, sensitive_features=s.A_train).lambda_ for eps in (0.001, 0.1, 1.0)]
    assert lams[0] > lams[1] > lams[2], lams


def test_linear_model_and_round_trip(adult_split, tmp_path):
    s = adult_split
    m = SenSeIClassifier(hidden=0, epochs=3).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    assert len(m.weights_) == 1 and m.weights_[0][0].shape == (1, m.sensitive_basis_.shape[0])
    path = tmp_path / "sensei.skops"
    sio.dump(m, path)
    loaded = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    assert np.allclose(loaded.predict_proba(s.X_test), m.predict_proba(s.X_test))
    p = m.predict_proba(s.X_test)
    assert p.shape == (len(s.X_test), 2) and np.allclose(p.sum(axis=1), 1)


def test_bad_input(adult_split):
    s = adult_split
    with pytest.raises(SingleGroupError):
        SenSeIClassifier().fit(s.X_train, s.y_train, sensitive_features=["x"] * len(s.y_train))
    with pytest.raises(InvalidParameterError, match="rho"):
        SenSeIClassifier(rho=-1.0).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    with pytest.raises(InvalidParameterError, match="hidden"):
        SenSeIClassifier(hidden=-2).fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    m = SenSeIClassifier(epochs=1).fit(s.X_train, s.y_train, sensitive_features=pd.Series(s.A_train["sex"]))
    with pytest.raises(DataError, match="relationship"):
        m.predict(s.X_test.drop(columns=["relationship"]))

"""Optimized pre-processing (Calmon et al. 2017), own cvxpy formulation, on three Adult features."""

from __future__ import annotations

import numpy as np
import pytest
from _pre_metrics import dp_diff, label_rate_diff
from fairmend.catalog.techniques.pre_processing.optimized import OptimizedPreprocessing

from fairmend.engine.models import fit_model, make_base_model
from fairmend.errors import InvalidParameterError, NotExecutableError

COLUMNS = ["age", "education_num", "hours_per_week"]


@pytest.fixture(scope="module")
def fitted(adult_split):
    s = adult_split
    pre = OptimizedPreprocessing(columns=",".join(COLUMNS), epsilon=0.05, distortion_bound=1.0)
    res = pre.fit_resample(s.X_train[COLUMNS], s.y_train, sensitive_features=s.A_train)
    return pre, res


def test_mapping_satisfies_the_programs_constraints(adult_split, fitted):
    pre, _ = fitted
    M, p_in = pre.mapping_, pre.p_in_
    assert (M >= -1e-12).all()
    np.testing.assert_allclose(M.sum(axis=1), 1.0, atol=1e-9)
    n_x = len(pre.states_)
    p_target = adult_split.y_train.mean()
    for k in range(len(pre.groups_)):
        sl = slice(k * n_x * 2, (k + 1) * n_x * 2)
        rate = (p_in[sl] @ M[sl])[1::2].sum() / p_in[sl].sum()
        assert abs(rate - p_target) <= pre.epsilon * p_target + 1e-6, pre.groups_[k]
    # expected distortion of every (d, x, y) state is within the bound
    S = np.array(pre.states_)
    dist_x = np.abs(S[:, None, :] - S[None, :, :]).sum(-1)
    delta = np.zeros((n_x * 2, n_x * 2))
    for yy in (0, 1):
        for yh in (0, 1):
            delta[yy::2, yh::2] = dist_x + pre.label_cost * (yy != yh)
    expected = (M * np.tile(delta, (len(pre.groups_), 1))).sum(axis=1)
    assert expected.max() <= pre.distortion_bound + 1e-6


def test_transformed_training_labels_and_downstream_dp(adult_split, fitted):
    s = adult_split
    pre, res = fitted
    groups = s.A_train["sex"].to_numpy()
    assert label_rate_diff(s.y_train, groups) > 0.15
    assert label_rate_diff(res.y, groups) < 0.05  # sampled labels: epsilon plus sampling noise
    assert list(res.X.columns) == COLUMNS
    Xtr, Xte = s.X_train[COLUMNS], s.X_test[COLUMNS]
    base = dp_diff(fit_model(make_base_model("logreg", Xtr), Xtr, s.y_train).predict(Xte), s.A_test)
    model = fit_model(make_base_model("logreg", res.X), res.X, res.y)
    after = dp_diff(model.predict(pre.transform(Xte, sensitive_features=s.A_test)), s.A_test)
    assert after < base, (base, after)  # measured: 0.072 -> 0.054 (accuracy 0.790 -> 0.770)


def test_bad_input(adult_split):
    s = adult_split
    with pytest.raises(InvalidParameterError, match="columns"):
        OptimizedPreprocessing().fit(s.X_train, s.y_train, sensitive_features=s.A_train)
    with pytest.raises(NotExecutableError, match="variables"):
        OptimizedPreprocessing(columns="occupation,native_country,education", n_bins=4).fit(
            s.X_train, s.y_train, sensitive_features=s.A_train
        )

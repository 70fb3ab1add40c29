"""Mondrian (group-conditional) split conformal prediction: equalized coverage on Adult."""

from __future__ import annotations

import numpy as np
import pytest
from fairmend.catalog.techniques.post_processing.conformal import (
    MondrianConformalClassifier,
    conformal_quantile,
)

from fairmend.errors import InvalidParameterError, SingleGroupError

ALPHA = 0.1


def _coverage(sets: np.ndarray, y: np.ndarray) -> np.ndarray:
    return sets[np.arange(len(y)), y]


def test_group_coverage_vs_pooled(adult_scores) -> None:
    d = adult_scores
    gv, gt = d.A_val["sex"].to_numpy(), d.A_test["sex"].to_numpy()
    model = MondrianConformalClassifier(alpha=ALPHA).fit(d.s_val, d.y_val, sensitive_features=d.A_val)
    sets = model.predict_set(d.s_test, sensitive_features=d.A_test)
    assert sets.shape == (len(d.s_test), 2) and sets.dtype == bool
    cov = _coverage(sets, d.y_test)
    group_cov = {g: cov[gt == g].mean() for g in np.unique(gt)}
    # every group covered at >= 1 - alpha (finite-sample guarantee; 0.015 sampling tolerance)
    assert min(group_cov.values()) >= 1 - ALPHA - 0.015, group_cov
    # pooled (marginal) split conformal: one quantile for everybody under-covers one group
    nonconf_val = 1 - np.where(d.y_val == 1, d.s_val, 1 - d.s_val)
    q = conformal_quantile(nonconf_val, ALPHA)
    pooled = (1 - np.where(d.y_test == 1, d.s_test, 1 - d.s_test)) <= q
    pooled_cov = {g: pooled[gt == g].mean() for g in np.unique(gt)}
    assert pooled.mean() >= 1 - ALPHA - 0.015  # marginal coverage holds
    assert min(pooled_cov.values()) < 1 - ALPHA - 0.015, pooled_cov
    # point prediction and score are unchanged by the conformal layer
    np.testing.assert_array_equal(
        model.predict(d.s_test, sensitive_features=d.A_test), (d.s_test >= 0.5).astype(int)
    )
    np.testing.assert_array_equal(model.predict_proba(d.s_test, sensitive_features=d.A_test), d.s_test)
    assert set(model.quantiles_) == set(np.unique(gv))
    assert all(q0 == q1 for q0, q1 in model.quantiles_.values())  # one quantile per group


def test_group_by_class_cells_covered(adult_scores) -> None:
    d = adult_scores
    model = MondrianConformalClassifier(alpha=ALPHA, by_class=True).fit(
        d.s_val, d.y_val, sensitive_features=d.A_val
    )
    cov = _coverage(model.predict_set(d.s_test, sensitive_features=d.A_test), d.y_test)
    gt = d.A_test["sex"].to_numpy()
    for g in np.unique(gt):
        for c in (0, 1):
            m = (gt == g) & (d.y_test == c)
            assert cov[m].mean() >= 1 - ALPHA - 0.04, (g, c, cov[m].mean())


def test_conformal_quantile_definition() -> None:
    scores = np.arange(1, 20) / 20.0  # n = 19, alpha = 0.1 -> ceil(20 * 0.9) = 18th smallest
    assert conformal_quantile(scores, 0.1) == pytest.approx(18 / 20)
    assert conformal_quantile(scores[:5], 0.1) == np.inf  # too few rows: full set


def test_bad_input(adult_scores) -> None:
    d = adult_scores
    with pytest.raises(SingleGroupError):
        MondrianConformalClassifier().fit(d.s_val, d.y_val, sensitive_features=np.zeros(len(d.s_val)))
    with pytest.raises(InvalidParameterError):
        MondrianConformalClassifier(alpha=1.5).fit(d.s_val, d.y_val, sensitive_features=d.A_val)

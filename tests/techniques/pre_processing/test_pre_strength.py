"""The reweighing family's ``strength``: 0 leaves the data as it is, 1 is the paper's method exactly, and
the repair (and the downstream demographic-parity gap on German credit) moves with it."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from fairmend.catalog.techniques.pre_processing.kamiran_calders import (
    Massaging,
    PreferentialSampling,
    UniformSampling,
)
from fairmend.catalog.techniques.pre_processing.weights import FairBalance, Reweighing

from fairmend.errors import InvalidParameterError
from fairmend.runner import run_technique

WEIGHTED = (Reweighing, FairBalance)
RESAMPLED = (UniformSampling, PreferentialSampling)


def _xya(german):
    frame = german.frame
    return frame.drop(columns=["credit", "sex"]), frame["credit"].to_numpy(), frame[["sex"]]


@pytest.mark.parametrize("cls", WEIGHTED)
def test_strength_zero_is_unit_weights_and_one_the_papers_weights(german, cls):
    X, y, A = _xya(german)
    paper = cls().fit(X, y, sensitive_features=A).sample_weight_
    assert not np.allclose(paper, 1.0)
    assert np.array_equal(cls(strength=1.0).fit(X, y, sensitive_features=A).sample_weight_, paper)
    assert np.array_equal(cls(strength=0.0).fit(X, y, sensitive_features=A).sample_weight_, np.ones(len(y)))
    half = cls(strength=0.5).fit(X, y, sensitive_features=A).sample_weight_
    np.testing.assert_allclose(half, (1.0 + paper) / 2, rtol=0, atol=1e-12)


def test_reweighing_moves_each_groups_weighted_positive_rate_linearly(german):
    X, y, A = _xya(german)
    sex = A["sex"].to_numpy()
    overall = y.mean()
    for s in (0.0, 0.3, 0.8, 1.0):
        w = Reweighing(strength=s).fit(X, y, sensitive_features=A).sample_weight_
        for g in np.unique(sex):
            in_g = sex == g
            observed = y[in_g].mean()
            assert w[in_g].sum() == pytest.approx(in_g.sum())  # every group keeps its total weight
            assert np.average(y[in_g], weights=w[in_g]) == pytest.approx(observed + s * (overall - observed))


@pytest.mark.parametrize("cls", RESAMPLED)
def test_resampling_strength_zero_keeps_every_row_once_and_one_is_the_default(german, cls):
    X, y, A = _xya(german)
    assert np.array_equal(
        np.sort(cls(strength=0.0).fit(X, y, sensitive_features=A).indices_), np.arange(len(y))
    )
    assert np.array_equal(
        cls(strength=1.0).fit(X, y, sensitive_features=A).indices_,
        cls().fit(X, y, sensitive_features=A).indices_,
    )
    sizes = [len(cls(strength=s).fit(X, y, sensitive_features=A).indices_) for s in (0.0, 0.5, 1.0)]
    assert sizes[0] == len(y) and abs(sizes[1] - len(y)) <= 4 and abs(sizes[2] - len(y)) <= 4


def test_massaging_relabels_a_strength_share_of_the_papers_rows(german):
    X, y, A = _xya(german)
    full = Massaging().fit(X, y, sensitive_features=A)
    assert full.n_relabelled_ > 10
    assert Massaging(strength=0.0).fit(X, y, sensitive_features=A).n_relabelled_ == 0
    half = Massaging(strength=0.5).fit(X, y, sensitive_features=A)
    for (
        g,
        m,
    ) in full.changes_.items():  # half the paper's promotions / demotions, up to rounding to whole rows
        assert np.sign(half.changes_[g]) == np.sign(m) and abs(half.changes_[g] - m / 2) <= 1
    assert abs(2 * half.n_relabelled_ - full.n_relabelled_) <= 2


@pytest.mark.parametrize("cls", WEIGHTED + RESAMPLED + (Massaging,))
def test_strength_outside_0_1_is_refused(german, cls):
    X, y, A = _xya(german)
    with pytest.raises(InvalidParameterError, match="strength"):
        cls(strength=1.5).fit(X, y, sensitive_features=A)


def test_demographic_parity_gap_falls_with_strength_on_german(german):
    """Fitted downstream (logistic regression, test rows of ``fairmend run``): strength 0 is the baseline
    exactly, and the DP gap falls as strength rises (allowing 0.01 of sampling noise between neighbours)."""
    common = {"protected": ["sex"], "outcome": "credit", "n_boot": 0, "seed": 0}
    gaps, before = [], None
    for s in (0.0, 0.4, 0.7, 1.0):
        res = run_technique("reweighing_kamiran_calders", german.frame, params={"strength": s}, **common)
        gaps.append(res.after["demographic_parity_difference"])
        before = res.before["demographic_parity_difference"]
    assert gaps[0] == pytest.approx(before)
    assert all(b <= a + 0.01 for a, b in itertools.pairwise(gaps)), gaps
    assert gaps[-1] < gaps[0] - 0.05, gaps

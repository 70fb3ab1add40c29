"""Rankers on a candidate pool built from Adult scores: 300 test rows ranked by model score,
protected group = female (a third of the pool, 8% of the score top-50)."""

from __future__ import annotations

import numpy as np
import pytest
from fairmend.catalog.techniques.post_processing.exposure import FairExposureRanking, position_bias
from fairmend.catalog.techniques.post_processing.ranking import (
    DeterministicReranker,
    FAIRTopK,
    fair_minimum_table,
)

from fairmend.errors import InvalidParameterError, SingleGroupError

K = 50


@pytest.fixture(scope="module")
def pool(adult_scores):
    rng = np.random.RandomState(0)
    idx = rng.choice(len(adult_scores.s_test), 300, replace=False)
    return adult_scores.s_test[idx], adult_scores.A_test.iloc[idx, 0].to_numpy()


def _female_share(g, idx):
    return float(np.mean(g[idx] == "Female"))


@pytest.mark.parametrize("algorithm", ["det_greedy", "det_cons"])
def test_geyik_prefix_representation(pool, algorithm):
    s, g = pool
    base = _female_share(g, np.argsort(-s)[:K])
    out = DeterministicReranker(algorithm=algorithm).rerank(s, g, k=K)
    assert len(set(out.tolist())) == K
    target = np.mean(g == "Female")
    assert abs(_female_share(g, out) - target) < abs(base - target)  # 0.08 -> 0.32 (target 0.33)
    for j in range(1, K + 1):  # every prefix meets the floor of the target
        assert np.sum(g[out[:j]] == "Female") >= np.floor(j * target)
    with pytest.raises(InvalidParameterError):
        DeterministicReranker(algorithm="x").rerank(s, g, k=K)


def test_geyik_explicit_target(pool):
    s, g = pool
    out = DeterministicReranker(target_proportion=0.5, protected_group="Female").rerank(s, g, k=20)
    assert _female_share(g, out) == pytest.approx(0.5)


def test_fair_table_matches_paper_example():
    # Zehlike et al. 2017, Table 1 (p = 0.5, alpha = 0.1): m(k) for k = 1..12
    assert fair_minimum_table(12, 0.5, 0.1).tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 4]


def test_fair_top_k(pool):
    s, g = pool
    algo = FAIRTopK(p=0.3, alpha=0.1, protected_group="Female")
    out = algo.rerank(s, g, k=K)
    counts = np.cumsum(g[out] == "Female")
    assert np.all(counts >= algo.minimum_table_)  # ranked group fairness holds at every prefix
    assert _female_share(g, out) > _female_share(g, np.argsort(-s)[:K])  # 0.08 -> 0.22
    # within each group the order by score is kept
    for grp in ("Female", "Male"):
        sel = out[g[out] == grp]
        assert np.all(np.diff(s[sel]) <= 0)
    adj = FAIRTopK(p=0.3, alpha=0.1, protected_group="Female", adjust_alpha=True)
    adj.rerank(s, g, k=K)
    assert adj.alpha_used_ < 0.1


def test_fairness_of_exposure_equalises_group_exposure(pool):
    s, g = pool
    algo = FairExposureRanking(pool_size=60)
    out = algo.rerank(s, g, k=K)
    assert len(set(out.tolist())) == K
    P = algo.policy_
    np.testing.assert_allclose(P.sum(axis=0), 1, atol=1e-6)
    np.testing.assert_allclose(P.sum(axis=1), 1, atol=1e-6)
    top = np.argsort(-s, kind="stable")[:60]
    v = position_bias(60)
    female = g[top] == "Female"
    exposure = P @ v
    before = abs(v[female].mean() - v[~female].mean())  # ranking by score: 0.05
    after = abs(exposure[female].mean() - exposure[~female].mean())
    assert after < 1e-6 < before


def test_ranker_bad_input(pool):
    s, g = pool
    with pytest.raises(SingleGroupError):
        FAIRTopK().rerank(s, np.full(len(s), "x"), k=10)
    with pytest.raises(InvalidParameterError):
        DeterministicReranker().rerank(s, g, k=len(s) + 1)

"""Fair clustering (task: clustering): fairlets and variational fair clustering raise balance over k-means."""

from __future__ import annotations

import numpy as np
import pytest
from fairmend.catalog.techniques.in_processing._common import FeatureEncoder
from fairmend.catalog.techniques.in_processing.fair_clustering import (
    FairletClustering,
    VariationalFairClustering,
    cluster_balance,
)
from sklearn.cluster import KMeans

from fairmend.errors import NotExecutableError, SingleGroupError

NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]


@pytest.fixture(scope="module")
def rows(adult_sample):
    f = adult_sample.frame.iloc[:1000]
    X = f[NUMERIC]
    km = KMeans(n_clusters=5, n_init=10, random_state=0).fit(FeatureEncoder().fit_transform(X))
    return X, f["sex"].to_numpy(), km.labels_, f["race"].to_numpy()


def test_fairlets_balance(rows):
    X, sex, km_labels, _ = rows
    base = cluster_balance(km_labels, sex)
    m = FairletClustering(n_clusters=5).fit(X, sensitive_features=sex)
    # every fairlet holds one row of the smaller group and 1..t of the larger one
    for f in np.unique(m.fairlets_):
        members = sex[m.fairlets_ == f]
        counts = [np.sum(members == g) for g in np.unique(sex)]
        assert min(counts) == 1 and max(counts) <= m.t_
    assert m.balance_ >= 1.0 / m.t_ - 1e-12  # the paper's guarantee
    assert m.balance_ > base, (base, m.balance_)
    assert set(np.unique(m.predict(X))) <= set(range(5))


def test_variational_fair_clustering_balance(rows):
    X, sex, km_labels, _ = rows
    base = cluster_balance(km_labels, sex)
    m = VariationalFairClustering(n_clusters=5, lmbda=30.0).fit(X, sensitive_features=sex)
    assert m.balance_ > base, (base, m.balance_)
    assert np.allclose(m.soft_assignments_.sum(axis=1), 1)
    # lmbda = 0 is (soft) k-means: no fairer than k-means
    plain = VariationalFairClustering(n_clusters=5, lmbda=0.0).fit(X, sensitive_features=sex)
    assert plain.balance_ <= base + 1e-9
    assert m.predict(X).shape == (len(X),)


def test_bad_input(rows):
    X, sex, _, race = rows
    with pytest.raises(SingleGroupError):
        FairletClustering().fit(X, sensitive_features=["x"] * len(X))
    with pytest.raises(NotExecutableError):  # fairlets need exactly two groups
        FairletClustering().fit(X, sensitive_features=race)
    with pytest.raises(NotExecutableError):  # t too small to cover the larger group
        FairletClustering(t=1).fit(X, sensitive_features=sex)
    with pytest.raises(SingleGroupError):
        VariationalFairClustering().fit(X, sensitive_features=["x"] * len(X))

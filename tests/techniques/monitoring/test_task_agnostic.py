"""The monitors and the audit that declare ranking and clustering (registry.yaml) read neither labels nor
binary predictions: the drift tests compare any columns between windows (a ranking's scores, a clustering's
assignments) and proxy detection reads only features. On Adult: a ranker's scores and a k-means clustering,
with no outcome column, silent on random halves and alerting when one group's ranks or clusters move."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fairmend.catalog.registry import load_registry
from fairmend.catalog.techniques.evaluation.proxy import ProxyVariableDetection
from fairmend.catalog.techniques.monitoring.drift import ChiSquareDriftTest, KSDriftTest, MMDDriftTest

AGNOSTIC = ("proxy_variable_detection", "ks_drift_test", "chi_square_drift_test", "mmd_drift_test")


@pytest.fixture(scope="module")
def outputs(adult_sample):
    """Adult rows with a ranker's score and rank and a k-means cluster, the outcome column dropped."""
    from sklearn.cluster import KMeans
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    frame = adult_sample.frame.sample(frac=1, random_state=2).reset_index(drop=True)
    numeric = ["age", "education_num", "hours_per_week", "capital_gain"]
    x = StandardScaler().fit_transform(frame[numeric])
    score = LogisticRegression().fit(x, frame["income"]).decision_function(x)
    cluster = KMeans(n_clusters=4, n_init=4, random_state=0).fit_predict(x)
    out = frame[["sex", "race", "relationship", "marital_status", "occupation", *numeric]].assign(
        score=score, rank=pd.Series(score).rank(ascending=False).to_numpy(), cluster=cluster.astype(str)
    )
    return out.iloc[:4000], out.iloc[4000:]


def test_the_registry_declares_ranking_and_clustering_for_them():
    tasks = {t.key: {x.value for x in t.task_types} for t in load_registry()}
    for key in AGNOSTIC:
        assert {"ranking", "clustering"} <= tasks[key], key


def test_drift_tests_read_ranking_scores_and_cluster_assignments_without_labels(outputs):
    ref, cur = outputs
    cols = "score,rank,cluster"
    for cls in (KSDriftTest, ChiSquareDriftTest):
        assert not cls(reference=ref, columns=cols).run(cur).summary["any_alert"]  # random halves
    assert (
        not MMDDriftTest(reference=ref, columns="score,cluster", max_rows=300, n_permutations=100)
        .run(cur)
        .summary["alert"]
    )
    # the ranker now pushes women down: their scores fall by one unit
    demoted = cur.assign(score=np.where(cur["sex"] == "Female", cur["score"] - 1.0, cur["score"]))
    assert "score" in KSDriftTest(reference=ref, columns="score").run(demoted).summary["alerts"]
    # the clustering moves women out of the first cluster into the second
    first, second = sorted(ref["cluster"].unique())[:2]
    moved = cur.assign(
        cluster=np.where((cur["sex"] == "Female") & (cur["cluster"] == first), second, cur["cluster"])
    )
    assert ChiSquareDriftTest(reference=ref, columns="cluster").run(moved).summary["alerts"] == ["cluster"]
    assert (
        MMDDriftTest(reference=ref, columns="score,cluster", max_rows=300, n_permutations=100)
        .run(demoted.assign(cluster=moved["cluster"]))
        .summary["alert"]
    )


def test_proxy_detection_needs_no_outcome(outputs):
    ref, _ = outputs
    ref = ref.assign(noise=np.random.default_rng(3).normal(size=len(ref)))
    r = ProxyVariableDetection(exclude="score,rank,cluster").run(ref, protected="sex")
    assert set(r.summary["proxies"][:2]) == {"relationship", "marital_status"}
    assert "noise" not in r.summary["proxies"]

"""`fairmend run` for ranking, clustering and regression techniques on real data."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from fairmend.cli import cli
from fairmend.errors import LabelError
from fairmend.runner.core import run_technique
from fairmend.runner.tasks import cluster_cost, regression_metrics


@pytest.fixture(scope="module")
def adult_6k(adult):
    return adult.frame.sample(6000, random_state=0).reset_index(drop=True)


@pytest.mark.parametrize(
    ("key", "params", "metric"),
    [
        ("deterministic_reranking_geyik", {}, "representation_ratio"),
        ("fa_ir_fair_top_k", {}, "representation_ratio"),
        ("deltr_fair_learning_to_rank", {"epochs": 100}, "exposure_ratio"),
    ],
)
def test_ranking_runs_raise_the_disadvantaged_groups_share(adult_6k, key, params, metric):
    r = run_technique(key, adult_6k, protected=["sex"], outcome="income", params=params)
    assert r.dataset["task"] == "ranking" and r.dataset["ranking"]["k"] == 100
    assert r.target_metric == metric
    # the baseline ranks women far below their share of the pool (ratio 0.33 on this sample)
    assert r.before[metric] < 0.5 < r.after[metric]
    assert r.after["ndcg_at_k"] <= r.before["ndcg_at_k"] + 1e-12  # fairness is bought with ranking quality
    assert any("relevance = the true outcome" in n for n in r.notes)


@pytest.mark.parametrize("key", ["fair_clustering_fairlets", "variational_fair_clustering"])
def test_clustering_runs_raise_balance_over_kmeans(adult_6k, key):
    r = run_technique(key, adult_6k, protected=["sex"], outcome="income", params={"n_clusters": 4})
    assert r.dataset["task"] == "clustering" and r.dataset["clustering"]["clusters"] == 4
    assert r.after["balance"] > r.before["balance"]
    assert r.after["kmeans_cost"] >= r.before["kmeans_cost"] * 0.999  # k-means is the cheapest clustering
    assert r.gate is not None and r.gate.reasons[1].startswith("clustering_quality")


def test_regression_post_processing_repairs_statistical_parity(adult_6k):
    r = run_technique("wasserstein_barycenter_fair_regression", adult_6k, protected=["sex"], outcome="hours_per_week")
    assert r.dataset["task"] == "regression" and "outcome_mean" in r.dataset
    assert r.target_metric == "ks_distance"
    assert r.after["ks_distance"] < 0.5 * r.before["ks_distance"]
    assert r.after["mean_prediction_gap"] < r.before["mean_prediction_gap"]


def test_regression_needs_a_numeric_outcome(adult_6k):
    with pytest.raises(LabelError, match="'income'.*numeric with more than two values"):
        run_technique("wasserstein_barycenter_fair_regression", adult_6k, protected=["sex"], outcome="income")


def test_regression_metrics_by_hand():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    pred = np.array([1.0, 2.0, 5.0, 6.0])
    g = np.array(["a", "a", "b", "b"])
    m = regression_metrics(y, pred, g)
    assert m["mean_prediction_gap"] == pytest.approx(4.0)
    assert m["ks_distance"] == pytest.approx(1.0)  # the groups' predictions do not overlap
    assert m["max_group_mae"] == pytest.approx(2.0)
    assert m["mae"] == pytest.approx(1.0) and m["rmse"] == pytest.approx(np.sqrt(2.0))


def test_cluster_cost_by_hand():
    Z = np.array([[0.0], [2.0], [10.0], [12.0]])
    assert cluster_cost(Z, np.array([0, 0, 1, 1])) == pytest.approx(4.0)


def test_cli_ranking_run_json(german, tmp_path):
    data = tmp_path / "german.csv"
    german.frame.to_csv(data, index=False)
    out = CliRunner().invoke(cli, ["run", "deterministic_reranking_geyik", "--data", str(data), "--protected", "sex",
                                   "--outcome", "credit", "--json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout)
    assert report["dataset"]["task"] == "ranking"
    assert set(report["change"]) >= {"representation_ratio", "exposure_ratio", "ndcg_at_k"}

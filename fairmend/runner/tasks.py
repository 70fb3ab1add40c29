"""``fairmend run`` for the tasks other than binary classification.

* **ranking** — the test split becomes one candidate pool (``pool_size`` rows) ranked by the baseline
  classifier's score; a ``ranker`` re-ranks its top ``k``, a learning-to-rank ``estimator`` (DELTR)
  is trained on the training rows with the outcome as relevance and ranks the pool by its own
  scores. Representation, exposure and NDCG of the true outcome are compared (:mod:`.ranking`).
* **clustering** — k-means with the same number of clusters on the same encoding is the baseline;
  the fair clusterer's assignment of the same rows is compared on balance (Chierichetti et al.
  2017: the least, over clusters, of the smaller-to-larger group ratio) and on the k-means cost
  (``clustering_quality`` = k-means cost / fair cost, 1 for the baseline).
* **regression** — a ridge regression on the one-hot features is the baseline (in-processing
  estimators replace it; post-processors adjust its predictions, fitted on the validation split);
  statistical parity of the predictions (the largest two-sample KS distance between groups), the
  gap in group mean predictions and the worst group's MAE (bounded group loss) are compared with
  RMSE, MAE and R².

These runs report point estimates: the paired permutation test and bootstrap of the binary runner
are defined on row-level 0/1 decisions, and a note in the report says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fairmend.catalog.contracts import group_labels
from fairmend.catalog.types import Contract, Criterion, Technique
from fairmend.engine.models import make_base_model, positive_scores
from fairmend.runner.gates import evaluate_gate
from fairmend.runner.ranking import RANKING_METRICS, ranking_metrics
from fairmend.runner.result import RunResult, config_dict

REGRESSION_METRICS = {  # name -> higher is better
    "ks_distance": False,
    "mean_prediction_gap": False,
    "max_group_mae": False,
    "rmse": False,
    "mae": False,
    "r2": True,
}
CLUSTERING_METRICS = {"balance": True, "clustering_quality": True, "kmeans_cost": False}
_REGRESSION_TARGET = {
    Criterion.STATISTICAL_PARITY_REGRESSION: "ks_distance",
    Criterion.STRONG_DEMOGRAPHIC_PARITY: "ks_distance",
    Criterion.BOUNDED_GROUP_LOSS: "max_group_mae",
}


def _change(before: dict[str, float], after: dict[str, float], better: dict[str, bool]) -> dict[str, dict[str, Any]]:
    return {
        m: {"before": before[m], "after": after[m], "delta": after[m] - before[m], "ci95": None, "p_value": None,
            "improved": after[m] != before[m] and (after[m] > before[m]) == better[m]}
        for m in better
    }


def finish(technique: Technique, config: Any, dataset: dict[str, Any], before: dict[str, float],
           after: dict[str, float], better: dict[str, bool], metric: str, utility: str, note: str,
           out_dir: Path | None) -> Any:
    """Gate and typed result shared by every non-binary task (``report.json`` is written by the caller)."""

    metric = config.target_metric or metric
    change = _change(before, after, better)
    gate = evaluate_gate(metric, change, higher_is_better=better.get(metric, True), policy=config.policy,
                         utility_metric=utility)
    result = RunResult(
        technique=technique.key, stage=technique.stage.value, dataset=dataset,
        target_criterion=technique.criteria[0].value if technique.criteria else None, target_metric=metric,
        before=before, after=after, change=change, gate=gate, config=config_dict(config),
        notes=[note, "No resampling statistics for this task: point estimates only."],
    )
    if out_dir is not None:
        result.artifacts["report"] = str(out_dir / "report.json")  # written once, by run_technique
    return result


def run_ranking_task(technique: Technique, impl: Any, config: Any, dataset: dict[str, Any], baseline: Any,
                     X: pd.DataFrame, y: np.ndarray, A: pd.DataFrame, split: Any, out_dir: Path | None) -> Any:

    te = split.test
    rng = np.random.default_rng(config.seed)
    pool = np.sort(rng.choice(te, size=min(config.pool_size, len(te)), replace=False))
    s, g, rel = positive_scores(baseline, X.iloc[pool]), group_labels(A.iloc[pool]), y[pool].astype(float)
    k = min(config.top_k, len(pool))
    before_order = np.argsort(-s, kind="stable")
    if technique.contract is Contract.RANKER:
        top = np.asarray(impl(**config.params).rerank(s, g, k=k), dtype=int)
        after_order = np.concatenate([top, before_order[~np.isin(before_order, top)]])
        how = f"the baseline model's scores; the top {k} re-ranked by the technique"
    else:  # a learning-to-rank estimator trained with the outcome as relevance
        fit_rows = np.concatenate([split.train, split.validation])
        est = impl(**config.params).fit(X.iloc[fit_rows], y[fit_rows], sensitive_features=A.iloc[fit_rows])
        after_order = np.argsort(-np.asarray(est.predict(X.iloc[pool]), dtype=float), kind="stable")
        how = "the baseline classifier's scores, then by the technique's learned scores"
    before, after = ranking_metrics(before_order, g, rel, k), ranking_metrics(after_order, g, rel, k)
    metric = "exposure_ratio" if any("exposure" in c.value for c in technique.criteria) else "representation_ratio"
    dataset = {**dataset, "ranking": {"pool_size": len(pool), "k": int(k), "groups": sorted(set(g.tolist()))}}
    note = (f"one candidate pool of {len(pool)} test rows ranked by {how}; relevance = the true outcome; "
            f"metrics over the top {k}.")
    return finish(technique, config, dataset, before, after, RANKING_METRICS, metric, "ndcg_at_k", note, out_dir)


def cluster_cost(Z: np.ndarray, labels: np.ndarray) -> float:
    """k-means objective: squared distances of each row to its cluster's mean."""
    return float(sum(((Z[labels == c] - Z[labels == c].mean(axis=0)) ** 2).sum() for c in np.unique(labels)))


def run_clustering_task(technique: Technique, impl: Any, config: Any, dataset: dict[str, Any],
                        X: pd.DataFrame, A: pd.DataFrame, split: Any, out_dir: Path | None) -> Any:
    from sklearn.cluster import KMeans

    from fairmend.catalog.techniques.in_processing._common import FeatureEncoder
    from fairmend.catalog.techniques.in_processing.fair_clustering import cluster_balance

    rng = np.random.default_rng(config.seed)
    rows = np.sort(rng.choice(split.train, size=min(config.pool_size, len(split.train)), replace=False))
    Xr, g = X.iloc[rows], group_labels(A.iloc[rows])
    Z = FeatureEncoder().fit_transform(Xr)  # the encoding the clusterers use internally
    model = impl(**config.params).fit(Xr, sensitive_features=g)
    fair = np.asarray(model.labels_)
    k = len(np.unique(fair))
    base = KMeans(n_clusters=k, n_init=10, random_state=config.seed).fit(Z).labels_
    cost_base, cost_fair = cluster_cost(Z, base), cluster_cost(Z, fair)
    before = {"balance": cluster_balance(base, g), "clustering_quality": 1.0, "kmeans_cost": cost_base}
    after = {"balance": cluster_balance(fair, g), "clustering_quality": cost_base / cost_fair if cost_fair else 0.0,
             "kmeans_cost": cost_fair}
    dataset = {**dataset, "clustering": {"rows": len(rows), "clusters": int(k)}}
    note = (f"{len(rows)} training rows clustered (outcome not used); baseline = k-means with {k} clusters on "
            "the same standardised one-hot encoding.")
    return finish(technique, config, dataset, before, after, CLUSTERING_METRICS, "balance", "clustering_quality",
                  note, out_dir)


def regression_metrics(y: np.ndarray, pred: np.ndarray, groups: np.ndarray) -> dict[str, float]:
    from scipy.stats import ks_2samp

    names = sorted(set(groups.tolist()))
    means = [float(pred[groups == n].mean()) for n in names]
    maes = [float(np.abs(pred - y)[groups == n].mean()) for n in names]
    ks = max((ks_2samp(pred[groups == a], pred[groups == b]).statistic for i, a in enumerate(names)
              for b in names[i + 1:]), default=0.0)
    resid = pred - y
    return {
        "ks_distance": float(ks),
        "mean_prediction_gap": max(means) - min(means),
        "max_group_mae": max(maes),
        "rmse": float(np.sqrt(np.mean(resid**2))),
        "mae": float(np.mean(np.abs(resid))),
        "r2": float(1.0 - np.sum(resid**2) / np.sum((y - y.mean()) ** 2)),
    }


def run_regression_task(technique: Technique, impl: Any, config: Any, dataset: dict[str, Any],
                        X: pd.DataFrame, y: np.ndarray, A: pd.DataFrame, split: Any, out_dir: Path | None) -> Any:

    tr, va, te = split.train, split.validation, split.test
    fit_rows = tr if technique.contract is Contract.POSTPROCESSOR else np.concatenate([tr, va])
    baseline = make_base_model("ridge", X, seed=config.seed).fit(X.iloc[fit_rows], y[fit_rows])
    pred_before = np.asarray(baseline.predict(X.iloc[te]), dtype=float)
    if technique.contract is Contract.POSTPROCESSOR:
        post = impl(**config.params).fit(baseline.predict(X.iloc[va]), y[va], sensitive_features=A.iloc[va],
                                         X=X.iloc[va])
        pred_after = np.asarray(post.predict(pred_before, sensitive_features=A.iloc[te], X=X.iloc[te]), dtype=float)
    else:
        est = impl(**config.params).fit(X.iloc[fit_rows], y[fit_rows], sensitive_features=A.iloc[fit_rows])
        pred_after = np.asarray(est.predict(X.iloc[te]), dtype=float)
    g = group_labels(A.iloc[te])
    before, after = regression_metrics(y[te], pred_before, g), regression_metrics(y[te], pred_after, g)
    metric = next((_REGRESSION_TARGET[c] for c in technique.criteria if c in _REGRESSION_TARGET), "ks_distance")
    note = f"baseline = ridge regression on the one-hot features; {len(te)} test rows; utility = R²."
    return finish(technique, config, dataset, before, after, REGRESSION_METRICS, metric, "r2", note, out_dir)

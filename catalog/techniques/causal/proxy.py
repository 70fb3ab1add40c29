"""Proxy detection: how well each feature on its own predicts the protected attribute.

A feature whose values recover the protected attribute lets a model discriminate without seeing it
(Kilbertus et al. 2017, *Avoiding Discrimination through Causal Reasoning*, NeurIPS, call such
descendants of the attribute *proxies*). Each feature's cross-fitted AUC is computed from a
target encoding of its (binned) values: the rate of the privileged group per value, learnt on
the training folds and scored on the held-out fold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from fairmend.catalog.techniques.causal._common import discretise
from sklearn.metrics import roc_auc_score


def proxy_scores(
    frame: pd.DataFrame,
    a: np.ndarray,
    features: Sequence[str],
    *,
    folds: int = 5,
    n_bins: int = 10,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per feature: cross-fitted ``auc`` (≥ 0.5, direction-free), ``cramers_v``."""
    from scipy.stats.contingency import association

    rng = np.random.default_rng(seed)
    fold = rng.permutation(np.arange(len(a)) % folds)
    prior = float(a.mean())
    rows = []
    for f in features:
        codes = discretise(frame[f], n_bins)
        encoded = np.empty(len(a))
        for k in range(folds):
            train, test = fold != k, fold == k
            n = np.bincount(codes[train], minlength=codes.max() + 1)
            s = np.bincount(codes[train], weights=a[train], minlength=codes.max() + 1)
            rate = (s + prior) / (n + 1.0)  # one pseudo-observation at the prior
            encoded[test] = rate[codes[test]]
        auc = roc_auc_score(a, encoded) if 0 < a.sum() < len(a) else float("nan")
        table = pd.crosstab(codes, a).to_numpy()
        v = float(association(table, method="cramer")) if table.shape[0] > 1 else 0.0
        rows.append(
            {"feature": f, "auc": float(max(auc, 1 - auc)), "cramers_v": v, "levels": int(codes.max() + 1)}
        )
    return pd.DataFrame(rows).sort_values("auc", ascending=False, ignore_index=True)

"""Ranking metrics of one ordering of a candidate pool: representation and exposure of each group in
the top ``k``, and ranking quality (NDCG and precision of the true outcome)."""

from __future__ import annotations

import numpy as np

RANKING_METRICS = {  # name -> higher is better
    "representation_ratio": True,
    "min_group_share_top_k": True,
    "exposure_ratio": True,
    "ndcg_at_k": True,
    "precision_at_k": True,
}


def _exposure(order: np.ndarray, groups: np.ndarray, k: int) -> dict[str, float]:
    """Mean position-based exposure 1 / log2(1 + rank) per group over the top ``k``."""
    top = order[:k]
    weights = 1.0 / np.log2(np.arange(2, len(top) + 2))
    out = {}
    for g in np.unique(groups):
        members = groups == g
        out[str(g)] = float(weights[members[top]].sum() / members.sum())
    return out


def ranking_metrics(order: np.ndarray, groups: np.ndarray, relevance: np.ndarray, k: int) -> dict[str, float]:
    top = order[:k]
    names, counts = np.unique(groups, return_counts=True)
    pop_share = counts / counts.sum()
    top_share = np.array([(groups[top] == g).mean() for g in names])
    exposure = _exposure(order, groups, k)
    exp = np.array(list(exposure.values()))
    ideal = np.sort(relevance)[::-1][:k]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    idcg = float((ideal * discounts[: len(ideal)]).sum())
    dcg = float((relevance[top] * discounts[: len(top)]).sum())
    return {
        "representation_ratio": float(np.min(top_share / pop_share)),
        "min_group_share_top_k": float(top_share.min()),
        "exposure_ratio": float(exp.min() / exp.max()) if exp.max() > 0 else 0.0,
        "ndcg_at_k": dcg / idcg if idcg > 0 else 0.0,
        "precision_at_k": float(relevance[top].mean()),
    }

"""Score-based metrics: ROC AUC, Brier score, expected calibration error, reliability diagrams.

All functions are *batched*: they take ``(b, m)`` matrices (one row per resample) of value codes,
labels, group codes and optional row weights, so :mod:`fairmend.stats` can evaluate thousands of
resamples with a few ``np.bincount`` calls.

ECE (Guo et al., ICML 2017; Naeini et al., AAAI 2015): ``sum_k (n_k / n) |mean(y)_k - mean(score)_k|``
over ``n_bins`` bins, equal-width (``[0, 1/K), ..., [(K-1)/K, 1]``) or equal-mass (quantile edges).
ROC AUC is the Mann-Whitney statistic with ties counted one half.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SCORE_METRICS = ("roc_auc", "brier", "ece", "ece_difference")
DEFAULT_BINS = 10


def equal_width_bins(s: np.ndarray, n_bins: int = DEFAULT_BINS) -> np.ndarray:
    return np.minimum((s * n_bins).astype(np.int64), n_bins - 1)


def equal_mass_edges(s: np.ndarray, n_bins: int = DEFAULT_BINS) -> np.ndarray:
    edges = np.quantile(s, np.linspace(0.0, 1.0, n_bins + 1))
    edges[0], edges[-1] = min(0.0, edges[0]), max(1.0, edges[-1])
    return edges


def equal_mass_bins(s: np.ndarray, n_bins: int = DEFAULT_BINS) -> np.ndarray:
    edges = equal_mass_edges(s, n_bins)
    return np.searchsorted(edges[1:-1], s, side="right").astype(np.int64)


def _offset_bincount(codes: np.ndarray, size: int, weights: np.ndarray | None) -> np.ndarray:
    """Row-wise bincount of a ``(b, m)`` code matrix -> ``(b, size)``."""
    b = codes.shape[0]
    flat = (codes + size * np.arange(b)[:, None]).ravel()
    w = None if weights is None else weights.ravel()
    return np.bincount(flat, weights=w, minlength=b * size).reshape(b, size).astype(float)


def batched_auc(u: np.ndarray, ypos: np.ndarray, n_values: int, w: np.ndarray | None = None) -> np.ndarray:
    """ROC AUC of each row: ``u`` = index of each score among the sorted unique scores."""
    wn = (~ypos).astype(float) if w is None else w * ~ypos
    wp = ypos.astype(float) if w is None else w * ypos
    neg = _offset_bincount(u, n_values, wn)
    below = np.cumsum(neg, axis=1) - neg
    credit = below + 0.5 * neg  # per value: negatives below plus half the ties
    n_neg, n_pos = neg.sum(axis=1), wp.sum(axis=1)
    total = (np.take_along_axis(credit, u, axis=1) * wp).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((n_neg > 0) & (n_pos > 0), total / (n_neg * n_pos), np.nan)


def batched_brier(s: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    sq = (s - y) ** 2
    if w is None:
        return sq.mean(axis=1)
    return (sq * w).sum(axis=1) / w.sum(axis=1)


def batched_group_ece(bins: np.ndarray, s: np.ndarray, y: np.ndarray, n_bins: int, g: np.ndarray | None = None,
                      n_groups: int = 1, w: np.ndarray | None = None) -> np.ndarray:
    """ECE per group, shape ``(b, n_groups)`` (NaN for a group without rows)."""
    cell = bins if g is None else g * n_bins + bins
    size = n_groups * n_bins
    cnt = _offset_bincount(cell, size, w).reshape(-1, n_groups, n_bins)
    ws = s if w is None else s * w
    wy = y.astype(float) if w is None else y * w
    sum_s = _offset_bincount(cell, size, ws).reshape(cnt.shape)
    sum_y = _offset_bincount(cell, size, wy).reshape(cnt.shape)
    n = cnt.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, np.abs(sum_y - sum_s).sum(axis=2) / n, np.nan)


def value_codes(*score_arrays: np.ndarray) -> tuple[list[np.ndarray], int]:
    """Codes of each score among the sorted unique values of all arrays together (for AUC)."""
    allv = np.concatenate(score_arrays)
    uniq, inv = np.unique(allv, return_inverse=True)
    out, start = [], 0
    for a in score_arrays:
        out.append(inv[start:start + len(a)].astype(np.int64))
        start += len(a)
    return out, len(uniq)


def roc_auc(y: np.ndarray, s: np.ndarray) -> float:
    (u,), n_values = value_codes(s)
    return float(batched_auc(u[None], y[None].astype(bool), n_values)[0])


def brier(y: np.ndarray, s: np.ndarray) -> float:
    return float(np.mean((s - y) ** 2))


def ece(y: np.ndarray, s: np.ndarray, n_bins: int = DEFAULT_BINS, strategy: str = "uniform") -> float:
    bins = equal_width_bins(s, n_bins) if strategy == "uniform" else equal_mass_bins(s, n_bins)
    return float(batched_group_ece(bins[None], s[None], y[None], n_bins)[0, 0])


def reliability_table(y: np.ndarray, s: np.ndarray, *, n_bins: int = DEFAULT_BINS, strategy: str = "uniform",
                      groups: np.ndarray | None = None, labels: list[str] | None = None) -> pd.DataFrame:
    """Reliability-diagram data: one row per (group, bin) with mean score and observed positive rate."""
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
        bins = equal_width_bins(s, n_bins)
    else:
        edges = equal_mass_edges(s, n_bins)
        bins = np.searchsorted(edges[1:-1], s, side="right")
    g = np.zeros(len(y), dtype=np.int64) if groups is None else groups
    names = ["all"] if labels is None else labels
    frame = pd.DataFrame({"group": np.asarray(names, dtype=object)[g], "bin": bins, "score": s, "y": y})
    out = frame.groupby(["group", "bin"], sort=True).agg(n=("y", "size"), mean_score=("score", "mean"),
                                                         fraction_positive=("y", "mean")).reset_index()
    out["lower"] = edges[out["bin"].to_numpy()]
    out["upper"] = edges[out["bin"].to_numpy() + 1]
    return out[["group", "bin", "lower", "upper", "n", "mean_score", "fraction_positive"]]

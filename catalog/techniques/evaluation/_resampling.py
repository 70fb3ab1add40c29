"""Fast per-group rates as (numerator, denominator) counts, for bootstrap and permutation loops.

Each supported metric is a ratio of counts within a group, so a resample only needs ``np.bincount``
instead of a full metric table; point estimates equal fairlearn's (checked in the tests).
"""

from __future__ import annotations

import numpy as np

from fairmend.errors import InvalidParameterError

RATE_METRICS = ("selection_rate", "tpr", "fpr", "accuracy")
GAP_METRICS = (*RATE_METRICS, "equalized_odds")


def rate_parts(metric: str, y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-row (hit, eligible) indicators: the group rate is sum(hit) / sum(eligible)."""
    ones = np.ones(len(y_true), dtype=float)
    if metric == "selection_rate":
        return y_pred.astype(float), ones
    if metric == "accuracy":
        return (y_true == y_pred).astype(float), ones
    if metric == "tpr":
        return ((y_true == 1) & (y_pred == 1)).astype(float), (y_true == 1).astype(float)
    if metric == "fpr":
        return ((y_true == 0) & (y_pred == 1)).astype(float), (y_true == 0).astype(float)
    raise InvalidParameterError(f"metric {metric!r} is not one of {', '.join(GAP_METRICS)}")


def group_rates(hit: np.ndarray, eligible: np.ndarray, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Rate per group code (NaN for a group with no eligible rows)."""
    num = np.bincount(codes, weights=hit, minlength=n_groups)
    den = np.bincount(codes, weights=eligible, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, np.nan)


def spread(rates: np.ndarray) -> float:
    """Max - min over groups with a defined rate."""
    valid = rates[~np.isnan(rates)]
    return float(valid.max() - valid.min()) if len(valid) >= 2 else float("nan")


def gap(metric: str, y_true: np.ndarray, y_pred: np.ndarray, codes: np.ndarray, n_groups: int) -> float:
    """Largest between-group difference of a rate (``equalized_odds``: the larger of the TPR and FPR gaps)."""
    if metric == "equalized_odds":
        return max(gap("tpr", y_true, y_pred, codes, n_groups), gap("fpr", y_true, y_pred, codes, n_groups))
    hit, eligible = rate_parts(metric, y_true, y_pred)
    return spread(group_rates(hit, eligible, codes, n_groups))


def studentized_gap(
    metric: str, y_true: np.ndarray, y_pred: np.ndarray, codes: np.ndarray, n_groups: int
) -> float:
    r"""Largest pairwise :math:`|r_i - r_j| / \sqrt{r_i(1-r_i)/n_i + r_j(1-r_j)/n_j}` (DiCiccio et al. 2020).

    Studentising makes the permutation test asymptotically valid for the hypothesis of equal rates
    (not only of exchangeable groups). A zero standard error counts as the pooled rate's error.
    """
    if metric == "equalized_odds":
        return max(studentized_gap(m, y_true, y_pred, codes, n_groups) for m in ("tpr", "fpr"))
    hit, eligible = rate_parts(metric, y_true, y_pred)
    num = np.bincount(codes, weights=hit, minlength=n_groups)
    den = np.bincount(codes, weights=eligible, minlength=n_groups)
    keep = den > 0
    r, n = num[keep] / den[keep], den[keep]
    pooled = num[keep].sum() / n.sum()
    var = np.where((r > 0) & (r < 1), r * (1 - r), pooled * (1 - pooled))
    best = 0.0
    for i in range(len(r)):
        for j in range(i + 1, len(r)):
            se = np.sqrt(var[i] / n[i] + var[j] / n[j])
            if se > 0:
                best = max(best, abs(r[i] - r[j]) / se)
    return float(best)


def large_groups(groups: np.ndarray, min_group_size: int) -> tuple[np.ndarray, list[str]]:
    """Mask of rows in groups of at least ``min_group_size`` rows, and the names of the dropped groups."""
    from fairmend.catalog.techniques.evaluation._common import check_groups

    values, counts = np.unique(groups, return_counts=True)
    small = [str(v) for v, c in zip(values, counts, strict=True) if c < min_group_size]
    keep = ~np.isin(groups, small)
    check_groups(groups[keep], f"(groups with at least {min_group_size} rows)")
    return keep, small

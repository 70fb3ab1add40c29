"""Metrics computed from per-group confusion counts.

A *count array* has shape ``(..., G, 2, 2)`` and holds, for each group ``g``, label ``y`` and
prediction ``p``, the (possibly weighted) number of rows ``counts[..., g, y, p]``. Leading axes are
resamples, so one call evaluates a metric on thousands of bootstrap or permutation replicates.

Definitions (``max``/``min`` over groups with a defined rate; undefined rates such as the TPR of a
group without positives are NaN and ignored):

* ``demographic_parity_difference``: max - min selection rate ``P(pred = 1 | group)``.
* ``disparate_impact_ratio`` (= fairlearn's ``demographic_parity_ratio``): min / max selection rate;
  the four-fifths rule passes when it is at least 0.8.
* ``equal_opportunity_difference``: max - min TPR; ``predictive_equality_difference``: max - min FPR.
* ``equalized_odds_difference``: max(TPR gap, FPR gap), fairlearn's definition;
  ``equalized_odds_ratio``: min(TPR ratio, FPR ratio).
* ``average_odds_difference``: (TPR gap + FPR gap) / 2 (an unsigned, many-group version of AIF360's).
* ``predictive_parity_difference``: max - min PPV; ``npv_difference``, ``fnr_difference``,
  ``accuracy_difference`` likewise.
* ``generalized_entropy_index`` (alpha = 2) and ``theil_index`` (alpha = 1) of the benefits
  ``b_i = pred_i - y_i + 1`` over all rows (Speicher et al., KDD 2018), as in AIF360.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Counts = np.ndarray


def confusion_counts(groups: np.ndarray, y: np.ndarray, pred: np.ndarray, n_groups: int,
                     weights: np.ndarray | None = None) -> Counts:
    """Per-group confusion counts of shape ``(n_groups, 2, 2)`` indexed ``[group, y, pred]``."""
    cell = groups * 4 + y * 2 + pred
    return np.bincount(cell, weights=weights, minlength=n_groups * 4).astype(float).reshape(n_groups, 2, 2)


def _div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def group_rates(c: Counts) -> dict[str, np.ndarray]:
    """Per-group rates, each of shape ``c.shape[:-2]``."""
    tn, fp, fn, tp = c[..., 0, 0], c[..., 0, 1], c[..., 1, 0], c[..., 1, 1]
    n = tn + fp + fn + tp
    tpr = _div(tp, tp + fn)
    fpr = _div(fp, fp + tn)
    return {
        "n": n,
        "base_rate": _div(tp + fn, n),
        "selection_rate": _div(tp + fp, n),
        "tpr": tpr,
        "fpr": fpr,
        "fnr": _div(fn, tp + fn),
        "tnr": _div(tn, fp + tn),
        "ppv": _div(tp, tp + fp),
        "npv": _div(tn, tn + fn),
        "accuracy": _div(tp + tn, n),
    }


def _finite_extremes(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ok = np.isfinite(x)
    hi = np.where(ok, x, -np.inf).max(axis=-1)
    lo = np.where(ok, x, np.inf).min(axis=-1)
    enough = ok.sum(axis=-1) >= 2
    return hi, lo, enough


def gap(x: np.ndarray) -> np.ndarray:
    """max - min over the last (group) axis, ignoring NaN; NaN when fewer than two groups are defined."""
    hi, lo, enough = _finite_extremes(x)
    with np.errstate(invalid="ignore"):
        return np.where(enough, hi - lo, np.nan)


def ratio(x: np.ndarray) -> np.ndarray:
    """min / max over the last (group) axis, ignoring NaN; NaN when max is 0 or fewer than two groups."""
    hi, lo, enough = _finite_extremes(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(enough & (hi > 0), lo / np.where(hi > 0, hi, 1.0), np.nan)


def generalized_entropy(c: Counts, alpha: float) -> np.ndarray:
    """Generalized entropy index of ``b = pred - y + 1`` from counts (over all groups)."""
    tot = c.sum(axis=-3)  # (..., 2, 2) over groups
    m0, m1, m2 = tot[..., 1, 0], tot[..., 0, 0] + tot[..., 1, 1], tot[..., 0, 1]  # rows with b = 0, 1, 2
    n = m0 + m1 + m2
    mu = _div(m1 + 2 * m2, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        r1, r2 = 1.0 / mu, 2.0 / mu
        if alpha == 1:
            total = m1 * r1 * np.log(r1) + m2 * r2 * np.log(r2)  # b = 0 contributes 0 log 0 = 0
        elif alpha == 0:
            total = np.where(m0 > 0, np.inf, -(m1 * np.log(r1) + m2 * np.log(r2)))
        else:
            total = (m0 * -1.0 + m1 * (r1**alpha - 1) + m2 * (r2**alpha - 1)) / (alpha * (alpha - 1))
        return _div(total, n)


def overall_counts(c: Counts) -> np.ndarray:
    """Counts summed over groups, shape ``(..., 2, 2)``."""
    return c.sum(axis=-3)


def _overall(c: Counts) -> dict[str, np.ndarray]:
    t = overall_counts(c)
    tn, fp, fn, tp = t[..., 0, 0], t[..., 0, 1], t[..., 1, 0], t[..., 1, 1]
    n = tn + fp + fn + tp
    tpr, tnr = _div(tp, tp + fn), _div(tn, tn + fp)
    return {
        "accuracy": _div(tp + tn, n),
        "balanced_accuracy": (tpr + tnr) / 2,
        "f1": _div(2 * tp, 2 * tp + fp + fn),
        "selection_rate": _div(tp + fp, n),
    }


def _rate_metric(rate: str, agg: Callable[[np.ndarray], np.ndarray]) -> Callable[[Counts], np.ndarray]:
    return lambda c: agg(group_rates(c)[rate])


def _eo_difference(c: Counts) -> np.ndarray:
    r = group_rates(c)
    return np.fmax(gap(r["tpr"]), gap(r["fpr"]))


def _eo_ratio(c: Counts) -> np.ndarray:
    r = group_rates(c)
    return np.fmin(ratio(r["tpr"]), ratio(r["fpr"]))


def _average_odds(c: Counts) -> np.ndarray:
    r = group_rates(c)
    return (gap(r["tpr"]) + gap(r["fpr"])) / 2


# name -> function of a count array; every metric here is computable from counts alone.
COUNT_FAIRNESS: dict[str, Callable[[Counts], np.ndarray]] = {
    "demographic_parity_difference": _rate_metric("selection_rate", gap),
    "disparate_impact_ratio": _rate_metric("selection_rate", ratio),
    "equal_opportunity_difference": _rate_metric("tpr", gap),
    "equal_opportunity_ratio": _rate_metric("tpr", ratio),
    "predictive_equality_difference": _rate_metric("fpr", gap),
    "equalized_odds_difference": _eo_difference,
    "equalized_odds_ratio": _eo_ratio,
    "average_odds_difference": _average_odds,
    "predictive_parity_difference": _rate_metric("ppv", gap),
    "npv_difference": _rate_metric("npv", gap),
    "fnr_difference": _rate_metric("fnr", gap),
    "accuracy_difference": _rate_metric("accuracy", gap),
    "generalized_entropy_index": lambda c: generalized_entropy(c, 2.0),
    "theil_index": lambda c: generalized_entropy(c, 1.0),
}

COUNT_PERFORMANCE: dict[str, Callable[[Counts], np.ndarray]] = {
    "accuracy": lambda c: _overall(c)["accuracy"],
    "balanced_accuracy": lambda c: _overall(c)["balanced_accuracy"],
    "f1": lambda c: _overall(c)["f1"],
    "selection_rate": lambda c: _overall(c)["selection_rate"],
}

COUNT_METRICS: dict[str, Callable[[Counts], np.ndarray]] = {**COUNT_FAIRNESS, **COUNT_PERFORMANCE}


def evaluate_counts(c: Counts, names: list[str]) -> dict[str, np.ndarray]:
    """Evaluate several count metrics on a (batched) count array."""
    return {name: np.asarray(COUNT_METRICS[name](c), dtype=float) for name in names}

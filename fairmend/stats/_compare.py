"""Before/after comparison of an intervention (paired bootstrap), and Benjamini-Hochberg adjustment."""

from __future__ import annotations

from typing import Any

import numpy as np

from fairmend.errors import InvalidParameterError
from fairmend.metrics._api import higher_is_better
from fairmend.stats._bootstrap import _check_method, _point, inference, orientation_of, replicates
from fairmend.stats._estimand import describe
from fairmend.stats._prepare import check_positive, prepare, resolve_metrics


def benjamini_hochberg(p_values: Any, alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    """Benjamini-Hochberg step-up procedure controlling the false discovery rate (JRSS-B, 1995).

    Returns
    -------
    rejected : numpy.ndarray of bool
    adjusted : numpy.ndarray of float
        BH-adjusted p-values (monotone, capped at 1). NaN p-values stay NaN and are not counted
        among the tests.
    """
    if not 0 < alpha < 1:
        raise InvalidParameterError(f"alpha must be in (0, 1), got {alpha!r}")
    p = np.asarray(p_values, dtype=float).reshape(-1)
    ok = np.isfinite(p)
    if ((p[ok] < 0) | (p[ok] > 1)).any():
        raise InvalidParameterError("p-values must lie in [0, 1]")
    adjusted = np.full(p.shape, np.nan)
    q = p[ok]
    m = len(q)
    if m:
        order = np.argsort(q)
        scaled = q[order] * m / np.arange(1, m + 1)
        adj = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
        out = np.empty(m)
        out[order] = adj
        adjusted[ok] = out
    rejected = np.zeros(p.shape, dtype=bool)
    rejected[ok] = adjusted[ok] <= alpha
    return rejected, adjusted


def compare(y_true: Any, pred_before: Any, pred_after: Any, sensitive_features: Any, *, scores_before: Any = None,
            scores_after: Any = None, metrics: Any = None, n_boot: int = 1000, n_permutations: int | None = None,
            seed: int | None = 0, ci_method: str = "percentile", alpha: float = 0.05) -> dict[str, dict[str, Any]]:
    """Compare baseline and intervention predictions on the same rows, metric by metric.

    One resampling distribution per metric: a paired bootstrap of the change (each resampled row
    carries both predictions; strata as in :func:`fairmend.stats.stratified_bootstrap_ci`). The 95 %
    interval and the two-sided p-value are read from the same replicates (:func:`inference`), so
    ``p < 0.05`` exactly when the interval excludes 0. The bootstrap test is about the metric, not about
    exchangeable predictions: it stays calibrated when an intervention shifts every group alike, where
    a swap permutation test of the raw change rejects far too often.

    What the change is about (``estimand`` in the result): with two groups the signed difference in a
    group order fixed on the baseline (higher baseline rate first), so ``delta`` equals
    ``after - before`` unless the gap reversed; with more groups the max - min statistic.

    Parameters
    ----------
    y_true : array-like of 0/1
    pred_before, pred_after : array-like of 0/1
        Baseline and intervention predictions of the same rows.
    sensitive_features : array-like, Series or DataFrame
        Fairness gaps are over the intersections of the columns.
    scores_before, scores_after : array-like, optional
        Probabilities; both are needed for the score metrics.
    metrics : list of str, optional
        Default: every metric the inputs allow.
    n_boot : int
        Paired bootstrap resamples; the p-value's resolution is ``1 / n_boot``.
    n_permutations : int, optional
        Not used: accepted so that callers written for the former permutation p-value keep working.
    seed : int or None
    ci_method : {"percentile", "bca"}
        The p-value inverts the chosen interval, so it stays consistent with it.
    alpha : float
        FDR level of the Benjamini-Hochberg adjustment across the metrics.

    Returns
    -------
    dict
        ``{metric: {"before", "after" (the metric as defined), "before_signed", "after_signed" (the
        estimand: with two groups the signed difference, else the metric), "delta" (``after_signed -
        before_signed``),
        "ci95" ([lo, hi] of delta), "p_value" (two-sided paired bootstrap test), "p_value_bh"
        (BH-adjusted over the metrics), "significant" (BH at ``alpha``), "improved" (delta in the better
        direction and the metric itself better after), "estimand" (what delta, CI and p are about)}}``.
    """
    _check_method(ci_method)
    check_positive("n_boot", n_boot)
    data = prepare(y_true, [pred_before, pred_after], sensitive_features, [scores_before, scores_after],
                   ("pred_before", "pred_after"), ("scores_before", "scores_after"))
    names = resolve_metrics(metrics, data.scores is not None)
    rng = np.random.default_rng(seed)
    orientation = orientation_of(data)
    before = _point(_single(data, 0), names)
    after = _point(_single(data, 1), names)
    signed = [_point(_single(data, j), names, orientation) for j in (0, 1)]
    delta = _point(data, names, orientation)
    reps, jack = replicates(data, names, n_boot, rng, None, orientation, ci_method == "bca")
    inferred = {m: inference(reps[m], delta[m], 0.95, ci_method, jack.get(m)) for m in names}
    rejected, adjusted = benjamini_hochberg([inferred[m][2] for m in names], alpha)
    out: dict[str, dict[str, Any]] = {}
    for i, m in enumerate(names):
        lo, hi, p = inferred[m]
        d = delta[m]
        better = higher_is_better(m)
        moved = np.isfinite(d) and (d > 0 if better else d < 0)
        now_better = after[m] > before[m] if better else after[m] < before[m]
        out[m] = {
            "before": before[m],
            "after": after[m],
            "before_signed": signed[0][m],
            "after_signed": signed[1][m],
            "delta": d,
            "ci95": [lo, hi],
            "p_value": p,
            "p_value_bh": float(adjusted[i]),
            "significant": bool(rejected[i]),
            "improved": bool(moved and now_better),
            "estimand": describe(m, orientation, data.n_groups, change=True),
        }
    return out


def _single(data: Any, j: int) -> Any:
    from fairmend.stats._prepare import Prepared

    return Prepared(data.y, data.groups, [data.preds[j]], None if data.scores is None else [data.scores[j]])

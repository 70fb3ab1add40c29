"""Stratified bootstrap confidence intervals (percentile and BCa).

Strata are group x label, so every resample keeps each group's size and base rate (Efron &
Tibshirani, *An Introduction to the Bootstrap*, 1993, ch. 14 for BCa). Count metrics are resampled
exactly as multinomial counts (see :mod:`fairmend.stats._engine`); score metrics as index matrices.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import ndtr, ndtri

from fairmend.errors import InvalidParameterError
from fairmend.metrics._counts import confusion_counts
from fairmend.stats import _engine
from fairmend.stats._prepare import Prepared, check_level, check_positive, prepare, resolve_metrics


def _point(data: Prepared, metrics: list[str]) -> dict[str, float]:
    counts = [confusion_counts(data.g, data.y, p, data.n_groups)[None] for p in data.preds]
    count_m = [m for m in metrics if _engine.is_count_metric(m)]
    out = {m: float(v[0]) for m, v in _engine.count_values(counts, count_m).items()}
    score_m = [m for m in metrics if not _engine.is_count_metric(m)]
    if score_m:
        sd = _engine.ScoreData(data.y, data.g, data.n_groups, data.scores)
        w = np.ones((1, len(data.y)))
        out.update({m: float(v[0]) for m, v in sd.values(score_m, w=w).items()})
    return out


def replicates(data: Prepared, metrics: list[str], n_boot: int, rng: np.random.Generator, stratified: bool = True
               ) -> tuple[dict[str, np.ndarray], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Bootstrap replicates of each metric (or of each delta) and jackknife values for BCa."""
    count_m = [m for m in metrics if _engine.is_count_metric(m)]
    score_m = [m for m in metrics if not _engine.is_count_metric(m)]
    reps: dict[str, np.ndarray] = {}
    jack: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if count_m:
        pc = _engine.pattern_counts(data.g, data.y, data.preds, data.n_groups)
        reps.update(_engine.count_values(_engine.bootstrap_counts(pc, len(data.preds), n_boot, rng, stratified), count_m))
        jcounts, jw = _engine.jackknife_counts(pc, len(data.preds))
        jack.update({m: (v, jw) for m, v in _engine.count_values(jcounts, count_m).items()})
    if score_m:
        sd = _engine.ScoreData(data.y, data.g, data.n_groups, data.scores)
        parts: dict[str, list[np.ndarray]] = {m: [] for m in score_m}
        for idx in _engine.stratified_index_chunks(data.g, data.y, data.n_groups, n_boot, rng, stratified):
            for m, v in sd.values(score_m, take=idx).items():
                parts[m].append(v)
        reps.update({m: np.concatenate(v) for m, v in parts.items()})
        w = _engine.block_jackknife_weights(len(data.y), rng)
        jvals = sd.values(score_m, w=w)
        jack.update({m: (v, np.ones(len(v))) for m, v in jvals.items()})
    return reps, jack


def interval(reps: np.ndarray, point: float, level: float, method: str,
             jack: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[float, float]:
    """Percentile or BCa interval from bootstrap replicates (NaN replicates are dropped)."""
    r = reps[np.isfinite(reps)]
    if len(r) == 0 or not np.isfinite(point):
        return (float("nan"), float("nan"))
    alpha = (1 - level) / 2
    probs = np.array([alpha, 1 - alpha])
    if method == "bca":
        below = np.mean(r < point) + 0.5 * np.mean(r == point)
        below = np.clip(below, 1 / (len(r) + 1), len(r) / (len(r) + 1))
        z0 = ndtri(below)
        a = 0.0
        if jack is not None:
            vals, w = jack
            ok = np.isfinite(vals)
            vals, w = vals[ok], w[ok]
            if len(vals) > 1:
                d = np.sum(w * vals) / np.sum(w) - vals
                den = 6 * np.sum(w * d**2) ** 1.5
                a = float(np.sum(w * d**3) / den) if den > 0 else 0.0
        z = ndtri(probs)
        probs = ndtr(z0 + (z0 + z) / (1 - a * (z0 + z)))
    lo, hi = np.quantile(r, probs)
    return (float(lo), float(hi))


def _check_method(method: str) -> None:
    if method not in ("percentile", "bca"):
        raise InvalidParameterError(f"method must be 'percentile' or 'bca', got {method!r}")


def stratified_bootstrap_ci(y_true: Any, y_pred: Any, sensitive_features: Any, metrics: Any = None, *,
                            y_score: Any = None, n_boot: int = 1000, seed: int | None = 0,
                            method: str = "percentile", level: float = 0.95, stratified: bool = True
                            ) -> dict[str, tuple[float, float]]:
    """Confidence intervals of group metrics by stratified bootstrap (strata = group x label).

    Parameters
    ----------
    y_true, y_pred : array-like of 0/1
    sensitive_features : array-like, Series or DataFrame
        Groups are the intersections of the columns.
    metrics : str or list of str, optional
        Names from :data:`fairmend.metrics.FAIRNESS_METRICS` / ``PERFORMANCE_METRICS``; default all
        that the inputs allow.
    y_score : array-like, optional
        Probabilities, needed for ``roc_auc``, ``brier``, ``ece``, ``ece_difference``.
    n_boot : int
        Number of resamples.
    seed : int or None
        Seed of ``numpy.random.default_rng``.
    method : {"percentile", "bca"}
        BCa uses the exact leave-one-row-out jackknife for count metrics and a 50-block jackknife for
        score metrics to estimate the acceleration.
    level : float
        Confidence level.
    stratified : bool, default True
        ``False`` resamples all rows together (the scheme of fairlearn's ``MetricFrame(n_boot=...)``);
        group sizes then vary between resamples.

    Returns
    -------
    dict of str to (float, float)
    """
    _check_method(method)
    check_level(level)
    check_positive("n_boot", n_boot)
    data = prepare(y_true, [y_pred], sensitive_features, None if y_score is None else [y_score])
    names = resolve_metrics(metrics, data.scores is not None)
    rng = np.random.default_rng(seed)
    point = _point(data, names)
    reps, jack = replicates(data, names, n_boot, rng, stratified)
    return {m: interval(reps[m], point[m], level, method, jack.get(m)) for m in names}


def paired_bootstrap_ci(y_true: Any, pred_before: Any, pred_after: Any, sensitive_features: Any, metrics: Any = None,
                        *, scores_before: Any = None, scores_after: Any = None, n_boot: int = 1000,
                        seed: int | None = 0, method: str = "percentile", level: float = 0.95
                        ) -> dict[str, tuple[float, float]]:
    """Intervals of the change ``metric(after) - metric(before)``, resampling rows with both predictions.

    Same stratification and methods as :func:`stratified_bootstrap_ci`; each resampled row carries its
    baseline and intervention prediction, so the interval reflects the pairing.
    """
    _check_method(method)
    check_level(level)
    check_positive("n_boot", n_boot)
    data = prepare(y_true, [pred_before, pred_after], sensitive_features, [scores_before, scores_after],
                   ("pred_before", "pred_after"), ("scores_before", "scores_after"))
    names = resolve_metrics(metrics, data.scores is not None)
    rng = np.random.default_rng(seed)
    point = _point(data, names)
    reps, jack = replicates(data, names, n_boot, rng)
    return {m: interval(reps[m], point[m], level, method, jack.get(m)) for m in names}

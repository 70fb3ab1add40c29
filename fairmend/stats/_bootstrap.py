"""Stratified bootstrap: confidence intervals (percentile and BCa) and the bootstrap test.

Strata are group x label for label-conditioned metrics and group alone for the rest
(:func:`fairmend.stats._estimand.strata_of_metric`), so every resample keeps each group's size (Efron &
Tibshirani, *An Introduction to the Bootstrap*, 1993, ch. 14 for BCa, ch. 16 for bootstrap tests).
Count metrics are resampled exactly as multinomial counts (see :mod:`fairmend.stats._engine`); score
metrics as index matrices. With two groups the statistics are the signed, fixed-order forms of
:mod:`fairmend.stats._estimand`.

Interval and p-value come from the same replicates (:func:`inference`): the interval's ends are order
statistics, and the p-value is the smallest ``alpha`` at which the ``1 - alpha`` interval excludes 0,
so ``p < 0.05`` exactly when the 95 % interval excludes 0.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy.special import ndtr, ndtri

from fairmend.errors import InvalidParameterError
from fairmend.metrics import _scores
from fairmend.metrics._counts import confusion_counts
from fairmend.stats import _engine
from fairmend.stats._estimand import Orientation, strata_of_metric
from fairmend.stats._prepare import Prepared, check_level, check_positive, prepare, resolve_metrics


def orientation_of(data: Prepared) -> Orientation | None:
    """Fixed group order for two groups, from the first (reference) prediction and score vector."""
    if data.n_groups != 2:
        return None
    counts = confusion_counts(data.g, data.y, data.preds[0], 2)
    ece = None
    if data.scores is not None:
        s = data.scores[0]
        ece = _scores.batched_group_ece(_scores.equal_width_bins(s)[None], s[None], data.y[None],
                                        _scores.DEFAULT_BINS, data.g[None], 2)[0]
    return Orientation.from_counts(counts, data.groups.labels, ece)


def _score_data(data: Prepared, orientation: Orientation | None) -> _engine.ScoreData:
    if data.scores is None:  # resolve_metrics refuses score metrics without scores; this keeps types honest
        raise InvalidParameterError("score metrics need scores")
    return _engine.ScoreData(data.y, data.g, data.n_groups, data.scores, orientation)


def _point(data: Prepared, metrics: list[str], orientation: Orientation | None = None) -> dict[str, float]:
    counts = [confusion_counts(data.g, data.y, p, data.n_groups)[None] for p in data.preds]
    count_m = [m for m in metrics if _engine.is_count_metric(m)]
    out = {m: float(v[0]) for m, v in _engine.count_values(counts, count_m, orientation).items()}
    score_m = [m for m in metrics if not _engine.is_count_metric(m)]
    if score_m:
        sd = _score_data(data, orientation)
        w = np.ones((1, len(data.y)))
        out.update({m: float(v[0]) for m, v in sd.values(score_m, w=w).items()})
    return {m: out[m] for m in metrics}


def replicates(data: Prepared, metrics: list[str], n_boot: int, rng: np.random.Generator, stratify: str | None = None,
               orientation: Orientation | None = None, jackknife: bool = False
               ) -> tuple[dict[str, np.ndarray], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Bootstrap replicates of each metric (or of each delta) and, if asked, jackknife values for BCa.

    ``stratify=None`` picks each metric's strata (:func:`strata_of_metric`); otherwise one scheme for all.
    """
    schemes: dict[tuple[bool, str], list[str]] = {}
    for m in metrics:
        schemes.setdefault((_engine.is_count_metric(m), stratify or strata_of_metric(m)), []).append(m)
    reps: dict[str, np.ndarray] = {}
    jack: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    pc = _engine.pattern_counts(data.g, data.y, data.preds, data.n_groups)
    score_m = [m for m in metrics if not _engine.is_count_metric(m)]
    sd: _engine.ScoreData | None = None
    for (is_count, scheme), names in schemes.items():
        if is_count:
            counts = _engine.bootstrap_counts(pc, len(data.preds), n_boot, rng, scheme)
            reps.update(_engine.count_values(counts, names, orientation))
            continue
        parts: dict[str, list[np.ndarray]] = {m: [] for m in names}
        sd = sd or _score_data(data, orientation)
        for idx in _engine.stratified_index_chunks(data.g, data.y, n_boot, rng, scheme):
            for m, v in sd.values(names, take=idx).items():
                parts[m].append(v)
        reps.update({m: np.concatenate(v) for m, v in parts.items()})
    if jackknife:
        count_m = [m for m in metrics if _engine.is_count_metric(m)]
        if count_m:
            jcounts, jw = _engine.jackknife_counts(pc, len(data.preds))
            jack.update({m: (v, jw) for m, v in _engine.count_values(jcounts, count_m, orientation).items()})
        if sd is not None:
            jack.update({m: (v, np.ones(len(v))) for m, v in _engine.block_jackknife(sd, score_m, rng).items()})
    return reps, {m: jack[m] for m in metrics if m in jack}


def _bca_constants(r: np.ndarray, point: float, jack: tuple[np.ndarray, np.ndarray] | None) -> tuple[float, float]:
    below = np.mean(r < point) + 0.5 * np.mean(r == point)
    below = np.clip(below, 1 / (len(r) + 1), len(r) / (len(r) + 1))
    z0 = float(ndtri(below))
    a = 0.0
    if jack is not None:
        vals, w = jack
        ok = np.isfinite(vals)
        vals, w = vals[ok], w[ok]
        if len(vals) > 1:
            d = np.sum(w * vals) / np.sum(w) - vals
            den = 6 * np.sum(w * d**2) ** 1.5
            a = float(np.sum(w * d**3) / den) if den > 0 else 0.0
    return z0, a


def inference(reps: np.ndarray, point: float, level: float = 0.95, method: str = "percentile",
              jack: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[float, float, float]:
    """Interval ``(lo, hi)`` and two-sided p-value of "the statistic is 0", from the same replicates.

    With ``B`` finite replicates sorted, ``lo`` is the ``ceil(B * q_lo)``-th smallest and ``hi`` the
    ``ceil(B * (1 - q_hi))``-th largest, where ``q = (alpha / 2, 1 - alpha / 2)`` (percentile) or the
    BCa-adjusted probabilities. The p-value inverts this: ``p = min(1, 2 min(F(0), 1 - F(0-)))`` after
    mapping the bootstrap shares ``F(0) = #(r <= 0) / B`` and ``#(r >= 0) / B`` back through the BCa
    adjustment (identity for percentile), floored at ``1 / B``. Hence ``p < 1 - level`` exactly when the
    interval excludes 0 (for ``B > 1 / (1 - level)``). NaN replicates are dropped.
    """
    r = np.sort(reps[np.isfinite(reps)])
    b = len(r)
    if b == 0 or not np.isfinite(point):
        return (math.nan, math.nan, math.nan)
    alpha = 1 - level
    z0, a = _bca_constants(r, point, jack) if method == "bca" else (0.0, 0.0)

    def adjust(q: float) -> float:  # BCa map from nominal to bootstrap probability
        if method != "bca":
            return q
        z = z0 + float(ndtri(q))
        return float(ndtr(z0 + z / (1 - a * z)))

    def unadjust(f: float) -> float:  # inverse of ``adjust``
        if method != "bca" or f <= 0 or f >= 1:
            return min(max(f, 0.0), 1.0)
        w = float(ndtri(f)) - z0
        return float(ndtr(w / (1 + a * w) - z0))

    k_lo = min(b, max(1, math.ceil(b * adjust(alpha / 2) - 1e-9)))
    k_hi = min(b, max(1, math.ceil(b * (1 - adjust(1 - alpha / 2)) - 1e-9)))
    lo, hi = float(r[k_lo - 1]), float(r[b - k_hi])
    le, ge = int(np.sum(r <= 0)), int(np.sum(r >= 0))
    tail = min(unadjust(le / b), 1 - unadjust(1 - ge / b))
    p = min(1.0, max(2 * tail, 1 / b))
    return (lo, hi, p)


def interval(reps: np.ndarray, point: float, level: float, method: str,
             jack: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[float, float]:
    """Percentile or BCa interval from bootstrap replicates (NaN replicates are dropped)."""
    lo, hi, _ = inference(reps, point, level, method, jack)
    return (lo, hi)


def gap_tests(y_true: Any, y_pred: Any, sensitive_features: Any, metrics: list[str], *, n_boot: int = 1000,
              seed: int | None = 0, method: str = "percentile") -> dict[str, tuple[float, float, float]]:
    """Interval and p-value of "no disparity" per gap, from the same stratified bootstrap (two groups).

    The statistic is the signed difference in the order fixed on the data (:mod:`._estimand`); a ratio
    is tested against parity 1. ``p < 0.05`` exactly when the 95 % interval excludes the parity value.
    """
    data = prepare(y_true, [y_pred], sensitive_features, None)
    names = resolve_metrics(metrics, False)
    rng = np.random.default_rng(seed)
    orientation = orientation_of(data)
    point = _point(data, names, orientation)
    reps, jack = replicates(data, names, n_boot, rng, None, orientation, method == "bca")
    return parity_tests(names, point, reps, jack, method)


def parity_tests(metrics: list[str], point: dict[str, float], reps: dict[str, np.ndarray],
                 jack: dict[str, tuple[np.ndarray, np.ndarray]], method: str) -> dict[str, tuple[float, float, float]]:
    """95 % interval and p-value of "the metric is at parity" (1 for ratios, 0 otherwise) per metric."""
    out = {}
    for m in metrics:
        parity = 1.0 if m.endswith("_ratio") else 0.0
        shifted = None if m not in jack else (jack[m][0] - parity, jack[m][1])
        lo, hi, p = inference(reps[m] - parity, point[m] - parity, 0.95, method, shifted)
        out[m] = (lo + parity, hi + parity, p)
    return out


def _check_method(method: str) -> None:
    if method not in ("percentile", "bca"):
        raise InvalidParameterError(f"method must be 'percentile' or 'bca', got {method!r}")


def stratified_bootstrap_ci(y_true: Any, y_pred: Any, sensitive_features: Any, metrics: Any = None, *,
                            y_score: Any = None, n_boot: int = 1000, seed: int | None = 0,
                            method: str = "percentile", level: float = 0.95, stratified: bool = True
                            ) -> dict[str, tuple[float, float]]:
    """Confidence intervals of group metrics by stratified bootstrap.

    With two groups a gap's interval is that of the signed difference between the group with the
    higher observed rate and the other (it may reach below 0); with more groups it is the interval of
    the max - min statistic (see :mod:`fairmend.stats._estimand`). Label-conditioned metrics are
    resampled within group x label strata, the others within groups.

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
    orientation = orientation_of(data)
    point = _point(data, names, orientation)
    reps, jack = replicates(data, names, n_boot, rng, None if stratified else "none", orientation, method == "bca")
    return {m: interval(reps[m], point[m], level, method, jack.get(m)) for m in names}


def paired_bootstrap_ci(y_true: Any, pred_before: Any, pred_after: Any, sensitive_features: Any, metrics: Any = None,
                        *, scores_before: Any = None, scores_after: Any = None, n_boot: int = 1000,
                        seed: int | None = 0, method: str = "percentile", level: float = 0.95
                        ) -> dict[str, tuple[float, float]]:
    """Intervals of the change ``metric(after) - metric(before)``, resampling rows with both predictions.

    Same stratification and methods as :func:`stratified_bootstrap_ci`; each resampled row carries its
    baseline and intervention prediction, so the interval reflects the pairing. With two groups the
    change is that of the signed difference in the group order fixed on ``pred_before``.
    """
    _check_method(method)
    check_level(level)
    check_positive("n_boot", n_boot)
    data = prepare(y_true, [pred_before, pred_after], sensitive_features, [scores_before, scores_after],
                   ("pred_before", "pred_after"), ("scores_before", "scores_after"))
    names = resolve_metrics(metrics, data.scores is not None)
    rng = np.random.default_rng(seed)
    orientation = orientation_of(data)
    point = _point(data, names, orientation)
    reps, jack = replicates(data, names, n_boot, rng, None, orientation, method == "bca")
    return {m: interval(reps[m], point[m], level, method, jack.get(m)) for m in names}

"""Public metric functions: :func:`summarize`, :func:`group_table`, :func:`fairness_report`."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from fairmend.errors import InvalidParameterError, SmallGroupWarning
from fairmend.metrics import _scores
from fairmend.metrics._counts import (
    COUNT_FAIRNESS,
    COUNT_PERFORMANCE,
    confusion_counts,
    evaluate_counts,
    group_rates,
)
from fairmend.metrics._encode import GroupCodes, as_binary, as_scores, check_lengths, encode_groups

FAIRNESS_METRICS: tuple[str, ...] = (*COUNT_FAIRNESS, "ece_difference")
PERFORMANCE_METRICS: tuple[str, ...] = ("accuracy", "balanced_accuracy", "f1", "selection_rate", "roc_auc", "brier", "ece")
SCORE_ONLY: frozenset[str] = frozenset(_scores.SCORE_METRICS)
_HIGHER_IS_BETTER = frozenset({"disparate_impact_ratio", "equal_opportunity_ratio", "equalized_odds_ratio",
                               "accuracy", "balanced_accuracy", "f1", "roc_auc"})
_NEUTRAL = frozenset({"selection_rate"})


def higher_is_better(metric: str) -> bool:
    """Whether larger values of ``metric`` are better (ratios, accuracy, AUC) or worse (gaps, errors).

    ``selection_rate`` has no better direction; it is reported as ``True``.
    """
    if metric not in FAIRNESS_METRICS and metric not in PERFORMANCE_METRICS:
        raise InvalidParameterError(f"unknown metric {metric!r}; known: {', '.join(FAIRNESS_METRICS + PERFORMANCE_METRICS)}")
    return metric in _HIGHER_IS_BETTER or metric in _NEUTRAL


def available_metrics(with_scores: bool) -> list[str]:
    names = list(FAIRNESS_METRICS) + list(PERFORMANCE_METRICS)
    return [m for m in names if with_scores or m not in SCORE_ONLY]


def _prepare(y_true: Any, y_pred: Any, sensitive_features: Any, y_score: Any = None
             ) -> tuple[np.ndarray, np.ndarray, GroupCodes, np.ndarray | None]:
    y = as_binary(y_true, "y_true")
    pred = as_binary(y_pred, "y_pred")
    check_lengths(len(y), y_pred=pred)
    groups = encode_groups(sensitive_features, len(y))
    score = None if y_score is None else as_scores(y_score, len(y))
    return y, pred, groups, score


def score_metrics(y: np.ndarray, score: np.ndarray, groups: GroupCodes, n_bins: int = _scores.DEFAULT_BINS) -> dict[str, float]:
    bins = _scores.equal_width_bins(score, n_bins)
    group_ece = _scores.batched_group_ece(bins[None], score[None], y[None], n_bins, groups.codes[None], groups.n_groups)[0]
    from fairmend.metrics._counts import gap

    return {
        "roc_auc": _scores.roc_auc(y, score),
        "brier": _scores.brier(y, score),
        "ece": _scores.ece(y, score, n_bins),
        "ece_difference": float(gap(group_ece)),
    }


def summarize(y_true: Any, y_pred: Any, sensitive_features: Any, *, y_score: Any = None) -> dict[str, float]:
    """Every fairness and performance metric, fairness gaps taken over the intersection groups.

    Parameters
    ----------
    y_true, y_pred : array-like of 0/1
        Labels and hard predictions (1 = favourable).
    sensitive_features : array-like, Series or DataFrame
        One protected attribute, or several columns (their observed intersections are the groups).
    y_score : array-like of float in [0, 1], optional
        Predicted probability of the favourable label; adds ``roc_auc``, ``brier``, ``ece`` (10
        equal-width bins) and ``ece_difference`` (max - min group ECE).

    Returns
    -------
    dict of str to float
        Keys are :data:`FAIRNESS_METRICS` and :data:`PERFORMANCE_METRICS` (score metrics only with
        ``y_score``). See :mod:`fairmend.metrics._counts` for the definitions.
    """
    y, pred, groups, score = _prepare(y_true, y_pred, sensitive_features, y_score)
    counts = confusion_counts(groups.codes, y, pred, groups.n_groups)
    names = list(COUNT_FAIRNESS) + list(COUNT_PERFORMANCE)
    out = {k: float(v) for k, v in evaluate_counts(counts, names).items()}
    if score is not None:
        out.update(score_metrics(y, score, groups))
    return out


def group_table(y_true: Any, y_pred: Any, sensitive_features: Any, *, y_score: Any = None,
                min_group_size: int = 30) -> pd.DataFrame:
    """One row per (intersection) group: size, base rate, selection rate, error rates, accuracy.

    Columns: ``group`` (value, or ``"a & b"`` for intersections), one column per protected attribute,
    ``n``, ``base_rate``, ``selection_rate``, ``tpr``, ``fpr``, ``fnr``, ``tnr``, ``ppv``, ``npv``,
    ``accuracy``; with ``y_score`` also ``auc``, ``brier``, ``ece`` (equal-width) and
    ``ece_equal_mass``; and ``small_group`` (``n < min_group_size``). Small groups also raise a
    :class:`~fairmend.errors.SmallGroupWarning`.
    """
    y, pred, groups, score = _prepare(y_true, y_pred, sensitive_features, y_score)
    counts = confusion_counts(groups.codes, y, pred, groups.n_groups)
    extra = None if score is None else group_score_columns(y, score, groups)
    table = table_from_counts(groups, counts, min_group_size=min_group_size, score_columns=extra)
    if table["small_group"].any():
        small = table[table["small_group"]]
        listed = ", ".join(f"{g} ({n} rows)" for g, n in zip(small["group"], small["n"]))
        warnings.warn(f"{len(small)} group(s) under {min_group_size} rows, estimates will be unstable: {listed}",
                      SmallGroupWarning, stacklevel=2)
    return table


def group_score_columns(y: np.ndarray, score: np.ndarray, groups: GroupCodes) -> dict[str, list[float]]:
    """Per-group ``auc``, ``brier``, ``ece`` (equal-width) and ``ece_equal_mass`` of the rows' scores."""
    cols: dict[str, list[float]] = {"auc": [], "brier": [], "ece": [], "ece_equal_mass": []}
    for g in range(groups.n_groups):
        mask = groups.codes == g
        yg, sg = y[mask], score[mask]
        cols["auc"].append(_scores.roc_auc(yg, sg))
        cols["brier"].append(_scores.brier(yg, sg))
        cols["ece"].append(_scores.ece(yg, sg, strategy="uniform"))
        cols["ece_equal_mass"].append(_scores.ece(yg, sg, strategy="quantile"))
    return cols


def table_from_counts(groups: GroupCodes, counts: np.ndarray, *, min_group_size: int = 30,
                      score_columns: dict[str, Any] | None = None) -> pd.DataFrame:
    """:func:`group_table` from the ``(G, 2, 2)`` confusion table (and per-group score columns), without warning."""
    rates = group_rates(counts)
    table = pd.DataFrame({"group": groups.labels})
    if len(groups.columns) > 1:
        for j, column in enumerate(groups.columns):
            table[column] = [key[j] for key in groups.keys]
    table["n"] = rates["n"].astype(np.int64)
    for name in ("base_rate", "selection_rate", "tpr", "fpr", "fnr", "tnr", "ppv", "npv", "accuracy"):
        table[name] = rates[name]
    for name, values in (score_columns or {}).items():
        table[name] = values
    table["small_group"] = table["n"] < min_group_size
    return table


def reliability_diagram(y_true: Any, y_score: Any, sensitive_features: Any = None, *, n_bins: int = 10,
                        strategy: str = "uniform") -> pd.DataFrame:
    """Reliability-diagram data per group: ``group, bin, lower, upper, n, mean_score, fraction_positive``.

    ``strategy`` is ``"uniform"`` (equal-width bins) or ``"quantile"`` (equal-mass bins).
    """
    if strategy not in ("uniform", "quantile"):
        raise InvalidParameterError(f"strategy must be 'uniform' or 'quantile', got {strategy!r}")
    y = as_binary(y_true, "y_true")
    s = as_scores(y_score, len(y))
    if sensitive_features is None:
        return _scores.reliability_table(y, s, n_bins=n_bins, strategy=strategy)
    groups = encode_groups(sensitive_features, len(y))
    return _scores.reliability_table(y, s, n_bins=n_bins, strategy=strategy, groups=groups.codes, labels=groups.labels)


_GAP_RATES = {"demographic_parity_difference": "selection_rate", "equal_opportunity_difference": "tpr",
              "predictive_equality_difference": "fpr", "predictive_parity_difference": "ppv",
              "accuracy_difference": "accuracy"}


def gap_details(table: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """For each rate gap: its value, and the groups with the highest and lowest rate."""
    out: dict[str, dict[str, Any]] = {}
    for metric, rate in _GAP_RATES.items():
        vals = table[rate].to_numpy(dtype=float)
        ok = np.isfinite(vals)
        if ok.sum() < 2:
            out[metric] = {"value": float("nan"), "max_group": None, "min_group": None}
            continue
        idx = np.flatnonzero(ok)
        hi, lo = idx[np.argmax(vals[ok])], idx[np.argmin(vals[ok])]
        out[metric] = {"value": float(vals[hi] - vals[lo]), "rate": rate,
                       "max_group": str(table["group"].iloc[hi]), "max_rate": float(vals[hi]),
                       "min_group": str(table["group"].iloc[lo]), "min_rate": float(vals[lo])}
    tpr_gap, fpr_gap = out["equal_opportunity_difference"], out["predictive_equality_difference"]
    worse = max((tpr_gap, fpr_gap), key=lambda e: e["value"] if np.isfinite(e["value"]) else -np.inf)
    out["equalized_odds_difference"] = {**worse, "value": float(np.fmax(tpr_gap["value"], fpr_gap["value"]))}
    sr = out["demographic_parity_difference"]
    if sr["max_group"] is not None:
        di = sr["min_rate"] / sr["max_rate"] if sr["max_rate"] > 0 else float("nan")
        out["disparate_impact_ratio"] = {"value": di, "four_fifths_rule": bool(di >= 0.8) if np.isfinite(di) else None,
                                         "max_group": sr["max_group"], "min_group": sr["min_group"]}
    return out

"""Permutation tests: paired (before vs after on the same rows) and group (any disparity at all).

Paired test (Good, *Permutation, Parametric and Bootstrap Tests of Hypotheses*, 2005, sec. 3.6):
under the null hypothesis that the baseline and the intervention predictions are exchangeable on each
row, swapping the two predictions of each row with probability 1/2 (labels and groups fixed) leaves
the distribution of ``metric(after) - metric(before)`` unchanged. Shuffling predictions *across* rows
would break the pairing and is not done. p-values use the +1 correction
``(1 + #{T* as extreme as T}) / (1 + n_permutations)`` (Phipson & Smyth, 2010).

The swap test is exact for *exchangeable* predictions, but an intervention that shifts every group's
rate alike is not exchangeable although it leaves the gap unchanged: there the test of the raw change
rejects too often (0.119 instead of 0.05 with four groups, issue 13). :func:`fairmend.stats.compare`
therefore reports the paired bootstrap test, whose p-value agrees with its interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from fairmend.errors import InvalidParameterError
from fairmend.metrics._api import FAIRNESS_METRICS, higher_is_better
from fairmend.metrics._counts import confusion_counts, evaluate_counts, gap
from fairmend.metrics._scores import batched_group_ece, equal_width_bins
from fairmend.stats import _engine
from fairmend.stats._bootstrap import _point
from fairmend.stats._prepare import Prepared, check_positive, prepare, resolve_metrics

_ALTERNATIVES = ("two-sided", "greater", "less")


@dataclass(frozen=True)
class PermutationResult:
    """Observed statistic, permutation p-value and number of permutations."""

    statistic: float
    p_value: float
    n_permutations: int


def p_value(null: np.ndarray, observed: float, alternative: str) -> float:
    """Permutation p-value with the +1 correction; NaN null statistics count as not extreme."""
    if not np.isfinite(observed):
        return float("nan")
    tol = 1e-12 * max(1.0, abs(observed))
    with np.errstate(invalid="ignore"):
        if alternative == "two-sided":
            extreme = np.abs(null) >= abs(observed) - tol
        elif alternative == "greater":
            extreme = null >= observed - tol
        else:
            extreme = null <= observed + tol
    return float((1 + np.sum(extreme)) / (1 + len(null)))


def swap_null(data: Prepared, metrics: list[str], n_permutations: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Null distributions of ``metric(b) - metric(a)`` under random within-row swaps."""
    count_m = [m for m in metrics if _engine.is_count_metric(m)]
    score_m = [m for m in metrics if not _engine.is_count_metric(m)]
    out: dict[str, np.ndarray] = {}
    if count_m:
        pc = _engine.pattern_counts(data.g, data.y, data.preds, data.n_groups)
        ca, cb = _engine.swap_counts(pc, n_permutations, rng)
        out.update(_engine.count_values([ca, cb], count_m))
    if score_m:
        sd = _engine.ScoreData(data.y, data.g, data.n_groups, data.scores)
        parts: dict[str, list[np.ndarray]] = {m: [] for m in score_m}
        for swap in _engine.swap_chunks(len(data.y), n_permutations, rng):
            for m, v in sd.values(score_m, swap=swap).items():
                parts[m].append(v)
        out.update({m: np.concatenate(v) for m, v in parts.items()})
    return out


def _check_alternative(alternative: str) -> None:
    if alternative not in _ALTERNATIVES:
        raise InvalidParameterError(f"alternative must be one of {_ALTERNATIVES}, got {alternative!r}")


def paired_permutation_test(y_true: Any, pred_a: Any, pred_b: Any, sensitive_features: Any, metric: str, *,
                            scores_a: Any = None, scores_b: Any = None, n_permutations: int = 10000,
                            seed: int | None = 0, alternative: str = "two-sided") -> PermutationResult:
    """Paired permutation test of ``metric(pred_b) - metric(pred_a)`` on the same rows.

    Parameters
    ----------
    y_true : array-like of 0/1
    pred_a, pred_b : array-like of 0/1
        Baseline and intervention predictions of the same rows.
    sensitive_features : array-like, Series or DataFrame
    metric : str
        A metric name; score metrics need ``scores_a`` and ``scores_b`` (swapped together with the
        predictions).
    n_permutations : int
    seed : int or None
    alternative : {"two-sided", "greater", "less"}
        ``"greater"``: the metric is larger under ``pred_b``.

    Returns
    -------
    PermutationResult
        ``statistic`` = observed ``metric(b) - metric(a)``.
    """
    _check_alternative(alternative)
    check_positive("n_permutations", n_permutations)
    data = prepare(y_true, [pred_a, pred_b], sensitive_features, [scores_a, scores_b],
                   ("pred_a", "pred_b"), ("scores_a", "scores_b"))
    (name,) = resolve_metrics([metric], data.scores is not None)
    observed = _point(data, [name])[name]
    null = swap_null(data, [name], n_permutations, np.random.default_rng(seed))[name]
    return PermutationResult(observed, p_value(null, observed, alternative), int(n_permutations))


def group_permutation_test(y_true: Any, y_pred: Any, sensitive_features: Any, metric: str = "demographic_parity_difference",
                           *, y_score: Any = None, n_permutations: int = 2000, seed: int | None = 0,
                           stratify: str | None = None) -> PermutationResult:
    """Test "is there any disparity at all": permute group membership across rows.

    The statistic is the fairness metric itself; the null distribution comes from shuffling the group
    codes. ``stratify`` chooses where (default ``None``: by metric, so the null matches its criterion):

    * ``"none"``: across all rows (demographic parity, disparate impact, accuracy and ECE gaps): groups
      independent of everything.
    * ``"label"``: within label strata (TPR/FPR/FNR gaps, equalized odds): groups independent of the
      predictions given the label; each group keeps its base rate.
    * ``"prediction"``: within prediction strata (PPV/NPV gaps): groups independent of the label given
      the prediction.

    For ratio metrics small values are extreme; for gaps large values are. p-values use the +1
    correction. The entropy indices do not depend on groups and are refused.
    """
    return group_permutation_tests(y_true, y_pred, sensitive_features, [metric], y_score=y_score,
                                   n_permutations=n_permutations, seed=seed, stratify=stratify)[metric]


_STRATA_OF = {
    "demographic_parity_difference": "none", "disparate_impact_ratio": "none", "accuracy_difference": "none",
    "ece_difference": "none", "predictive_parity_difference": "prediction", "npv_difference": "prediction",
}
_NOT_GROUPED = frozenset({"generalized_entropy_index", "theil_index"})


def group_permutation_tests(y_true: Any, y_pred: Any, sensitive_features: Any, metrics: list[str], *,
                            y_score: Any = None, n_permutations: int = 2000, seed: int | None = 0,
                            stratify: str | None = None) -> dict[str, PermutationResult]:
    """:func:`group_permutation_test` for several metrics, sharing the permutations."""
    check_positive("n_permutations", n_permutations)
    for metric in metrics:
        if metric not in FAIRNESS_METRICS or metric in _NOT_GROUPED:
            raise InvalidParameterError(f"group_permutation_test needs a group fairness metric, got {metric!r}")
    if stratify not in (None, "none", "label", "prediction"):
        raise InvalidParameterError(f"stratify must be None, 'none', 'label' or 'prediction', got {stratify!r}")
    data = prepare(y_true, [y_pred], sensitive_features, None if y_score is None else [y_score])
    metrics = resolve_metrics(metrics, data.scores is not None)
    observed = _point(data, metrics)
    rng = np.random.default_rng(seed)
    by_mode: dict[str, list[str]] = {}
    for m in metrics:
        mode = _STRATA_OF.get(m, "label") if stratify is None else stratify
        by_mode.setdefault(mode, []).append(m)
    out = {}
    for mode, names in by_mode.items():
        null = _group_null(data, names, n_permutations, rng, mode)
        for m in names:
            alternative = "less" if higher_is_better(m) else "greater"
            out[m] = PermutationResult(observed[m], p_value(null[m], observed[m], alternative), int(n_permutations))
    return {m: out[m] for m in metrics}


def _group_null(data: Prepared, metrics: list[str], n_permutations: int, rng: np.random.Generator,
                stratify: str) -> dict[str, np.ndarray]:
    n, G = len(data.y), data.n_groups
    strata = {"label": data.y, "prediction": data.preds[0]}.get(stratify, np.zeros(n, dtype=np.int64))
    order = np.argsort(strata, kind="stable")
    pieces = np.split(order, np.flatnonzero(np.diff(strata[order])) + 1)
    count_m = [m for m in metrics if _engine.is_count_metric(m)]
    out: dict[str, np.ndarray] = {}
    if count_m:
        counts = confusion_counts(data.g, data.y, data.preds[0], G)
        out.update(evaluate_counts(permuted_counts(counts, stratify, n_permutations, rng), count_m))
    if "ece_difference" in metrics:  # needs the rows: shuffle group codes in chunks
        bins = equal_width_bins(data.scores[0])
        parts = []
        for b in _chunk_sizes(n, n_permutations):
            gp = np.empty((b, n), dtype=np.int64)
            for rows in pieces:
                gp[:, rows] = rng.permuted(np.broadcast_to(data.g[rows], (b, len(rows))), axis=1)
            s = np.broadcast_to(data.scores[0], (b, n))
            yy = np.broadcast_to(data.y, (b, n))
            parts.append(gap(batched_group_ece(np.broadcast_to(bins, (b, n)), s, yy, 10, gp, G)))
        out["ece_difference"] = np.concatenate(parts)
    return out


def _mv_hypergeometric(colors: np.ndarray, nsample: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One multivariate hypergeometric draw per row of ``colors`` ``(B, G)``, by sequential marginals."""
    out = np.zeros_like(colors)
    rest = colors.sum(axis=1)
    left = nsample.copy()
    for g in range(colors.shape[1] - 1):
        rest = rest - colors[:, g]
        k = rng.hypergeometric(colors[:, g], rest, left)
        out[:, g] = k
        left = left - k
    out[:, -1] = left
    return out


def permuted_counts(counts: np.ndarray, stratify: str, n_permutations: int, rng: np.random.Generator) -> np.ndarray:
    """Count arrays ``(B, G, 2, 2)`` after shuffling group codes within strata, drawn exactly from ``counts``.

    ``counts`` is the ``(G, 2, 2)`` table of the data; strata are the labels (``"label"``), the
    predictions (``"prediction"``) or all rows (``"none"``). Shuffling the group codes of a stratum's rows
    makes the (group x row type) table, with row type = (label, prediction), multivariate hypergeometric
    given its margins; it is drawn type by type. Only the table is needed, so an aggregated table of any
    size gives the same draws as its rows.
    """
    table = np.asarray(counts, dtype=np.int64)
    G = table.shape[0]
    out = np.zeros((n_permutations, G, 2, 2))
    by_type = table.reshape(G, 4)  # type t = label * 2 + prediction
    members = {"label": [(0, 1), (2, 3)], "prediction": [(0, 2), (1, 3)], "none": [(0, 1, 2, 3)]}[stratify]
    for stratum in members:
        types = [t for t in stratum if by_type[:, t].sum() > 0]
        if not types:
            continue
        pool = np.tile(by_type[:, list(stratum)].sum(axis=1), (n_permutations, 1))
        for i, t in enumerate(types):
            n_t = int(by_type[:, t].sum())
            if i == len(types) - 1:
                drawn = pool
            else:
                drawn = _mv_hypergeometric(pool, np.full(n_permutations, n_t, dtype=np.int64), rng)
                pool = pool - drawn
            out[:, :, t // 2, t % 2] += drawn
    return out


def _chunk_sizes(n: int, total: int) -> list[int]:
    step = _engine.chunk_size(n, total, bytes_per_cell=48)
    return [min(step, total - i) for i in range(0, total, step)]

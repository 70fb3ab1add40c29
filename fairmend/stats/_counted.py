"""Intervals and tests of count metrics from the per-group confusion table alone.

Every count metric, its stratified bootstrap and its group-permutation null depend on the data only
through the ``(G, 2, 2)`` table ``counts[group, label, prediction]`` (see :mod:`fairmend.stats._engine`):
bootstrap resamples are multinomial draws of each stratum's cells and permutations are multivariate
hypergeometric draws of the group x row-type table. These functions take that table, so a table
aggregated over partitions of any size (``fairmend audit --engine dask``) gives exactly the draws, and
hence the intervals and p-values, of the rows it summarises. They make the same random calls in the same
order as :func:`~fairmend.stats._bootstrap.gap_tests`, :func:`~fairmend.stats.stratified_bootstrap_ci`
and :func:`~fairmend.stats.group_permutation_tests` (a test holds them equal).
"""

from __future__ import annotations

import numpy as np

from fairmend.metrics._api import higher_is_better
from fairmend.metrics._counts import evaluate_counts
from fairmend.stats import _engine
from fairmend.stats._bootstrap import interval, parity_tests
from fairmend.stats._estimand import Orientation, strata_of_metric
from fairmend.stats._permutation import _STRATA_OF, PermutationResult, p_value, permuted_counts


def _replicates(
    counts: np.ndarray, labels: list[str], metrics: list[str], n_boot: int, seed: int | None, method: str
) -> tuple[dict[str, float], dict[str, np.ndarray], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Point values, bootstrap replicates and (BCa) jackknife values, drawn as ``replicates`` draws them."""
    table = np.asarray(counts, dtype=float)
    orientation = Orientation.from_counts(table, labels)
    rng = np.random.default_rng(seed)
    pc = np.asarray(counts, dtype=np.int64).reshape(2 * table.shape[0], 2)  # (group x label, prediction)
    point = {m: float(v[0]) for m, v in _engine.count_values([table[None]], metrics, orientation).items()}
    schemes: dict[str, list[str]] = {}
    for m in metrics:
        schemes.setdefault(strata_of_metric(m), []).append(m)
    reps: dict[str, np.ndarray] = {}
    for scheme, names in schemes.items():
        draws = _engine.bootstrap_counts(pc, 1, n_boot, rng, scheme)
        reps.update(_engine.count_values(draws, names, orientation))
    jack: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    if method == "bca":
        jcounts, jw = _engine.jackknife_counts(pc, 1)
        jack = {m: (v, jw) for m, v in _engine.count_values(jcounts, metrics, orientation).items()}
    return point, reps, jack


def table_gap_tests(
    counts: np.ndarray,
    labels: list[str],
    metrics: list[str],
    *,
    n_boot: int = 1000,
    seed: int | None = 0,
    method: str = "percentile",
) -> dict[str, tuple[float, float, float]]:
    """Two groups: interval and p-value of "no disparity" per gap from one stratified bootstrap."""
    point, reps, jack = _replicates(counts, labels, metrics, n_boot, seed, method)
    return parity_tests(metrics, point, reps, jack, method)


def table_bootstrap_ci(
    counts: np.ndarray,
    labels: list[str],
    metrics: list[str],
    *,
    n_boot: int = 1000,
    seed: int | None = 0,
    method: str = "percentile",
    level: float = 0.95,
) -> dict[str, tuple[float, float]]:
    """Stratified bootstrap intervals of count metrics (signed two-group forms with two groups)."""
    point, reps, jack = _replicates(counts, labels, metrics, n_boot, seed, method)
    return {m: interval(reps[m], point[m], level, method, jack.get(m)) for m in metrics}


def table_permutation_tests(
    counts: np.ndarray, metrics: list[str], *, n_permutations: int = 2000, seed: int | None = 0
) -> dict[str, PermutationResult]:
    """Group-permutation test of each count fairness metric ("any disparity at all")."""
    table = np.asarray(counts, dtype=float)
    observed = {m: float(v) for m, v in evaluate_counts(table, metrics).items()}
    rng = np.random.default_rng(seed)
    by_mode: dict[str, list[str]] = {}
    for m in metrics:
        by_mode.setdefault(_STRATA_OF.get(m, "label"), []).append(m)
    out = {}
    for mode, names in by_mode.items():
        null = evaluate_counts(permuted_counts(table, mode, n_permutations, rng), names)
        for m in names:
            alternative = "less" if higher_is_better(m) else "greater"
            out[m] = PermutationResult(
                observed[m], p_value(null[m], observed[m], alternative), int(n_permutations)
            )
    return {m: out[m] for m in metrics}


def table_change_ci(
    reference: np.ndarray,
    current: np.ndarray,
    metrics: list[str],
    *,
    n_boot: int = 200,
    seed: int | None = 0,
    alpha: float = 0.05,
) -> dict[str, tuple[float, float, float, float, float]]:
    """Change of count metrics between two windows' ``(G, 2, 2)`` tables with a percentile interval.

    Each window is resampled as a plain row bootstrap resamples it (a multinomial over all its cells,
    :func:`~fairmend.stats._engine.bootstrap_counts` with ``stratify="none"``), the reference first.
    Returns per metric ``(reference, current, change, ci_low, ci_high)``; replicates whose change is
    undefined (a group without rows, or without positives for a TPR) are left out of the interval.
    """
    rng = np.random.default_rng(seed)
    point, draws = {}, {}
    for name, table in (("reference", reference), ("current", current)):
        t = np.asarray(table, dtype=np.int64)
        point[name] = evaluate_counts(t.astype(float), metrics)
        pc = t.reshape(2 * t.shape[0], 2)
        (boot,) = _engine.bootstrap_counts(pc, 1, n_boot, rng, "none")
        draws[name] = evaluate_counts(boot, metrics)
    out = {}
    for m in metrics:
        ref, cur = float(point["reference"][m]), float(point["current"][m])
        change = draws["current"][m] - draws["reference"][m]
        vals = change[np.isfinite(change)]
        lo, hi = np.quantile(vals, [alpha / 2, 1 - alpha / 2]) if len(vals) else (np.nan, np.nan)
        out[m] = (ref, cur, cur - ref, float(lo), float(hi))
    return out

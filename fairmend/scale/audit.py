"""``fairmend audit --engine dask``: the audit of a table too large for memory, from grouped counts.

One pass reads each partition's protected, outcome and prediction columns and counts its rows per
(protected values, outcome, prediction); the partial tables are summed in a tree. Every number of the
audit (per-group rates, gaps, bootstrap intervals, permutation p-values, Benjamini-Hochberg) is then
computed by :func:`fairmend.stats._audit.scope_from_counts` from the combined table, exactly as the
in-memory audit computes it from the same table of its rows: metrics equal, and with the same seed the
resampled counts, hence intervals and p-values, are the same draws. With ``--scores`` the counts are
kept per score bin with score sums, and the score metrics come from those histograms
(:mod:`fairmend.scale.scores`: Brier and equal-width ECE exact, AUC and equal-mass ECE from 1/1000 bins).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fairmend.errors import DataError, LabelError, SingleGroupError
from fairmend.scale import _sources

COUNT = "__rows__"


def partial_counts(part: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows of one partition per combination of ``keys`` (missing values kept as their own key)."""
    return part.groupby(keys, dropna=False, observed=True, sort=False).size().rename(COUNT).reset_index()


def combine_counts(parts: list[pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    frame = pd.concat(parts, ignore_index=True)
    return frame.groupby(keys, dropna=False, observed=True, sort=False)[COUNT].sum().reset_index()


def grouped_counts(
    data: str, keys: list[str], scheduler: str | None = None, scores: str | None = None
) -> pd.DataFrame:
    """The row count per combination of ``keys`` over every partition of ``data`` (one pass, on Dask); with
    ``scores``, per score bin too, with score sums (:mod:`fairmend.scale.scores`)."""
    import dask

    from fairmend.datasets import to_object_strings
    from fairmend.scale import scores as histograms

    ddf = _sources.dask_frame(data, columns=keys if scores is None else [*keys, scores])
    if scores is None:
        parts = [dask.delayed(partial_counts)(d, keys) for d in ddf.to_delayed()]
        total = _sources.tree_reduce(parts, combine_counts, keys)
    else:
        parts = [dask.delayed(histograms.partial_scores)(d, keys, scores) for d in ddf.to_delayed()]
        total = _sources.tree_reduce(parts, histograms.combine_scores, keys)
    with _sources.scheduler_for(scheduler) as how:
        (table,) = dask.compute(total, **how)
    return to_object_strings(table)


def _check(table: pd.DataFrame, protected: list[str], outcome: str, predictions: str) -> None:
    n = table[COUNT]
    for column in protected:
        missing = table[column].isna()
        if missing.any():
            raise DataError(
                f"protected attribute {column!r} has {int(n[missing].sum())} missing values; "
                "drop or fill them first"
            )
        values = table[column].unique()
        if len(values) < 2:
            raise SingleGroupError(
                f"protected attribute {column!r} has a single group ({values[0]!r}); "
                "at least two groups are needed to measure disparity"
            )
    for column, role in ((outcome, "outcome column"), (predictions, "predictions column")):
        missing = table[column].isna()
        if missing.any():
            raise LabelError(f"{role} {column!r} has {int(n[missing].sum())} missing values")


def counts_table(
    data: str,
    protected: list[str],
    outcome: str,
    predictions: str,
    favourable_label: Any = None,
    scheduler: str | None = None,
    scores: str | None = None,
) -> tuple[pd.DataFrame, Any]:
    """Checked ``protected..., y, pred, n`` table of ``data`` (y and pred 0/1, 1 = favourable; with ``scores``
    also the score-histogram columns) and the favourable label."""
    from fairmend.engine.user_model import to_binary
    from fairmend.validation import binary_outcome, require_column

    header = pd.DataFrame(columns=_sources.dask_columns(data))
    for column, role in [
        *((c, "protected attribute") for c in protected),
        (outcome, "outcome"),
        (predictions, "predictions"),
        *([(scores, "scores")] if scores else []),
    ]:
        require_column(header, column, role)
    if outcome in protected:
        raise DataError(f"column {outcome!r} cannot be both the outcome and a protected attribute")
    keys = list(dict.fromkeys([*protected, outcome, predictions]))
    table = grouped_counts(data, keys, scheduler, scores)
    _check(table, protected, outcome, predictions)
    if scores is not None:
        from fairmend.scale import scores as histograms

        bad = table[histograms.FINE] < 0
        if bad.any():
            raise LabelError(
                f"--scores column {scores!r} must hold probabilities in [0, 1]; "
                f"{int(table.loc[bad, COUNT].sum())} rows hold other values or none"
            )
    y, favourable = binary_outcome(table, outcome, favourable_label)
    labels = set(table[outcome].tolist())
    pred = to_binary(table[predictions].to_numpy(), favourable, f"predictions column {predictions!r}", labels)
    out = table[protected].copy()
    out["__y__"], out["__pred__"], out["__n__"] = y, pred, table[COUNT].to_numpy(dtype=np.int64)
    extra = [c for c in table.columns if c.startswith("__") and c != COUNT]
    out[extra] = table[extra]
    if extra:
        out[COUNT] = table[COUNT]
    return out, favourable


def audit_table(
    table: pd.DataFrame,
    protected: list[str],
    *,
    n_boot: int = 1000,
    n_permutations: int = 2000,
    seed: int = 0,
    ci_method: str = "percentile",
    min_group_size: int = 30,
    alpha: float = 0.05,
) -> dict[str, Any]:
    """The audit document (as :func:`fairmend.stats.audit` returns it) from a :func:`counts_table`."""
    from fairmend.metrics._counts import confusion_counts
    from fairmend.metrics._encode import encode_groups
    from fairmend.stats._audit import assemble, scope_from_counts

    kw = {
        "n_boot": n_boot,
        "n_permutations": n_permutations,
        "seed": seed,
        "ci_method": ci_method,
        "min_group_size": min_group_size,
    }
    y, pred = table["__y__"].to_numpy(), table["__pred__"].to_numpy()
    weights = table["__n__"].to_numpy(dtype=float)
    histogram = None
    if "__fine__" in table.columns:
        from fairmend.scale.scores import ScoreTable

        histogram = ScoreTable(table)

    def groups_of(columns: list[str]) -> Any:
        A = table[columns[0]] if len(columns) == 1 else table[columns]
        return encode_groups(A.reset_index(drop=True), len(table))

    def scope(columns: list[str]) -> dict[str, Any]:
        groups = groups_of(columns)
        counts = confusion_counts(groups.codes, y, pred, groups.n_groups, weights=weights)
        scored = None
        if histogram is not None:
            cols = histogram.group_columns(groups.codes, groups.n_groups)
            scored = (histogram.metrics(cols["ece"]), cols)
        return scope_from_counts(groups, counts, scored, **kw)

    reliability = None
    if histogram is not None:
        every = groups_of(protected)
        reliability = histogram.reliability(np.asarray(every.labels, dtype=object)[every.codes])
    return assemble(scope, protected, int(weights.sum()), reliability, alpha=alpha, **kw)


def audit_partitions(
    data: str,
    protected: list[str],
    outcome: str,
    predictions: str,
    *,
    favourable_label: Any = None,
    scores: str | None = None,
    scheduler: str | None = None,
    **options: Any,
) -> tuple[dict[str, Any], Any]:
    """Audit the predictions column of a partitioned table on Dask: the audit and the favourable label."""
    from fairmend.validation import warn_small_groups

    table, favourable = counts_table(
        data, protected, outcome, predictions, favourable_label, scheduler, scores
    )
    size = options.get("min_group_size", 30)
    for column in protected:
        warn_small_groups(f"protected attribute {column!r}", table.groupby(column)["__n__"].sum(), size)
    if len(protected) > 1:
        joint = table.groupby(protected)["__n__"].sum()
        warn_small_groups(f"intersection of {' x '.join(repr(c) for c in protected)}", joint, size)
    return audit_table(table, protected, **options), favourable

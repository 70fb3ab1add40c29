"""``fairmend monitor --reference … --current … --engine dask``: the two-table comparison of tables too
large for memory.

The fairness gaps and their bootstrap interval come from each table's row counts per (protected values,
decision, label), one grouped count per partition (:func:`fairmend.scale.audit.grouped_counts`), and equal
the in-memory comparison's (the catalog monitor resamples the same count tables,
:func:`~fairmend.catalog.techniques.monitoring.fairness.gap_changes`). The drift tests run on a seeded
uniform sample of at most ``sample_rows`` rows of each table, drawn as :mod:`fairmend.monitoring.counted`
draws a window's; a table with no more rows is tested whole, in the order the in-memory form reads it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fairmend.errors import ColumnNotFoundError, DataError
from fairmend.monitoring import counted as C


def _sample_all(
    part: pd.DataFrame, index: int, columns: list[str], cut: float, k: int, seed: int
) -> pd.DataFrame:
    key = np.random.default_rng([seed, index]).random(len(part))
    inside = np.flatnonzero(key < cut)
    rows = part.iloc[inside][columns].assign(**{C.KEY: key[inside], C.PART: index, C.WIN: 0, C.POS: inside})
    return C._bottom(rows, k)


def _sample(data: str, columns: list[str], n: int, k: int, seed: int, how: dict[str, Any]) -> pd.DataFrame:
    import dask

    from fairmend.datasets import to_object_strings
    from fairmend.scale import _sources

    cut = C._cut(n, k)
    parts = [
        dask.delayed(_sample_all)(d, i, columns, cut, k, seed)
        for i, d in enumerate(_sources.dask_frame(data, columns).to_delayed())
    ]
    (rows,) = C._compute(how, _sources.tree_reduce(parts, C._combine_samples, k))
    rows = rows.sort_values([C.PART, C.POS], kind="stable").drop(columns=[C.KEY, C.PART, C.POS, C.WIN])
    return to_object_strings(rows.reset_index(drop=True))


def _fairness(
    tables: dict[str, pd.DataFrame],
    protected: list[str],
    outcome: str | None,
    predictions: str | None,
    threshold: float,
    seed: int,
) -> dict[str, Any]:
    from fairmend.catalog.contracts import group_labels
    from fairmend.catalog.techniques.monitoring.fairness import (
        FairnessMetricMonitoring,
        _binary,
        count_table,
        gap_changes,
    )
    from fairmend.scale.audit import COUNT

    monitor = FairnessMetricMonitoring(threshold=threshold, seed=seed)  # its defaults: n_boot, alpha
    decided = predictions or outcome
    counts, sizes = {}, {}
    for name, t in tables.items():
        g = np.unique(group_labels(t[protected]), return_inverse=True)[1]
        if len(np.unique(g)) < 2:
            raise DataError(f"the {name} window has a single group of {', '.join(protected)}")
        pred = _binary(t[decided], decided)
        y = _binary(t[outcome], outcome) if (predictions and outcome) else None
        counts[name] = count_table(g, pred, y, t[COUNT].to_numpy(dtype=float))
        sizes[name] = int(t[COUNT].sum())
    rows = gap_changes(
        counts["reference"], counts["current"], bool(predictions and outcome),
        threshold=threshold, n_boot=monitor.n_boot, alpha=monitor.alpha, seed=seed,
    )  # fmt: skip
    alerts = [r["metric"] for r in rows if r["alert"]]
    return {
        "audited": "predictions" if predictions else "labels",
        "n_reference": sizes["reference"],
        "n_current": sizes["current"],
        "threshold": threshold,
        "alerts": alerts,
        "any_alert": bool(alerts),
        "metrics": {r["metric"]: {k: v for k, v in r.items() if k != "metric"} for r in rows},
    }


def _require(headers: dict[str, list[str]], protected: list[str], *columns: str | None) -> list[str]:
    """The columns both tables hold, after checking the named ones are in each."""
    for col in [*protected, *columns]:
        for name, cols in headers.items():
            if col is not None and col not in cols:
                raise ColumnNotFoundError(f"column {col!r} is not in the {name} data")
    return [c for c in headers["current"] if c in headers["reference"]]


def _report(
    rows: dict[str, pd.DataFrame], columns: list[str], n: dict[str, int], alpha: float, seed: int,
    fairness: dict[str, Any] | None,
) -> dict[str, Any]:  # fmt: skip
    from fairmend.catalog.techniques.monitoring.drift import MMDDriftTest, drift_table

    table = drift_table(rows["reference"], rows["current"], columns, alpha)
    mmd = MMDDriftTest(reference=rows["reference"], columns=",".join(columns), seed=seed).run(rows["current"])
    report: dict[str, Any] = {
        "n_reference": n["reference"],
        "n_current": n["current"],
        "alpha": alpha,
        "drift": table.to_dict(orient="records"),
        "mmd": mmd.summary,
        "alerts": [f"drift:{c}" for c in table.loc[table["alert"], "column"]]
        + (["drift:mmd"] if mmd.summary["alert"] else []),
    }
    if fairness is not None:
        report["fairness"] = fairness
        report["alerts"] += [f"fairness:{m}" for m in fairness["alerts"]]
    report["any_alert"] = bool(report["alerts"])
    return report


def monitor_report(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    *,
    protected: list[str],
    outcome: str | None,
    predictions: str | None,
    alpha: float = 0.05,
    threshold: float = 0.05,
    seed: int = 0,
) -> dict[str, Any]:
    """Feature drift table (KS / chi-square / PSI), MMD and, with a protected attribute, fairness drift, of
    two tables in memory (``fairmend monitor --reference … --current …``)."""
    from fairmend.catalog.techniques.monitoring.fairness import FairnessMetricMonitoring

    rows = {"reference": reference, "current": current}
    columns = _require({k: list(v.columns) for k, v in rows.items()}, protected, outcome, predictions)
    fairness = None
    if protected and (outcome or predictions):
        fairness = (
            FairnessMetricMonitoring(reference=reference, threshold=threshold, seed=seed)
            .run(current, protected=protected, outcome=outcome, predictions=predictions)
            .summary
        )
    return _report(rows, columns, {k: len(v) for k, v in rows.items()}, alpha, seed, fairness)


def compare_partitions(
    reference: str, current: str, *, scheduler: str | None = None, sample_rows: int = 200_000, **options: Any
) -> dict[str, Any]:
    """:func:`monitor_report` for two tables given as files, globs or folders of partitions, on Dask
    (``options``: its keyword arguments); ``notes`` name a table whose drift was tested on a sample."""
    from fairmend.scale import _sources
    from fairmend.scale.audit import COUNT, grouped_counts

    protected, outcome, predictions = options["protected"], options["outcome"], options["predictions"]
    seed = options.get("seed", 0)
    data = {"reference": reference, "current": current}
    columns = _require(
        {k: _sources.dask_columns(v) for k, v in data.items()}, protected, outcome, predictions
    )
    fair = bool(protected and (outcome or predictions))
    keys = list(dict.fromkeys([*protected, *(c for c in (predictions, outcome) if c)]))
    tables = {name: grouped_counts(path, keys, scheduler) for name, path in data.items()} if fair else {}
    with _sources.scheduler_for(scheduler) as how:
        if fair:
            n = {name: int(t[COUNT].sum()) for name, t in tables.items()}
        else:
            import dask

            lengths = {
                name: [dask.delayed(len)(d) for d in _sources.dask_frame(path, columns[:1]).to_delayed()]
                for name, path in data.items()
            }
            (counted,) = C._compute(how, lengths)
            n = {name: int(sum(v)) for name, v in counted.items()}
        rows = {name: _sample(path, columns, n[name], sample_rows, seed, how) for name, path in data.items()}
    threshold = options.get("threshold", 0.05)
    fairness = _fairness(tables, protected, outcome, predictions, threshold, seed) if fair else None
    report = _report(rows, columns, n, options.get("alpha", 0.05), seed, fairness)
    report["notes"] = [
        f"drift tests of the {name} table on a uniform sample of {len(rows[name]):,} of its {n[name]:,} rows"
        for name in data
        if len(rows[name]) < n[name]
    ]
    return report

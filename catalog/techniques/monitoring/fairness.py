"""Fairness-metric drift between a reference and a current window (windowed recomputation with
alert thresholds, in the spirit of Ghosh, Shanbhag & Wilson 2022, *FairCanary*, AIES).

The demographic-parity gap (max − min selection rate of the predictions, or of the outcome when no
predictions are given) and, with both outcome and predictions, the equal-opportunity gap (max − min
true-positive rate) are computed in both windows. A metric alerts when its change exceeds
``threshold`` *and* the percentile-bootstrap interval of the change excludes 0.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import AnalysisResult, group_labels
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.monitoring._common import require, windows

from fairmend.errors import DataError


def _binary(values: pd.Series, name: str) -> np.ndarray:
    v = pd.Series(values)
    if v.isna().any():
        raise DataError(f"column {name!r} has missing values")
    uniq = set(v.unique().tolist())
    if not uniq <= {0, 1}:
        from fairmend.validation import validate  # reuse the favourable-label rule on text labels

        frame = pd.DataFrame({name: v.to_numpy(), "_g": 0})
        frame.loc[frame.index[0], "_g"] = 1
        return np.asarray(validate(frame, protected=["_g"], outcome=name, min_group_size=0).y, dtype=int)
    return v.astype(int).to_numpy()


def gaps(groups: np.ndarray, pred: np.ndarray, y: np.ndarray | None) -> dict[str, float]:
    """``dp_gap`` and, with labels, ``eo_gap`` (max − min over groups)."""
    out = {}
    rates = [pred[groups == g].mean() for g in np.unique(groups)]
    out["dp_gap"] = float(max(rates) - min(rates))
    if y is not None:
        tprs = [
            pred[(groups == g) & (y == 1)].mean()
            for g in np.unique(groups)
            if ((groups == g) & (y == 1)).any()
        ]
        out["eo_gap"] = float(max(tprs) - min(tprs)) if len(tprs) > 1 else float("nan")
    return out


METRICS = {"dp_gap": "demographic_parity_difference", "eo_gap": "equal_opportunity_difference"}


def count_table(
    groups: np.ndarray, pred: np.ndarray, y: np.ndarray | None, weights: Any = None
) -> np.ndarray:
    """``(G, 2, 2)`` rows per group x label x decision (label 0 throughout when ``y`` is None)."""
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    label = np.zeros(len(groups), dtype=np.int64) if y is None else np.asarray(y, dtype=np.int64)
    cell = (np.asarray(groups, dtype=np.int64) * 2 + label) * 2 + np.asarray(pred, dtype=np.int64)
    counts = np.bincount(cell, weights=weights, minlength=4 * n_groups)
    return np.rint(counts).astype(np.int64).reshape(n_groups, 2, 2)


def gap_changes(
    reference: np.ndarray,
    current: np.ndarray,
    labelled: bool,
    *,
    threshold: float,
    n_boot: int,
    alpha: float = 0.05,
    seed: int = 0,
) -> list[dict[str, Any]]:
    """``dp_gap`` (and with labels ``eo_gap``) in two windows given as ``(G, 2, 2)`` count tables, the
    change with its percentile-bootstrap interval (each window resampled as a row bootstrap resamples
    it, from its counts) and whether it alerts. The monitor computes it from the rows' counts, and
    ``fairmend monitor run --engine dask`` from counts aggregated over partitions: the same numbers."""
    from fairmend.stats._counted import table_change_ci

    names = ["dp_gap", *(["eo_gap"] if labelled else [])]
    res = table_change_ci(
        reference, current, [METRICS[k] for k in names], n_boot=n_boot, seed=seed, alpha=alpha
    )
    rows = []
    for k in names:
        ref, cur, change, lo, hi = res[METRICS[k]]
        alert = bool(abs(change) >= threshold and (lo > 0 or hi < 0))
        rows.append(
            {
                "metric": k,
                "reference": ref,
                "current": cur,
                "change": change,
                "ci_low": lo,
                "ci_high": hi,
                "alert": alert,
            }
        )
    return rows


class FairnessMetricMonitoring:
    """Reference-vs-current drift of fairness gaps with bootstrap intervals and alert thresholds.

    Parameters
    ----------
    reference : str, optional
        Reference data file; default: the first ``reference_fraction`` of the rows.
    reference_fraction : float, default 0.5
    threshold : float, default 0.05
        Minimum absolute change of a gap that can alert.
    n_boot : int, default 200
    alpha : float, default 0.05
    seed : int, default 0
    """

    technique = "fairness_metric_monitoring"

    def __init__(
        self,
        reference: Annotated[str | None, Param("Reference data file")] = None,
        reference_fraction: Annotated[float, Param("Reference share when no file", range=(0.05, 0.95))] = 0.5,
        threshold: Annotated[float, Param("Minimum gap change that alerts", range=(0.0, 1.0))] = 0.05,
        n_boot: Annotated[int, Param("Bootstrap replicates", range=(20.0, 5000.0))] = 200,
        alpha: Annotated[float, Param("1 - interval level", range=(0.0001, 0.5))] = 0.05,
        seed: Annotated[int, Param("Seed", range=(0.0, 2147483647.0))] = 0,
    ) -> None:
        self.reference = reference
        self.reference_fraction = reference_fraction
        self.threshold = threshold
        self.n_boot = n_boot
        self.alpha = alpha
        self.seed = seed

    def run(
        self,
        data: pd.DataFrame,
        *,
        protected: Any,
        outcome: str | None = None,
        predictions: Any = None,
        scores: Any = None,
    ) -> AnalysisResult:
        prot = [protected] if isinstance(protected, str) else list(protected)
        require(data, *prot, outcome, predictions)
        if predictions is None and outcome is None:
            raise DataError("fairness monitoring needs predictions or an outcome column")
        ref, cur = windows(data, self.reference, self.reference_fraction)

        def arrays(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
            # integer codes: the gaps only compare groups within a window, and the bootstrap's np.unique
            # and == on codes are many times faster than on the label strings
            g = np.unique(group_labels(frame[prot]), return_inverse=True)[1]
            pred = _binary(frame[predictions if predictions else outcome], predictions or outcome)
            y = _binary(frame[outcome], outcome) if (predictions and outcome) else None
            return g, pred, y

        w = {name: arrays(f) for name, f in (("reference", ref), ("current", cur))}
        for name, (g, _, _) in w.items():
            if len(np.unique(g)) < 2:
                raise DataError(f"the {name} window has a single group of {', '.join(prot)}")
        labelled = w["reference"][2] is not None
        counts = {name: count_table(*arr) for name, arr in w.items()}
        rows = gap_changes(
            counts["reference"],
            counts["current"],
            labelled,
            threshold=self.threshold,
            n_boot=self.n_boot,
            alpha=self.alpha,
            seed=self.seed,
        )
        table = pd.DataFrame(rows)
        summary = {
            "audited": "predictions" if predictions else "labels",
            "n_reference": len(ref),
            "n_current": len(cur),
            "threshold": self.threshold,
            "alerts": table.loc[table["alert"], "metric"].tolist(),
            "any_alert": bool(table["alert"].any()),
            "metrics": {r["metric"]: {k: v for k, v in r.items() if k != "metric"} for r in rows},
        }
        return AnalysisResult(technique=self.technique, summary=summary, tables={"fairness_drift": table})


__all__ = ["FairnessMetricMonitoring", "count_table", "gap_changes", "gaps"]

"""Measurements the pipeline's gates read: per-attribute targets, intersectional gaps, ECE, integrity."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fairmend.errors import SmallGroupWarning
from fairmend.metrics import group_table, summarize


@dataclass
class Snapshot:
    """Everything one fitted stack scores on the test split."""

    overall: dict[str, float]
    per_attribute: dict[str, dict[str, float]]
    intersectional: dict[str, float]
    groups: list[dict[str, Any]]
    group_ece: dict[str, float] = field(default_factory=dict)
    small_groups: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return float(self.overall["accuracy"])

    def worst(self, metric: str, *, higher_is_better: bool) -> float:
        values = [m[metric] for m in self.per_attribute.values() if metric in m]
        return min(values) if higher_is_better else max(values)

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall,
            "per_attribute": self.per_attribute,
            "intersectional": self.intersectional,
            "groups": self.groups,
            "group_ece": self.group_ece,
            "small_groups": self.small_groups,
        }


def snapshot(y: np.ndarray, pred: np.ndarray, A: pd.DataFrame, score: np.ndarray | None, *, min_group: int = 30) -> Snapshot:
    """Metrics of one fitted stack. Groups under ``min_group`` test rows are reported but not judged:
    their rates are too noisy for a gate (they are listed in ``small_groups``)."""
    import warnings


    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallGroupWarning)
        overall = summarize(y, pred, A, y_score=score)
        table = group_table(y, pred, A, y_score=score, min_group_size=min_group)
        per_attr: dict[str, dict[str, float]] = {}
        group_ece: dict[str, float] = {}
        small: list[str] = [f"{g} ({n} rows)" for g, n in zip(table["group"], table["n"]) if n < min_group]
        for col in A.columns:
            values = A[col].astype(str).to_numpy()
            sizes = pd.Series(values).value_counts()
            keep = np.isin(values, sizes[sizes >= min_group].index.to_numpy())
            small += [f"{col}={g} ({n} rows)" for g, n in sizes[sizes < min_group].items()]
            if len(set(values[keep])) < 2:
                continue
            s = None if score is None else score[keep]
            per_attr[col] = summarize(y[keep], pred[keep], values[keep], y_score=s)
            if score is not None:
                t = group_table(y[keep], pred[keep], values[keep], y_score=s, min_group_size=min_group)
                if "ece" in t.columns:
                    group_ece.update({f"{col}={g}": float(e) for g, e in zip(t["group"], t["ece"])})
    inter = _intersectional(table, min_group)
    return Snapshot(overall, per_attr, inter, table.to_dict(orient="records"), group_ece, small)


def _intersectional(table: pd.DataFrame, min_group: int) -> dict[str, float]:
    """Selection-rate spread over intersectional groups large enough to judge (seed: technique 109)."""
    big = table[table["n"] >= min_group]
    if len(big) < 2:
        return {"n_groups_judged": float(len(big))}
    rates = big["selection_rate"].to_numpy(dtype=float)
    tpr = big["tpr"].to_numpy(dtype=float)
    tpr = tpr[np.isfinite(tpr)]
    return {
        "n_groups_judged": float(len(big)),
        "n_groups_small": float((table["n"] < min_group).sum()),
        "selection_rate_gap": float(rates.max() - rates.min()),
        "selection_rate_ratio": float(rates.min() / rates.max()) if rates.max() > 0 else 0.0,
        "max_deviation_from_mean": float(np.abs(rates - rates.mean()).max()),
        "tpr_gap": float(tpr.max() - tpr.min()) if len(tpr) > 1 else 0.0,
    }


def ks_integrity(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, float]:
    """Two-sample KS p-value per numeric non-protected feature (seed gate 2: p > 0.05)."""
    from scipy.stats import ks_2samp

    out: dict[str, float] = {}
    for col in before.columns:
        if col not in after.columns or not pd.api.types.is_numeric_dtype(before[col]):
            continue
        a = pd.to_numeric(before[col], errors="coerce").dropna().to_numpy()
        b = pd.to_numeric(after[col], errors="coerce").dropna().to_numpy()
        if len(a) and len(b):
            out[col] = float(ks_2samp(a, b).pvalue)
    return out

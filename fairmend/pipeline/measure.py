"""Measurements the pipeline's gates read: per-attribute targets, intersectional gaps, ECE, integrity."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass
class Snapshot:
    """Everything one fitted stack scores on the test split."""

    overall: dict[str, float]
    per_attribute: dict[str, dict[str, float]]
    intersectional: dict[str, float]
    groups: list[dict[str, Any]]
    group_ece: dict[str, float] = field(default_factory=dict)

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
        }


def snapshot(y: np.ndarray, pred: np.ndarray, A: pd.DataFrame, score: np.ndarray | None, *, min_group: int = 30) -> Snapshot:
    from fairmend.metrics import group_table, summarize

    overall = summarize(y, pred, A, y_score=score)
    per_attr = {col: summarize(y, pred, A[col], y_score=score) for col in A.columns}
    table = group_table(y, pred, A, y_score=score, min_group_size=min_group)
    inter = _intersectional(table, min_group)
    group_ece: dict[str, float] = {}
    if score is not None:
        for col in A.columns:
            t = group_table(y, pred, A[col], y_score=score, min_group_size=min_group)
            if "ece" in t.columns:
                for _, row in t.iterrows():
                    group_ece[f"{col}={row['group']}"] = float(row["ece"])
    return Snapshot(overall, per_attr, inter, table.to_dict(orient="records"), group_ece)


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

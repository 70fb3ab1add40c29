"""Per-group metric tables for the parity audits, computed with fairlearn's ``MetricFrame``.

The audits look at each protected attribute alone and, when there are several, at their
intersection ("views"). Rates with an empty denominator (e.g. TPR of a group without positives) are
NaN and are ignored by the gap statistics.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import group_labels
from fairmend.catalog.techniques.evaluation._common import Audit, check_groups


def _safe(fn: Callable[..., float]) -> Callable[[np.ndarray, np.ndarray], float]:
    def metric(y_true: np.ndarray, y_pred: np.ndarray) -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(fn(y_true, y_pred))

    return metric


def _ratio(num: np.ndarray, den: np.ndarray) -> float:
    d = int(den.sum())
    return float(num.sum() / d) if d else float("nan")


def metric_functions() -> dict[str, Callable[[np.ndarray, np.ndarray], float]]:
    """Confusion-matrix rates by name (fairlearn / scikit-learn implementations)."""
    from fairlearn.metrics import (
        false_negative_rate,
        false_positive_rate,
        selection_rate,
        true_negative_rate,
        true_positive_rate,
    )
    from sklearn.metrics import accuracy_score

    return {
        "selection_rate": _safe(selection_rate),
        "accuracy": _safe(accuracy_score),
        "tpr": _safe(lambda t, p: true_positive_rate(t, p) if (t == 1).any() else np.nan),
        "fpr": _safe(lambda t, p: false_positive_rate(t, p) if (t == 0).any() else np.nan),
        "fnr": _safe(lambda t, p: false_negative_rate(t, p) if (t == 1).any() else np.nan),
        "tnr": _safe(lambda t, p: true_negative_rate(t, p) if (t == 0).any() else np.nan),
        # predictive values: P(y | y_hat), NaN when the group has no such decisions
        "ppv": lambda t, p: _ratio((t == 1) & (p == 1), p == 1),
        "fdr": lambda t, p: _ratio((t == 0) & (p == 1), p == 1),
        "npv": lambda t, p: _ratio((t == 0) & (p == 0), p == 0),
        "for": lambda t, p: _ratio((t == 1) & (p == 0), p == 0),
        "base_rate": lambda t, p: float(np.mean(t)),
    }


def views(audit: Audit) -> list[tuple[str, np.ndarray]]:
    """(name, group label per row) for each protected attribute and their intersection."""
    out = [(a, audit.frame[a].astype(str).to_numpy(dtype=object)) for a in audit.protected]
    if len(audit.protected) > 1:
        out.append(("|".join(audit.protected), group_labels(audit.frame[audit.protected])))
    for name, groups in out:
        check_groups(groups, name)
    return out


def group_table(audit: Audit, groups: np.ndarray, names: list[str]) -> pd.DataFrame:
    """One row per group: ``n`` and the named metrics."""
    from fairlearn.metrics import MetricFrame

    fns = metric_functions()
    frame = MetricFrame(
        metrics={n: fns[n] for n in names},
        y_true=audit.y_true,
        y_pred=audit.y_pred,
        sensitive_features=pd.Series(groups, name="group"),
    )
    table = frame.by_group.reset_index()
    counts = pd.Series(groups).value_counts()
    table.insert(1, "n", table["group"].map(counts).astype(int))
    return table


def gaps(table: pd.DataFrame, metric: str) -> dict[str, float | str | None]:
    """Max - min difference, min / max ratio and the lowest / highest groups of one metric."""
    col = table[metric].astype(float)
    valid = table[col.notna()]
    if len(valid) < 2:
        return {"difference": float("nan"), "ratio": float("nan"), "lowest": None, "highest": None}
    v = valid[metric].astype(float)
    lo, hi = valid.loc[v.idxmin()], valid.loc[v.idxmax()]
    return {
        "difference": float(v.max() - v.min()),
        "ratio": float(v.min() / v.max()) if v.max() > 0 else float("nan"),
        "lowest": str(lo["group"]),
        "highest": str(hi["group"]),
    }

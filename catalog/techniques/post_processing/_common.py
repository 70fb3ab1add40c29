"""Input checks and small numeric helpers shared by the post-processors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import group_labels

from fairmend.errors import DataError, LabelError, NotExecutableError, SingleGroupError

EPS = 1e-6


def check_scores(y_score: Any, *, name: str = "y_score") -> np.ndarray:
    """Scores as a finite 1-D float array in [0, 1] (a 2-D ``predict_proba`` output uses column 1)."""
    arr = np.asarray(y_score, dtype=float)
    if arr.ndim == 2 and arr.shape[1] == 2:
        arr = arr[:, 1]
    arr = arr.ravel()
    if arr.size == 0:
        raise DataError(f"{name} is empty")
    if not np.all(np.isfinite(arr)):
        raise DataError(f"{name} contains missing or infinite values")
    if arr.min() < 0.0 or arr.max() > 1.0:
        raise DataError(
            f"{name} must be probabilities of the positive class in [0, 1], got range "
            f"[{arr.min():.3g}, {arr.max():.3g}]"
        )
    return arr


def check_labels(y: Any, n_rows: int) -> np.ndarray:
    """``y`` as an int array of 0/1 with both classes present; raises :class:`LabelError`."""
    arr = np.asarray(y).ravel()
    if len(arr) != n_rows:
        raise DataError(f"y_true has {len(arr)} rows but y_score has {n_rows}")
    if pd.isna(pd.Series(arr)).any():
        raise LabelError("labels contain missing values")
    values = set(pd.unique(arr).tolist())
    if not values <= {0, 1}:
        raise LabelError(f"labels must be binary 0/1, got values {sorted(map(str, values))[:5]}")
    if len(values) < 2:
        raise LabelError("labels contain a single class; post-processing needs both 0 and 1")
    return arr.astype(int)


def check_groups(
    sensitive_features: Any, n_rows: int, *, binary: bool = False, technique: str = ""
) -> np.ndarray:
    """Group label per row (:func:`group_labels`); at least two groups, exactly two if ``binary``."""
    if sensitive_features is None:
        raise DataError(f"{technique or 'this technique'} needs sensitive_features")
    groups = group_labels(sensitive_features)
    if len(groups) != n_rows:
        raise DataError(f"sensitive_features has {len(groups)} rows but the scores have {n_rows}")
    uniq = pd.unique(groups)
    if len(uniq) < 2:
        raise SingleGroupError(f"sensitive_features has a single group {uniq[0]!r}; nothing to equalise")
    if binary and len(uniq) > 2:
        raise NotExecutableError(
            f"{technique or 'this technique'} supports exactly two groups, got {len(uniq)}: "
            f"{', '.join(map(str, sorted(map(str, uniq))[:6]))}"
        )
    return groups


def groups_at_predict(sensitive_features: Any, n_rows: int, known: list[str], technique: str) -> np.ndarray:
    """Group labels at prediction time; every group must have been seen in ``fit``."""
    if sensitive_features is None:
        raise DataError(f"{technique} needs sensitive_features at prediction time")
    groups = group_labels(sensitive_features)
    if len(groups) != n_rows:
        raise DataError(f"sensitive_features has {len(groups)} rows but the scores have {n_rows}")
    unseen = sorted(set(groups.tolist()) - set(known))
    if unseen:
        raise DataError(
            f"group(s) {', '.join(map(repr, unseen[:5]))} were not seen when {technique} was fitted"
        )
    return groups


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1.0 - EPS)
    return np.log(p) - np.log1p(-p)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


def expected_calibration_error(y_true: Any, y_prob: Any, *, n_bins: int = 10) -> float:
    """ECE with ``n_bins`` equal-width bins: sum over bins of |mean(y) - mean(p)| weighted by bin size."""
    y = np.asarray(y_true, dtype=float).ravel()
    p = np.asarray(y_prob, dtype=float).ravel()
    bins = np.clip((p * n_bins).astype(int), 0, n_bins - 1)
    total = 0.0
    for b in np.unique(bins):
        m = bins == b
        total += m.sum() * abs(y[m].mean() - p[m].mean())
    return float(total / len(y))


def group_rates(pred: np.ndarray, y: np.ndarray, groups: np.ndarray) -> pd.DataFrame:
    """Selection rate, TPR and FPR per group (index = group label)."""
    frame = pd.DataFrame({"pred": pred, "y": y, "g": groups})
    rows = {}
    for g, part in frame.groupby("g", sort=True):
        pos, neg = part[part.y == 1], part[part.y == 0]
        rows[g] = {
            "selection_rate": part.pred.mean(),
            "tpr": pos.pred.mean() if len(pos) else np.nan,
            "fpr": neg.pred.mean() if len(neg) else np.nan,
        }
    return pd.DataFrame.from_dict(rows, orient="index")

"""Metric helpers for the post-processing tests (group gaps, accuracy, per-group ECE)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from fairmend.catalog.techniques.post_processing._common import expected_calibration_error


def _g(A) -> np.ndarray:
    return A.iloc[:, 0].to_numpy() if isinstance(A, pd.DataFrame) else np.asarray(A)


def dp_diff(pred, A) -> float:
    rates = pd.Series(np.asarray(pred, dtype=float)).groupby(_g(A)).mean()
    return float(rates.max() - rates.min())


def rate_diff(pred, y, A, label: int) -> float:
    """Gap in P(pred=1 | y=label, group): label 1 = TPR gap, label 0 = FPR gap."""
    rows = np.asarray(y) == label
    rates = pd.Series(np.asarray(pred, dtype=float)[rows]).groupby(_g(A)[rows]).mean()
    return float(rates.max() - rates.min())


def eo_diff(pred, y, A) -> float:
    return max(rate_diff(pred, y, A, 1), rate_diff(pred, y, A, 0))


def accuracy(pred, y) -> float:
    return float(np.mean(np.asarray(pred) == np.asarray(y)))


def group_ece(y, p, A, n_bins: int = 10) -> dict:
    g = _g(A)
    return {
        k: expected_calibration_error(np.asarray(y)[g == k], np.asarray(p)[g == k], n_bins=n_bins)
        for k in np.unique(g)
    }


def max_group_ece(y, p, A, n_bins: int = 10) -> float:
    return max(group_ece(y, p, A, n_bins).values())

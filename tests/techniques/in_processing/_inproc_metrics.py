"""Metric helpers for the in-processing tests (group gaps and accuracy on held-out data)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def dp_diff(pred: np.ndarray, A: pd.DataFrame) -> float:
    rates = pd.Series(pred).groupby(A.iloc[:, 0].to_numpy()).mean()
    return float(rates.max() - rates.min())


def rate_diff(pred: np.ndarray, y: np.ndarray, A: pd.DataFrame, label: int) -> float:
    """Difference in P(pred=1 | y=label, group): label 1 = TPR gap, label 0 = FPR gap."""
    rows = y == label
    rates = pd.Series(pred[rows]).groupby(A.iloc[:, 0].to_numpy()[rows]).mean()
    return float(rates.max() - rates.min())


def eo_diff(pred: np.ndarray, y: np.ndarray, A: pd.DataFrame) -> float:
    return max(rate_diff(pred, y, A, 1), rate_diff(pred, y, A, 0))


def accuracy(pred: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(pred == y))

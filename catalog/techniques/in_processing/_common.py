"""Shared helpers for the in-processing estimators: feature encoding and input checks.

Every estimator in this package accepts a pandas DataFrame that may hold categorical (object,
string, category or bool) columns. :class:`FeatureEncoder` one-hot encodes those and
standardises the numeric ones, so the linear and neural models here see a dense float matrix.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import group_labels
from sklearn.base import BaseEstimator, ClassifierMixin

from fairmend.errors import DataError, LabelError, NotExecutableError, SingleGroupError


def _categorical_columns(X: pd.DataFrame) -> list[str]:
    return [
        c
        for c in X.columns
        if not pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c])
    ]


class FeatureEncoder:
    """One-hot encode categorical columns and standardise numeric ones (dense ``float64`` output).

    Parameters
    ----------
    min_frequency : int
        Categories seen fewer times than this are pooled into one infrequent column.
    """

    def __init__(self, *, min_frequency: int = 5) -> None:
        self.min_frequency = min_frequency

    def fit(self, X: Any) -> FeatureEncoder:
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        X = _as_frame(X)
        cats = _categorical_columns(X)
        nums = [c for c in X.columns if c not in cats]
        self.columns_ = list(X.columns)
        self.transformer_ = ColumnTransformer(
            [
                ("num", Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]), nums),
                (
                    "cat",
                    OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=self.min_frequency,
                                  sparse_output=False),
                    cats,
                ),
            ],
            sparse_threshold=0.0,
        )
        self.transformer_.fit(_objectify(X, cats))
        self._cats = cats
        return self

    def transform(self, X: Any) -> np.ndarray:
        X = _as_frame(X)
        missing = [c for c in self.columns_ if c not in X.columns]
        if missing:
            raise DataError(f"column(s) {', '.join(map(str, missing))} seen in fit are missing from X")
        X = _objectify(X[self.columns_], self._cats)
        return np.asarray(self.transformer_.transform(X), dtype=float)

    def fit_transform(self, X: Any) -> np.ndarray:
        return self.fit(X).transform(X)


def _as_frame(X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise DataError(f"X must be 2-D, got shape {arr.shape}")
    return pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])


def _objectify(X: pd.DataFrame, cats: list[str]) -> pd.DataFrame:
    """Categorical columns as ``object`` strings (pandas 3 string dtype, NaN and bools included)."""
    if not cats:
        return X
    X = X.copy()
    for c in cats:
        X[c] = X[c].astype(object).where(X[c].notna(), "__missing__").astype(str).astype(object)
    return X


def check_binary_labels(y: Any) -> np.ndarray:
    """``y`` as an int array of 0/1; raises :class:`LabelError` otherwise."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        arr = arr.ravel()
    if pd.isna(pd.Series(arr)).any():
        raise LabelError("labels contain missing values")
    values = set(pd.unique(arr).tolist())
    if not values <= {0, 1}:
        raise LabelError(f"labels must be binary 0/1, got values {sorted(map(str, values))[:5]}")
    if len(values) < 2:
        raise LabelError("labels contain a single class; a classifier needs both 0 and 1")
    return arr.astype(int)


def check_groups(sensitive_features: Any, n_rows: int, *, binary: bool = False, technique: str = "") -> np.ndarray:
    """Group label per row (see :func:`group_labels`) with at least two (or exactly two) groups."""
    if sensitive_features is None:
        raise DataError(f"{technique or 'this technique'} needs sensitive_features")
    groups = group_labels(sensitive_features)
    if len(groups) != n_rows:
        raise DataError(f"sensitive_features has {len(groups)} rows but X has {n_rows}")
    uniq = pd.unique(groups)
    if len(uniq) < 2:
        raise SingleGroupError(f"sensitive_features has a single group {uniq[0]!r}; nothing to equalise")
    if binary and len(uniq) > 2:
        raise NotExecutableError(
            f"{technique or 'this technique'} supports exactly two groups, got {len(uniq)}: "
            f"{', '.join(map(str, sorted(uniq)[:6]))}"
        )
    return groups


def check_sample_weight(sample_weight: Any, n_rows: int) -> np.ndarray:
    """Non-negative weights with mean 1 (all ones when ``None``)."""
    if sample_weight is None:
        return np.ones(n_rows)
    w = np.asarray(sample_weight, dtype=float).ravel()
    if len(w) != n_rows or not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() <= 0:
        raise DataError("sample_weight must be finite, non-negative, one per row and not all zero")
    return w * (n_rows / w.sum())


def torch_device() -> str:
    """``"cuda"`` when available, else ``"cpu"``; raises :class:`MissingDependencyError` without torch."""
    torch = import_torch()
    return "cuda" if torch.cuda.is_available() else "cpu"


def import_torch() -> Any:
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - torch is installed in CI
        from fairmend.errors import MissingDependencyError

        raise MissingDependencyError("this technique needs torch (install fairmend[torch])") from exc
    return torch


def logit_network(torch: Any, n_features: int, hidden: int) -> Any:
    """A one-logit torch network: logistic (``hidden = 0``) or one hidden ReLU layer of ``hidden`` units."""
    if hidden > 0:
        return torch.nn.Sequential(
            torch.nn.Linear(n_features, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1)
        )
    return torch.nn.Sequential(torch.nn.Linear(n_features, 1))


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def proba_columns(p1: np.ndarray) -> np.ndarray:
    p1 = np.clip(np.asarray(p1, dtype=float), 0.0, 1.0)
    return np.column_stack([1.0 - p1, p1])


class LogitClassifierMixin(ClassifierMixin, BaseEstimator):
    """``predict_proba`` and ``predict`` of a binary model whose ``decision_function`` is a logit."""

    def decision_function(self, X: Any) -> np.ndarray:  # pragma: no cover - every user overrides it
        raise NotImplementedError

    def predict_proba(self, X: Any) -> np.ndarray:
        return proba_columns(sigmoid(self.decision_function(X)))

    def predict(self, X: Any) -> np.ndarray:
        return (self.decision_function(X) > 0).astype(int)

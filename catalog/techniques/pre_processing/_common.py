"""Shared helpers for the pre-processors: input checks, group/label cells and a numeric encoding."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import group_labels

from fairmend.errors import DataError, LabelError, SingleGroupError


def as_frame(X: Any) -> pd.DataFrame:
    """``X`` as a DataFrame (2-D arrays get columns ``x0, x1, ...``)."""
    if isinstance(X, pd.DataFrame):
        return X
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise DataError(f"X must be 2-D, got shape {arr.shape}")
    return pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])])


def categorical_columns(X: pd.DataFrame) -> list[str]:
    """Columns that are not numeric (object, string, category) or are boolean."""
    return [
        c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c])
    ]


def numeric_columns(X: pd.DataFrame) -> list[str]:
    cats = set(categorical_columns(X))
    return [c for c in X.columns if c not in cats]


def check_binary_labels(y: Any, n_rows: int | None = None) -> np.ndarray:
    """``y`` as an int 0/1 array; raises :class:`LabelError` otherwise."""
    arr = np.asarray(y).ravel()
    if n_rows is not None and len(arr) != n_rows:
        raise DataError(f"y has {len(arr)} rows but X has {n_rows}")
    if pd.isna(pd.Series(arr)).any():
        raise LabelError("labels contain missing values")
    values = set(pd.unique(arr).tolist())
    if not values <= {0, 1}:
        raise LabelError(f"labels must be binary 0/1, got values {sorted(map(str, values))[:5]}")
    if len(values) < 2:
        raise LabelError("labels contain a single class; both 0 and 1 are needed")
    return arr.astype(int)


def check_groups(sensitive_features: Any, n_rows: int, *, technique: str, binary: bool = False) -> np.ndarray:
    """One group label per row (:func:`group_labels`), with at least two (or exactly two) groups."""
    if sensitive_features is None:
        raise DataError(f"{technique} needs sensitive_features")
    groups = group_labels(sensitive_features)
    if len(groups) != n_rows:
        raise DataError(f"sensitive_features has {len(groups)} rows but X has {n_rows}")
    if pd.isna(pd.Series(groups)).any():
        raise DataError("sensitive_features contain missing values")
    uniq = pd.unique(groups)
    if len(uniq) < 2:
        raise SingleGroupError(f"sensitive_features has a single group {uniq[0]!r}; nothing to equalise")
    if binary and len(uniq) != 2:
        from fairmend.errors import NotExecutableError

        raise NotExecutableError(
            f"{technique} supports exactly two groups, got {len(uniq)} ({', '.join(map(str, uniq[:6]))})"
        )
    return groups


def take_sensitive(sensitive_features: Any, idx: np.ndarray) -> Any:
    """Rows ``idx`` of ``sensitive_features`` (Series/DataFrame keep their type, index reset)."""
    if isinstance(sensitive_features, (pd.DataFrame, pd.Series)):
        return sensitive_features.iloc[idx].reset_index(drop=True)
    return np.asarray(sensitive_features)[idx]


def cell_counts(groups: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    """Observed and expected (under independence of group and label) size of every (group, label) cell."""
    n = len(y)
    rows = []
    for g in pd.unique(groups):
        in_g = groups == g
        for label in (0, 1):
            observed = int(np.sum(in_g & (y == label)))
            expected = in_g.sum() * np.sum(y == label) / n
            rows.append({"group": g, "label": label, "observed": observed, "expected": float(expected)})
    return pd.DataFrame(rows)


class NumericEncoder:
    """Dense float matrix for distance-based methods: standardised numeric columns plus one-hot categoricals.

    Also maps a float matrix back to the original columns (:meth:`inverse`): numeric columns are
    un-scaled (rounded when they were integers) and each categorical column takes the category of
    its largest one-hot coordinate.
    """

    def fit(self, X: pd.DataFrame) -> NumericEncoder:
        self.columns_ = list(X.columns)
        self.cats_ = categorical_columns(X)
        self.nums_ = [c for c in X.columns if c not in self.cats_]
        num = X[self.nums_].to_numpy(dtype=float) if self.nums_ else np.empty((len(X), 0))
        self.mean_ = num.mean(axis=0) if len(num) else np.zeros(num.shape[1])
        std = num.std(axis=0) if len(num) else np.ones(num.shape[1])
        self.scale_ = np.where(std > 0, std, 1.0)
        self.int_cols_ = [c for c in self.nums_ if pd.api.types.is_integer_dtype(X[c])]
        self.dtypes_ = X.dtypes.to_dict()
        self.categories_ = {c: np.asarray(pd.unique(X[c].astype(object)), dtype=object) for c in self.cats_}
        return self

    def transform(self, X: pd.DataFrame) -> np.ndarray:
        parts = [(X[self.nums_].to_numpy(dtype=float) - self.mean_) / self.scale_] if self.nums_ else []
        for c in self.cats_:
            values = X[c].astype(object).to_numpy()
            parts.append((values[:, None] == self.categories_[c][None, :]).astype(float))
        return np.hstack(parts) if parts else np.empty((len(X), 0))

    def inverse(self, Z: np.ndarray) -> pd.DataFrame:
        out: dict[str, Any] = {}
        k = len(self.nums_)
        num = Z[:, :k] * self.scale_ + self.mean_
        for j, c in enumerate(self.nums_):
            col = num[:, j]
            out[c] = (
                np.round(col).astype(self.dtypes_[c]) if c in self.int_cols_ else col.astype(self.dtypes_[c])
            )
        pos = k
        for c in self.cats_:
            cats = self.categories_[c]
            block = Z[:, pos : pos + len(cats)]
            pos += len(cats)
            out[c] = pd.Series(cats[np.argmax(block, axis=1)], dtype=self.dtypes_[c])
        return pd.DataFrame(
            {c: out[c] if not isinstance(out[c], pd.Series) else out[c].to_numpy() for c in self.columns_}
        ).astype(self.dtypes_)

"""Input checking and integer encoding of groups, labels and predictions.

Every metric in :mod:`fairmend.metrics` and every resampling routine in :mod:`fairmend.stats` starts
here: groups are encoded once as integer codes ``0 .. G-1`` (the observed intersections of all
protected attributes), labels and predictions as ``0/1`` ints, so that all later work is
``np.bincount`` over small integer codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fairmend.errors import DataError, InvalidParameterError, LabelError, SingleGroupError


@dataclass(frozen=True)
class GroupCodes:
    """Integer codes of the (intersection) groups of each row.

    Attributes
    ----------
    codes : numpy.ndarray of int64
        Group code of each row, ``0 .. n_groups - 1``.
    keys : list of tuple
        Raw attribute values of each group, in code order (sorted).
    columns : list of str
        Names of the protected attributes.
    attribute_codes : dict
        ``{column: (codes_of_groups, values)}``: for each attribute, the code of its value for every
        intersection group (length ``n_groups``) and the sorted attribute values.
    """

    codes: np.ndarray
    keys: list[tuple[Any, ...]]
    columns: list[str]
    attribute_codes: dict[str, tuple[np.ndarray, list[Any]]]

    @property
    def n_groups(self) -> int:
        return len(self.keys)

    @property
    def labels(self) -> list[str]:
        """Display names: the value for one attribute, ``"a & b"`` for intersections."""
        return [" & ".join(str(_plain(v)) for v in key) for key in self.keys]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _as_frame(sensitive_features: Any, n: int) -> pd.DataFrame:
    if isinstance(sensitive_features, pd.DataFrame):
        frame = sensitive_features.reset_index(drop=True)
    elif isinstance(sensitive_features, pd.Series):
        frame = sensitive_features.reset_index(drop=True).to_frame(
            name=str(sensitive_features.name) if sensitive_features.name is not None else "group"
        )
    else:
        arr = np.asarray(sensitive_features, dtype=object)
        if arr.ndim == 1:
            frame = pd.DataFrame({"group": arr})
        elif arr.ndim == 2:
            frame = pd.DataFrame(arr, columns=[f"attribute_{i}" for i in range(arr.shape[1])])
        else:
            raise DataError(f"sensitive_features must be 1-D or 2-D, got {arr.ndim} dimensions")
    if frame.shape[1] == 0:
        raise DataError("sensitive_features has no columns")
    if len(frame) != n:
        raise DataError(f"sensitive_features has {len(frame)} rows but the labels have {n}")
    frame.columns = [str(c) for c in frame.columns]
    return frame


def encode_groups(sensitive_features: Any, n: int, *, require_two: bool = False) -> GroupCodes:
    """Encode one or several protected attributes as intersection-group codes.

    Raises
    ------
    DataError
        Wrong length or missing values (the message names the column).
    SingleGroupError
        ``require_two`` and all rows belong to one group.
    """
    frame = _as_frame(sensitive_features, n)
    per_column: list[np.ndarray] = []
    values: list[list[Any]] = []
    for column in frame.columns:
        col = frame[column]
        if col.isna().any():
            raise DataError(
                f"protected attribute {column!r} has {int(col.isna().sum())} missing values; drop or fill them first"
            )
        codes, uniques = pd.factorize(col, sort=True)
        per_column.append(codes.astype(np.int64))
        values.append([_plain(u) for u in np.asarray(uniques, dtype=object)])
    combined = np.zeros(n, dtype=np.int64)
    for codes, vals in zip(per_column, values):
        combined = combined * len(vals) + codes
    observed, group_codes = np.unique(combined, return_inverse=True)
    keys: list[tuple[Any, ...]] = []
    attr_of = np.zeros((len(per_column), len(observed)), dtype=np.int64)
    for g, code in enumerate(observed):
        parts = []
        for j in range(len(per_column) - 1, -1, -1):
            code, r = divmod(int(code), len(values[j]))
            parts.append(r)
        parts.reverse()
        attr_of[:, g] = parts
        keys.append(tuple(values[j][r] for j, r in enumerate(parts)))
    columns = list(frame.columns)
    if require_two and len(keys) < 2:
        raise SingleGroupError(
            f"all rows are in one group ({keys[0] if keys else None!r}); at least two groups are needed"
        )
    return GroupCodes(
        codes=group_codes.astype(np.int64).reshape(-1),
        keys=keys,
        columns=columns,
        attribute_codes={c: (attr_of[j], values[j]) for j, c in enumerate(columns)},
    )


def as_binary(values: Any, name: str) -> np.ndarray:
    """``values`` as an int64 0/1 array; bools and 0/1 numbers are accepted, anything else is a LabelError."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        arr = arr.reshape(-1)
    if arr.dtype == bool:
        return arr.astype(np.int64)
    try:
        num = arr.astype(float)
    except (TypeError, ValueError) as exc:
        raise LabelError(f"{name} must hold 0/1 values, got non-numeric values such as {arr[:3].tolist()!r}") from exc
    if np.isnan(num).any():
        raise LabelError(f"{name} has {int(np.isnan(num).sum())} missing (NaN) values")
    bad = ~np.isin(num, (0.0, 1.0))
    if bad.any():
        shown = sorted({_plain(v) for v in arr[bad][:50]}, key=str)[:5]
        raise LabelError(f"{name} must be binary 0/1; found other values {shown!r}")
    return num.astype(np.int64)


def as_scores(values: Any, n: int, name: str = "y_score", *, probability: bool = True) -> np.ndarray:
    """Scores as float64 (length ``n``); with ``probability`` they must lie in [0, 1]."""
    arr = np.asarray(values, dtype=float).reshape(-1)
    if len(arr) != n:
        raise DataError(f"{name} has {len(arr)} values but the labels have {n}")
    if not np.isfinite(arr).all():
        raise DataError(f"{name} has {int((~np.isfinite(arr)).sum())} missing or infinite values")
    if probability and ((arr < 0).any() or (arr > 1).any()):
        raise InvalidParameterError(f"{name} must be probabilities in [0, 1]; found range [{arr.min():g}, {arr.max():g}]")
    return arr


def check_lengths(n: int, **arrays: np.ndarray) -> None:
    for name, arr in arrays.items():
        if len(arr) != n:
            raise DataError(f"{name} has {len(arr)} values but y_true has {n}")

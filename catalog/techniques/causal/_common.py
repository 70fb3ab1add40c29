"""Input handling shared by the causal analyses: validation, a binary treatment from the protected
attribute, one-hot design matrices and parsing of comma-separated column lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fairmend.errors import ColumnNotFoundError, DataError, NotExecutableError


@dataclass
class Prepared:
    """Validated rows: the frame, the protected column, binary treatment ``a`` and outcome ``y``."""

    frame: pd.DataFrame
    protected: str
    outcome: str
    a: np.ndarray
    y: np.ndarray
    privileged: Any
    features: list[str]

    def describe(self) -> dict[str, Any]:
        return {
            "protected": self.protected,
            "outcome": self.outcome,
            "treatment": f"{self.protected} == {self.privileged!r} (a=1) vs other values (a=0)",
            "n_rows": len(self.a),
            "n_treated": int(self.a.sum()),
        }


def as_columns(value: str | Sequence[str] | None) -> list[str] | None:
    """``"a,b"`` or ``["a", "b"]`` -> ``["a", "b"]``; ``None``/empty -> ``None``."""
    if value is None:
        return None
    items = [c.strip() for c in value.split(",")] if isinstance(value, str) else [str(c) for c in value]
    items = [c for c in items if c]
    return items or None


def prepare(
    data: pd.DataFrame,
    protected: str | Sequence[str],
    outcome: str,
    privileged: Any = None,
    drop: Sequence[str] = (),
) -> Prepared:
    """Validate ``data`` and binarise the protected attribute.

    The treatment ``a`` is 1 for the ``privileged`` value and 0 for every other value. When
    ``privileged`` is ``None`` it is the group with the highest favourable-outcome rate, so effects
    are reported as "privileged minus others" and are positive when the outcome favours it.
    """
    from fairmend.validation import validate

    cols = as_columns(protected) or []
    if len(cols) != 1:
        raise NotExecutableError(
            f"causal analyses take exactly one protected attribute, got {len(cols)} ({', '.join(cols)}); "
            "run once per attribute"
        )
    checked = validate(data, protected=cols, outcome=outcome)
    col = cols[0]
    values = data[col]
    y = np.asarray(checked.y, dtype=int)
    if privileged is None:
        rates = pd.Series(y, index=values.index).groupby(values.astype(str)).mean()
        privileged = rates.idxmax()
    priv_str = str(privileged)
    if priv_str not in set(values.astype(str)):
        raise DataError(f"privileged value {privileged!r} does not occur in column {col!r}")
    a = (values.astype(str) == priv_str).to_numpy().astype(int)
    features = [c for c in data.columns if c not in (col, outcome) and c not in set(drop)]
    return Prepared(
        frame=data, protected=col, outcome=outcome, a=a, y=y, privileged=privileged, features=features
    )


def check_columns(data: pd.DataFrame, columns: Sequence[str], role: str) -> None:
    """Raise :class:`ColumnNotFoundError` for the first of ``columns`` not in ``data``."""
    for c in columns:
        if c not in data.columns:
            raise ColumnNotFoundError(f"{role} column {c!r} is not in the data")


def is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def design(frame: pd.DataFrame, columns: Sequence[str], *, max_levels: int = 50) -> pd.DataFrame:
    """Numeric design matrix: numeric columns standardised, categoricals one-hot (first level dropped).

    Categories beyond the ``max_levels`` most frequent are pooled into ``"__other__"``.
    """
    parts: list[pd.DataFrame] = []
    for c in columns:
        s = frame[c]
        if is_numeric(s):
            v = s.astype(float)
            sd = float(v.std()) or 1.0
            parts.append(pd.DataFrame({c: (v - float(v.mean())) / sd}, index=frame.index))
        else:
            s = s.astype(str)
            top = s.value_counts().index[:max_levels]
            s = s.where(s.isin(top), "__other__")
            parts.append(pd.get_dummies(s, prefix=c, prefix_sep="=", drop_first=True, dtype=float))
    if not parts:
        return pd.DataFrame(index=frame.index)
    return pd.concat(parts, axis=1)


def discretise(series: pd.Series, n_bins: int = 4) -> np.ndarray:
    """Integer codes: quantile bins for numeric columns, category codes otherwise."""
    if is_numeric(series) and series.nunique() > n_bins:
        return pd.qcut(series.astype(float).rank(method="first"), n_bins, labels=False).to_numpy().astype(int)
    return pd.factorize(series.astype(str), sort=True)[0]


def clean(value: Any) -> Any:
    """JSON-ready scalar."""
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value

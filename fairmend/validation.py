"""Checks on a user's table before any fairness computation.

:func:`validate` turns a DataFrame plus column names into a :class:`ValidatedData` or raises a typed
error whose message names the offending column or value, so the CLI can print it as one line.

Label mapping rule (binary outcomes)
------------------------------------
The outcome column must hold exactly two distinct values (NaN is an error). Its values are mapped to
``y`` (1 = favourable, 0 = unfavourable) by the first rule that applies:

1. ``favourable_label`` given: that value is 1. It is matched to the data as is, then by its string form
   (so ``"1"`` from the command line matches the integer ``1``, ``"true"`` matches ``True``).
2. The values are ``{0, 1}`` (ints, floats or bools): ``1``/``True`` is favourable.
3. Both values are numbers: the larger one is favourable.
4. Exactly one value, compared case-insensitively and ignoring surrounding whitespace and a trailing
   period, is in :data:`FAVOURABLE_WORDS` (``yes``, ``true``, ``good``, ``>50k``, ``approved`` ...): it is
   favourable.
5. Otherwise the value whose string form sorts last is favourable and a :class:`UserWarning` names the
   choice, so pass ``favourable_label`` to be explicit.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fairmend.errors import ColumnNotFoundError, DataError, LabelError, SingleGroupError, SmallGroupWarning

FAVOURABLE_WORDS = frozenset(
    {"1", "yes", "y", "true", "t", "good", "positive", "pos", "approved", "approve", "accepted", "accept",
     "granted", "hired", "hire", "pass", "passed", "admitted", "success", ">50k"}
)  # fmt: skip

_SHOW = 5  # how many row indices / values an error message lists


@dataclass
class ValidatedData:
    """A table that passed :func:`validate`.

    Attributes
    ----------
    frame : pandas.DataFrame
        The validated table (the caller's object, not modified).
    protected : list of str
        Protected-attribute columns.
    outcome : str or None
        Outcome column, if one was given.
    y : numpy.ndarray or None
        Binary outcome as ``int`` 0/1 (1 = favourable) when ``binary_outcome``; the raw values otherwise.
    favourable_label : object or None
        The original outcome value mapped to 1.
    groups : dict
        ``{attribute: {value: row count}}`` for every protected attribute.
    intersections : dict
        ``{(value_1, value_2, ...): row count}`` over all protected attributes jointly (observed cells
        only); empty when a single attribute is given.
    """

    frame: pd.DataFrame
    protected: list[str]
    outcome: str | None
    y: np.ndarray | None
    favourable_label: Any
    groups: dict[str, dict[Any, int]]
    intersections: dict[tuple[Any, ...], int] = field(default_factory=dict)

    @property
    def sensitive_features(self) -> pd.Series | pd.DataFrame:
        """The protected column (a Series) or columns (a DataFrame), as fairlearn expects them."""
        if len(self.protected) == 1:
            return self.frame[self.protected[0]]
        return self.frame[self.protected]

    @property
    def features(self) -> list[str]:
        """Every column except the outcome."""
        return [c for c in self.frame.columns if c != self.outcome]


def _require_column(frame: pd.DataFrame, column: str, role: str) -> None:
    if column in frame.columns:
        return
    names = [str(c) for c in frame.columns]
    lowered = {n.lower(): n for n in names}
    matches = difflib.get_close_matches(str(column).lower(), list(lowered), n=3, cutoff=0.6)
    close = [lowered[m] for m in matches]
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    shown = ", ".join(repr(n) for n in names[:20]) + (" ..." if len(names) > 20 else "")
    raise ColumnNotFoundError(f"{role} column {column!r} not found{hint} (columns: {shown})")


def _refuse_infinite(frame: pd.DataFrame) -> None:
    """Infinite values would reach a model's fit as NaN-like garbage; name the first one."""
    for column in frame.select_dtypes(include="number").columns:
        values = frame[column].to_numpy(dtype=float, na_value=np.nan)
        infinite = np.isinf(values)
        if infinite.any():
            raise DataError(
                f"column {column!r} has {int(infinite.sum())} infinite value(s), first at rows "
                f"{_row_list(frame.index[infinite])}; replace or drop them first"
            )


def _row_list(index: pd.Index) -> str:
    rows = ", ".join(str(i) for i in index[:_SHOW])
    return rows + (", ..." if len(index) > _SHOW else "")


def _value_list(values: Sequence[Any]) -> str:
    shown = ", ".join(repr(_plain(v)) for v in values[:10])
    return shown + (f", ... ({len(values)} values)" if len(values) > 10 else "")


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _sorted_values(values: Sequence[Any]) -> list[Any]:
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=lambda v: (type(v).__name__, str(v)))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _choose_favourable(column: str, values: list[Any], favourable_label: Any) -> Any:
    if favourable_label is not None:
        if favourable_label in values:
            return next(v for v in values if v == favourable_label)
        as_text = str(favourable_label).strip().lower()
        matches = [v for v in values if str(v).strip().lower() == as_text]
        if len(matches) != 1 and as_text in {"1", "1.0"}:
            matches = [v for v in values if _is_number(v) and v == 1]
        if len(matches) == 1:
            return matches[0]
        raise LabelError(
            f"favourable label {favourable_label!r} is not a value of outcome column {column!r} "
            f"(values found: {_value_list(values)})"
        )
    if all(isinstance(v, (bool, np.bool_)) or _is_number(v) for v in values) and {0, 1} == set(values):
        return next(v for v in values if v == 1)
    if all(_is_number(v) for v in values):
        return max(values)
    words = [v for v in values if str(v).strip().lower().rstrip(".") in FAVOURABLE_WORDS]
    if len(words) == 1:
        return words[0]
    chosen = max(values, key=str)
    warnings.warn(
        f"outcome column {column!r}: taking {_plain(chosen)!r} as the favourable label (values "
        f"{_value_list(values)}); pass favourable_label to choose explicitly",
        UserWarning,
        stacklevel=3,
    )
    return chosen


def _outcome(frame: pd.DataFrame, column: str, binary: bool, favourable_label: Any) -> tuple[np.ndarray, Any]:
    labels = frame[column]
    missing = labels.isna()
    if missing.any():
        raise LabelError(
            f"outcome column {column!r} has {int(missing.sum())} missing (NaN) labels, "
            f"first at rows {_row_list(labels.index[missing])}"
        )
    if not binary:
        return labels.to_numpy(), None
    values = _sorted_values([_plain(v) for v in pd.unique(labels)])
    if len(values) != 2:
        kind = "only one value" if len(values) < 2 else f"{len(values)} values"
        raise LabelError(
            f"outcome column {column!r} must be binary but has {kind}: {_value_list(values)}"
        )
    favourable = _choose_favourable(column, values, favourable_label)
    y = np.fromiter((_plain(v) == favourable for v in labels), dtype=bool, count=len(labels))
    return y.astype(int), favourable


def _warn_small(kind: str, counts: pd.Series, min_group_size: int) -> None:
    small = counts[counts < min_group_size]
    if small.empty:
        return
    listed = ", ".join(f"{_label(k)} ({int(n)} rows)" for k, n in small.sort_values().items())
    warnings.warn(
        f"{kind}: {len(small)} group(s) under {min_group_size} rows, estimates will be unstable: {listed}",
        SmallGroupWarning,
        stacklevel=3,
    )


def _label(key: Hashable) -> str:
    if isinstance(key, tuple):
        return " & ".join(repr(_plain(k)) for k in key)
    return repr(_plain(key))


def validate(
    frame: pd.DataFrame,
    *,
    protected: Sequence[str],
    outcome: str | None,
    binary_outcome: bool = True,
    favourable_label: Any = None,
    min_group_size: int = 30,
) -> ValidatedData:
    """Check a table for fairness analysis and map its outcome to 0/1.

    Parameters
    ----------
    frame : pandas.DataFrame
        The data (typically from :func:`fairmend.io.read_table`). It is not modified.
    protected : sequence of str
        Protected-attribute columns (at least one).
    outcome : str or None
        Outcome (label) column, or ``None`` when there is none to check.
    binary_outcome : bool, default True
        Require exactly two outcome values and map them to 0/1 (see the module docstring for the rule).
    favourable_label : object, optional
        The outcome value that counts as favourable (1).
    min_group_size : int, default 30
        Groups (per attribute, and intersections of several attributes) smaller than this trigger a
        :class:`~fairmend.errors.SmallGroupWarning`.

    Returns
    -------
    ValidatedData

    Raises
    ------
    ColumnNotFoundError
        A protected or outcome column is missing; the message suggests near matches.
    DataError
        No protected attribute is given, or a protected column has missing values.
    SingleGroupError
        A protected attribute has a single value.
    LabelError
        The outcome has missing values, is not binary where required, or ``favourable_label`` is not one
        of its values.
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    from fairmend.io import check_columns

    check_columns(frame)
    _refuse_infinite(frame)
    if isinstance(protected, str):
        protected = [protected]
    protected = list(dict.fromkeys(protected))
    if not protected:
        raise DataError("at least one protected attribute is required")
    for column in protected:
        _require_column(frame, column, "protected attribute")
    if outcome is not None:
        _require_column(frame, outcome, "outcome")
        if outcome in protected:
            raise DataError(f"column {outcome!r} cannot be both the outcome and a protected attribute")

    groups: dict[str, dict[Any, int]] = {}
    for column in protected:
        values = frame[column]
        missing = values.isna()
        if missing.any():
            raise DataError(
                f"protected attribute {column!r} has {int(missing.sum())} missing values, first at rows "
                f"{_row_list(values.index[missing])}; drop or fill them first"
            )
        counts = values.value_counts(sort=False)
        counts = counts[counts > 0]  # unused categories of a categorical column are not groups
        if len(counts) < 2:
            only = _plain(counts.index[0]) if len(counts) else None
            raise SingleGroupError(
                f"protected attribute {column!r} has a single group ({only!r}); "
                "at least two groups are needed to measure disparity"
            )
        groups[column] = {_plain(k): int(v) for k, v in counts.sort_index().items()}
        _warn_small(f"protected attribute {column!r}", counts, min_group_size)

    intersections: dict[tuple[Any, ...], int] = {}
    if len(protected) > 1:
        joint = frame.groupby(protected, observed=True, sort=True).size()
        intersections = {tuple(_plain(k) for k in key): int(n) for key, n in joint.items()}
        _warn_small(f"intersection of {' x '.join(repr(c) for c in protected)}", joint, min_group_size)

    y, favourable = (None, None)
    if outcome is not None:
        y, favourable = _outcome(frame, outcome, binary_outcome, favourable_label)
    return ValidatedData(
        frame=frame,
        protected=protected,
        outcome=outcome,
        y=y,
        favourable_label=favourable,
        groups=groups,
        intersections=intersections,
    )


def require_column(frame: pd.DataFrame, column: str, role: str) -> None:
    """Raise :class:`ColumnNotFoundError` (suggesting near matches) unless ``frame`` has ``column``."""
    _require_column(frame, column, role)


def binary_outcome(frame: pd.DataFrame, column: str, favourable_label: Any = None) -> tuple[np.ndarray, Any]:
    """Map the outcome column of ``frame`` to 0/1 by the module's label rule: ``(y, favourable_label)``."""
    return _outcome(frame, column, True, favourable_label)


def warn_small_groups(kind: str, counts: pd.Series, min_group_size: int) -> None:
    """The :class:`SmallGroupWarning` :func:`validate` gives, for group sizes counted elsewhere."""
    _warn_small(kind, counts, min_group_size)

"""Reference / current windows for the monitoring analyses.

Every monitor follows the ``analysis`` contract. ``data`` is the *current* window; the reference
window is the ``reference`` parameter (a path or DataFrame). Without one, ``data`` is taken as a
time-ordered stream and its first ``reference_fraction`` of rows is the reference.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from fairmend.errors import ColumnNotFoundError, DataError


def windows(
    data: pd.DataFrame, reference: Any, reference_fraction: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(reference, current) frames."""
    from fairmend.io import read_table

    if reference is not None:
        ref = read_table(reference)
        missing = [c for c in data.columns if c not in ref.columns]
        if missing:
            raise ColumnNotFoundError(
                f"column {missing[0]!r} of the current data is not in the reference data"
            )
        return ref, data
    if not 0 < reference_fraction < 1:
        raise DataError(f"reference_fraction must be in (0, 1), got {reference_fraction}")
    cut = round(len(data) * reference_fraction)
    if cut < 2 or len(data) - cut < 2:
        raise DataError("too few rows to split into reference and current windows")
    return data.iloc[:cut], data.iloc[cut:]


def require(data: pd.DataFrame, *columns: str | None) -> None:
    for c in columns:
        if c is not None and c not in data.columns:
            raise ColumnNotFoundError(f"column {c!r} is not in the data")

"""Shared input handling for the evaluation-stage analyses.

Every analysis here follows the ``analysis`` contract of :mod:`fairmend.catalog.contracts`:
``run(data, *, protected, outcome, predictions=None, scores=None) -> AnalysisResult``.

What is audited when no predictions column is given
----------------------------------------------------
Two families of audits behave differently, and each technique's docstring says which it is:

* **Outcome audits** (selection rates: four-fifths rule, differential fairness, conditional
  demographic disparity, subgroup scan, representation audit, consistency) audit the column
  ``predictions`` when given, otherwise the labels ``outcome`` themselves (a *data audit*);
  the summary's ``audited`` key says ``"predictions"`` or ``"labels"``.
* **Model audits** (error rates, predictive values, calibration, inequality indices of
  benefits, bootstrap / permutation tests) are meaningless on the labels alone (the labels
  predict themselves perfectly). Without ``predictions`` they fit a quick baseline — a
  logistic regression on one-hot features, protected attributes excluded — on a stratified
  70 / 30 split (seeded) and audit its *test* predictions; the summary's ``audited`` key says
  ``"baseline_logreg_test_split"`` and ``n_rows`` the size of the audited split.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import group_labels

from fairmend.errors import ColumnNotFoundError, DataError, LabelError, SingleGroupError

BASELINE = "baseline_logreg_test_split"


@dataclass
class Audit:
    """The rows being audited, aligned: labels, predictions, optional scores and groups."""

    frame: pd.DataFrame
    protected: list[str]
    y_true: np.ndarray
    y_pred: np.ndarray
    y_score: np.ndarray | None
    groups: np.ndarray
    audited: str

    @property
    def sensitive(self) -> pd.DataFrame:
        return self.frame[self.protected]


AUDIT_NOTES = {
    "predictions": "audited the given predictions column against the labels",
    "scores_thresholded_at_0.5": "audited the given scores, thresholded at 0.5 for decisions",
    "labels": "no predictions column given: audited the labels themselves (a data audit)",
    BASELINE: (
        "no predictions column given: fitted a logistic-regression baseline (one-hot features, protected "
        "attributes excluded) on a stratified 70/30 split and audited its test-split predictions"
    ),
}


def describe(audit: Audit) -> dict[str, Any]:
    """``audited`` (what was audited), a one-line ``audit_note`` and ``n_rows`` for a summary."""
    return {
        "audited": audit.audited,
        "audit_note": AUDIT_NOTES[audit.audited],
        "n_rows": len(audit.y_true),
    }


def as_list(protected: str | Sequence[str]) -> list[str]:
    """Protected attribute names as a list (a single name is accepted)."""
    if isinstance(protected, str):
        return [protected]
    names = list(protected)
    if not names:
        raise DataError("at least one protected attribute column is needed")
    return names


def check_columns(data: pd.DataFrame, *names: str | None) -> None:
    """Raise :class:`ColumnNotFoundError` naming the first missing column."""
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(data).__name__}")
    for name in names:
        if name is not None and name not in data.columns:
            shown = ", ".join(map(str, data.columns[:20]))
            raise ColumnNotFoundError(f"column {name!r} is not in the data (columns: {shown})")


def binary(values: Any, name: str) -> np.ndarray:
    """A 0/1 integer array; raises :class:`LabelError` for missing or non-binary values."""
    s = pd.Series(values)
    if s.isna().any():
        raise LabelError(f"column {name!r} has {int(s.isna().sum())} missing values")
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=int)
    try:
        arr = s.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise LabelError(f"column {name!r} must hold 0/1 labels, got values like {s.iloc[0]!r}") from None
    bad = sorted(set(np.unique(arr)) - {0.0, 1.0})
    if bad:
        raise LabelError(f"column {name!r} must be binary 0/1, found values {bad[:5]}")
    return arr.astype(int)


def scores_array(values: Any, name: str) -> np.ndarray:
    arr = pd.Series(values).to_numpy(dtype=float)
    if np.isnan(arr).any() or arr.min() < 0 or arr.max() > 1:
        raise DataError(f"scores column {name!r} must hold probabilities in [0, 1] without missing values")
    return arr


def check_groups(groups: np.ndarray, what: str) -> None:
    if len(np.unique(groups)) < 2:
        only = groups[0] if len(groups) else "none"
        raise SingleGroupError(
            f"protected attribute {what} has only one group ({only!r}); no disparity to measure"
        )


def prepare(
    data: pd.DataFrame,
    protected: str | Sequence[str],
    outcome: str,
    predictions: str | None,
    scores: str | None,
    *,
    when_missing: str,
    seed: int = 0,
    test_size: float = 0.3,
) -> Audit:
    """Validate columns and return the rows to audit.

    ``when_missing`` is ``"labels"`` (audit the outcome column itself) or ``"baseline"`` (fit a
    logistic-regression baseline on a split and audit its test predictions).
    """
    names = as_list(protected)
    check_columns(data, outcome, predictions, scores, *names)
    frame = data.reset_index(drop=True)
    groups = group_labels(frame[names])
    check_groups(groups, "+".join(names))
    y_true = binary(frame[outcome], outcome)
    if predictions is not None:
        y_pred = binary(frame[predictions], predictions)
        y_score = scores_array(frame[scores], scores) if scores is not None else None
        return Audit(frame, names, y_true, y_pred, y_score, groups, "predictions")
    if scores is not None:
        y_score = scores_array(frame[scores], scores)
        y_pred = (y_score >= 0.5).astype(int)
        return Audit(frame, names, y_true, y_pred, y_score, groups, "scores_thresholded_at_0.5")
    if when_missing == "labels":
        return Audit(frame, names, y_true, y_true.copy(), None, groups, "labels")
    return _baseline(frame, names, outcome, y_true, groups, seed=seed, test_size=test_size)


def _baseline(
    frame: pd.DataFrame,
    names: list[str],
    outcome: str,
    y: np.ndarray,
    groups: np.ndarray,
    *,
    seed: int,
    test_size: float,
) -> Audit:
    from sklearn.model_selection import train_test_split

    from fairmend.engine.models import make_base_model, positive_scores

    X = frame.drop(columns=[outcome, *names])
    if X.shape[1] == 0:
        raise DataError(
            "no feature columns left to fit a baseline model (all columns are protected or the outcome)"
        )
    if len(np.unique(y)) < 2:
        raise LabelError(f"column {outcome!r} has one class only; cannot fit a baseline model")
    strata = pd.Series(groups).astype(str) + "|" + pd.Series(y).astype(str)
    counts = strata.value_counts()
    strata = strata.where(~strata.isin(counts[counts < 4].index), "__rare__")
    idx = np.arange(len(y))
    train, test = train_test_split(idx, test_size=test_size, random_state=seed, stratify=strata.to_numpy())
    train, test = np.sort(train), np.sort(test)
    model = make_base_model("logreg", X, seed=seed).fit(X.iloc[train], y[train])
    score = positive_scores(model, X.iloc[test])
    sub = frame.iloc[test].reset_index(drop=True)
    return Audit(sub, names, y[test], (score >= 0.5).astype(int), score, groups[test], BASELINE)


def rate(values: np.ndarray) -> float:
    return float(np.mean(values)) if len(values) else float("nan")


def clean(value: Any) -> Any:
    """A JSON-ready Python value (numpy scalars to float/int, NaN kept as float NaN)."""
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def encode_features(X: pd.DataFrame) -> np.ndarray:
    """Dense float matrix: one-hot categoricals, imputed and standardised numerics (the runner's encoding)."""
    from fairmend.engine.models import make_base_model

    prep = make_base_model("logreg", X).named_steps["prep"]
    matrix = prep.fit_transform(X)
    if hasattr(matrix, "toarray"):
        matrix = matrix.toarray()
    return np.asarray(matrix, dtype=float)

"""The user's own model, given as columns of their table: ``--scores COL`` and ``--predictions COL``.

With either column the user's model is the baseline: nothing stands in for it. Post-processors are
fitted on the selection rows' scores and applied to the test rows' scores; pre- and in-processing
techniques necessarily train a new model, which is then compared with the user's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fairmend.errors import ColumnNotFoundError, LabelError


def to_binary(values: Any, favourable: Any, column: str, labels: set[Any]) -> np.ndarray:
    """Decisions as 0/1 (1 = favourable): ``value == favourable`` when every value is one of the outcome's
    labels ``labels`` (so a 0/1 outcome whose favourable label is 0 is flipped), else kept when 0/1."""
    arr = np.asarray(values, dtype=object)
    uniq = set(arr.tolist())
    if uniq <= labels:
        return (arr == favourable).astype(np.int64)
    if uniq <= {0, 1}:
        return arr.astype(np.int64)
    shown = sorted(map(str, uniq))[:5]
    raise LabelError(f"{column} must be binary (0/1 or the outcome's labels); found values {shown}")


def probability_column(frame: pd.DataFrame, column: str, role: str) -> np.ndarray:
    """The column as finite probabilities in [0, 1], or a one-line error naming it."""
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = values.isna().to_numpy() | ~np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        first = frame[column].to_numpy()[bad][0]
        raise LabelError(f"{role} column {column!r} must hold finite numbers; row {int(np.flatnonzero(bad)[0])} "
                         f"holds {first!r}")
    arr = values.to_numpy(dtype=float)
    if arr.min() < 0 or arr.max() > 1:
        raise LabelError(f"{role} column {column!r} must hold probabilities in [0, 1]; found values from "
                         f"{arr.min():.4g} to {arr.max():.4g}")
    return arr


@dataclass
class UserOutputs:
    """The user's model outputs for every row of the table (``None`` where not given)."""

    scores: np.ndarray | None
    predictions: np.ndarray | None
    columns: list[str]
    threshold: float = 0.5

    def decisions(self, rows: np.ndarray) -> np.ndarray:
        if self.predictions is not None:
            return self.predictions[rows]
        assert self.scores is not None
        return (self.scores[rows] >= self.threshold).astype(np.int64)

    def describe(self) -> dict[str, Any]:
        return {"scores": self.columns[0] if self.scores is not None else None,
                "predictions": self.columns[-1] if self.predictions is not None else None,
                "threshold": self.threshold if self.predictions is None else None}


def read_user_outputs(frame: pd.DataFrame, *, scores: str | None, predictions: str | None, favourable: Any,
                      outcome: str, threshold: float = 0.5) -> UserOutputs | None:
    """Check and read the ``--scores`` / ``--predictions`` columns; ``None`` when neither is given."""
    if scores is None and predictions is None:
        return None
    for name, role in ((scores, "--scores"), (predictions, "--predictions")):
        if name is not None and name not in frame.columns:
            raise ColumnNotFoundError(f"{role} column {name!r} not found")
        if name is not None and name == outcome:
            raise LabelError(f"{role} column {name!r} is the outcome column")
    score_arr = None if scores is None else probability_column(frame, scores, "--scores")
    pred_arr = None
    if predictions is not None:
        if frame[predictions].isna().any():
            raise LabelError(f"--predictions column {predictions!r} has missing values")
        labels = set(frame[outcome].tolist())
        pred_arr = to_binary(frame[predictions].to_numpy(), favourable, f"--predictions column {predictions!r}", labels)
    if not 0 < threshold < 1:
        raise LabelError(f"--threshold must lie strictly between 0 and 1, got {threshold}")
    columns = [c for c in (scores, predictions) if c is not None]
    return UserOutputs(score_arr, pred_arr, columns, threshold)


def model_predictions(model: Any, frame: Any, outcome: str, favourable: Any, labels: set[Any]
                      ) -> tuple[np.ndarray, np.ndarray | None]:
    """Decisions (1 = favourable) and favourable-class probabilities of a user's fitted model on ``frame``."""
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        missing = [c for c in names if c not in frame.columns]
        if missing:
            raise ColumnNotFoundError(f"the model needs feature column(s) missing from the data: {', '.join(map(str, missing))}")
        X = frame[list(names)]
    else:
        X = frame.drop(columns=[outcome])
    pred = to_binary(model.predict(X), favourable, "model predictions", labels)
    score = None
    if hasattr(model, "predict_proba"):
        proba = np.asarray(model.predict_proba(X))
        classes = list(getattr(model, "classes_", [0, 1]))
        col = classes.index(favourable) if favourable in classes else (classes.index(1) if 1 in classes else -1)
        score = proba[:, col]
    return pred, score

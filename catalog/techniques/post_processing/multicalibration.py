"""Multicalibration by iterative patching, Hébert-Johnson, Kim, Reingold & Rothblum (2018)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import group_labels
from fairmend.catalog.techniques.post_processing._common import check_labels, check_scores

from fairmend.errors import DataError, InvalidParameterError, SingleGroupError


def _subgroups(sensitive_features: Any, n_rows: int) -> dict[str, np.ndarray]:
    """Masks of the collection C: everyone, each value of each attribute and each intersection."""
    if sensitive_features is None:
        raise DataError("multicalibration needs sensitive_features")
    frame = (
        sensitive_features.astype(str)
        if isinstance(sensitive_features, pd.DataFrame)
        else pd.DataFrame({"group": np.asarray(sensitive_features).astype(str).ravel()})
    )
    if len(frame) != n_rows:
        raise DataError(f"sensitive_features has {len(frame)} rows but the scores have {n_rows}")
    out = {"*": np.ones(n_rows, dtype=bool)}
    for col in frame.columns:
        vals = frame[col].to_numpy(dtype=object)
        for v in sorted(set(vals.tolist())):
            out[f"{col}={v}"] = vals == v
    if frame.shape[1] > 1:
        joint = group_labels(frame)
        for v in sorted(set(joint.tolist())):
            out[f"joint={v}"] = joint == v
    return out


class Multicalibration:
    """Patch scores until every (subgroup, score bucket) cell is calibrated within ``alpha``.

    The collection ``C`` holds the whole population, every value of every protected attribute
    and (with several attributes) every intersection. Each round visits every cell ``S ∩ {p in
    bucket v}`` with at least ``min_cell_fraction`` of the rows; where ``|mean(y - p)| > alpha``
    the cell's predictions move by that mean residual (clipped to [0, 1]). Rounds repeat until no
    cell is patched or ``max_iter`` is reached. The patches are recorded and replayed in order at
    prediction, so new rows get the same map.

    Parameters
    ----------
    alpha : float
        Calibration tolerance per cell.
    n_buckets : int
        Equal-width score buckets (the λ-discretisation).
    min_cell_fraction : float
        Cells smaller than this fraction of the rows are not patched (the γ of the paper).
    max_iter : int
        Maximum number of rounds.
    threshold : float
        Decision threshold of ``predict``.

    References
    ----------
    Hébert-Johnson, U., Kim, M. P., Reingold, O., Rothblum, G. N. (2018). Multicalibration:
    Calibration for the (Computationally-Identifiable) Masses. ICML.
    """

    def __init__(
        self,
        *,
        alpha: float = 0.01,
        n_buckets: int = 10,
        min_cell_fraction: float = 0.005,
        max_iter: int = 50,
        threshold: float = 0.5,
    ) -> None:
        self.alpha = alpha
        self.n_buckets = n_buckets
        self.min_cell_fraction = min_cell_fraction
        self.max_iter = max_iter
        self.threshold = threshold

    def _bucket(self, p: np.ndarray) -> np.ndarray:
        return np.clip((p * int(self.n_buckets)).astype(int), 0, int(self.n_buckets) - 1)

    def fit(self, y_score: Any, y_true: Any, *, sensitive_features: Any, X: Any = None) -> Multicalibration:
        if float(self.alpha) <= 0 or int(self.n_buckets) < 1 or int(self.max_iter) < 1:
            raise InvalidParameterError("alpha must be > 0, n_buckets and max_iter >= 1")
        s = check_scores(y_score)
        y = check_labels(y_true, len(s))
        sets = _subgroups(sensitive_features, len(s))
        if len(sets) < 3:
            raise SingleGroupError("sensitive_features has a single group; nothing to multicalibrate")
        self.subgroups_ = list(sets)
        min_rows = max(1, int(np.ceil(float(self.min_cell_fraction) * len(s))))
        p = s.copy()
        self.patches_: list[tuple[str, int, float]] = []
        self.n_iter_ = 0
        for _ in range(int(self.max_iter)):
            self.n_iter_ += 1
            changed = False
            for name, mask in sets.items():
                for v in range(int(self.n_buckets)):
                    cell = mask & (self._bucket(p) == v)  # fresh buckets, as replayed in predict
                    if cell.sum() < min_rows:
                        continue
                    delta = float(np.mean(y[cell] - p[cell]))
                    if abs(delta) > float(self.alpha):
                        p[cell] = np.clip(p[cell] + delta, 0.0, 1.0)
                        self.patches_.append((name, v, delta))
                        changed = True
            if not changed:
                break
        self.converged_ = not changed
        return self

    def predict_proba(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        s = check_scores(y_score)
        sets = _subgroups(sensitive_features, len(s))
        p = s.copy()
        for name, v, delta in self.patches_:
            mask = sets.get(name)
            if mask is None:
                continue  # a subgroup absent from these rows
            cell = mask & (self._bucket(p) == v)
            p[cell] = np.clip(p[cell] + delta, 0.0, 1.0)
        return p

    def predict(self, y_score: Any, *, sensitive_features: Any, X: Any = None) -> np.ndarray:
        return (self.predict_proba(y_score, sensitive_features=sensitive_features) >= self.threshold).astype(
            int
        )

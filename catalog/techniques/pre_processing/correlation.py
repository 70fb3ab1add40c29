"""Correlation remover: wraps :class:`fairlearn.preprocessing.CorrelationRemover`."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import PreProcessorMixin, Resampled
from fairmend.catalog.params import Param

from fairmend.errors import DataError, InvalidParameterError

from ._common import as_frame, check_groups, numeric_columns


def _indicators(groups: np.ndarray, levels: list[str]) -> pd.DataFrame:
    """One 0/1 column per group but the first (the reference level)."""
    return pd.DataFrame({f"__group_{k}": (groups == g).astype(float) for k, g in enumerate(levels[1:])})


class CorrelationRemover(PreProcessorMixin):
    """Remove the linear correlation between the numeric features and the group.

    The group labels become 0/1 indicator columns ``S``; every numeric feature ``z`` is replaced by
    ``alpha * (z - (S - mean(S)) w) + (1 - alpha) * z`` where ``w`` is the least-squares regression
    of ``z`` on the centred indicators, fitted on the training data (fairlearn's
    ``CorrelationRemover``). Categorical columns are kept unchanged (they are not linear features);
    the indicator columns are not added to the output. ``transform`` needs the rows' groups.

    Parameters
    ----------
    alpha : float in [0, 1]
        1 removes all linear correlation, 0 changes nothing.

    References
    ----------
    Weerts, H., Dudík, M., Edgar, R., Jalali, A., Lutz, R. & Madaio, M. (2023). Fairlearn:
    Assessing and Improving Fairness of AI Systems. JMLR 24(257).
    """

    def __init__(self, *, alpha: Annotated[float, Param('1 removes all linear correlation with the group, 0 none', range=(0.0, 1.0), tunable=True)] = 1.0) -> None:
        self.alpha = alpha

    def fit(self, X: Any, y: Any = None, *, sensitive_features: Any) -> CorrelationRemover:
        try:
            from fairlearn.preprocessing import CorrelationRemover as _FairlearnCR
        except ImportError as exc:  # pragma: no cover - fairlearn is a core dependency
            raise ImportError("correlation_remover needs fairlearn: pip install fairlearn") from exc
        if not 0.0 <= float(self.alpha) <= 1.0:
            raise InvalidParameterError(f"alpha must be in [0, 1], got {self.alpha}")
        X = as_frame(X)
        groups = check_groups(sensitive_features, len(X), technique="correlation remover")
        self.columns_ = numeric_columns(X)
        if not self.columns_:
            raise DataError("correlation remover needs at least one numeric column in X")
        self.groups_ = [str(g) for g in pd.unique(groups)]
        S = _indicators(groups, self.groups_)
        Z = pd.concat([X[self.columns_].astype(float).reset_index(drop=True), S], axis=1)
        self.remover_ = _FairlearnCR(sensitive_feature_ids=list(S.columns), alpha=float(self.alpha)).fit(Z)
        return self

    def transform(self, X: Any, *, sensitive_features: Any = None) -> pd.DataFrame:
        from fairmend.catalog.contracts import group_labels

        X = as_frame(X)
        if sensitive_features is None:
            raise DataError("correlation remover needs sensitive_features in transform")
        groups = group_labels(sensitive_features)
        if len(groups) != len(X):
            raise DataError(f"sensitive_features has {len(groups)} rows but X has {len(X)}")
        unseen = sorted(set(groups) - set(self.groups_))
        if unseen:
            raise DataError(f"group(s) {', '.join(map(repr, unseen))} were not seen in fit")
        S = _indicators(groups, self.groups_)
        Z = pd.concat([X[self.columns_].astype(float).reset_index(drop=True), S], axis=1)
        repaired = np.asarray(self.remover_.transform(Z), dtype=float)
        out = X.copy()
        for j, c in enumerate(self.columns_):
            out[c] = repaired[:, j]
        return out

    def fit_resample(self, X: Any, y: Any, *, sensitive_features: Any) -> Resampled:
        self.fit(X, y, sensitive_features=sensitive_features)
        return Resampled(
            X=self.transform(X, sensitive_features=sensitive_features),
            y=np.asarray(y),
            sensitive_features=sensitive_features,
        )

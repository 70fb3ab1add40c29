"""Instance-dependent thresholding, Menon & Williamson (2018)."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.post_processing._common import check_groups, check_labels, check_scores
from sklearn.base import BaseEstimator

from fairmend.errors import DataError, InvalidParameterError


def _encoder(X: pd.DataFrame) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    cats = [
        c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c])
    ]
    nums = [c for c in X.columns if c not in cats]
    return ColumnTransformer(
        [
            ("num", StandardScaler(), nums),
            ("cat", OneHotEncoder(handle_unknown="ignore", min_frequency=5), cats),
        ]
    ), cats


def _objectify(X: pd.DataFrame, cats: list[str]) -> pd.DataFrame:
    X = X.copy()
    for c in cats:
        X[c] = X[c].astype(object).where(X[c].notna(), "__missing__").astype(str).astype(object)
    return X


class MenonWilliamsonThresholding(BaseEstimator):
    """Threshold ``s(x)`` at ``c + lam * (eta_A(x) - pi_A)``, with ``eta_A(x)`` an estimate of
    ``P(A = a1 | X = x)`` learned from ``X`` at fit time.

    Menon & Williamson show the Bayes-optimal classifier under a cost-sensitive fairness penalty
    thresholds the class-probability ``eta(x)`` at an instance-dependent level that is affine in
    the sensitive-feature probability ``eta_A(x)``. Here ``eta(x)`` is the deployed model's score,
    ``eta_A`` a logistic regression of the (binary) protected attribute on ``X`` and ``pi_A`` its
    base rate; ``lam`` trades accuracy for demographic parity. With ``lam=None``, ``lam`` is chosen
    on a grid in ``[-lam_max, lam_max]`` to minimise the demographic-parity gap on the fitting data
    (accuracy breaks ties). The protected attribute is needed to fit, **not** at prediction.

    Parameters
    ----------
    lam : float or None
        Fixed fairness multiplier, or ``None`` to tune it.
    threshold : float
        Base cost threshold ``c``.
    lam_max : float
        Half-width of the grid searched when ``lam`` is ``None``.
    C : float
        Inverse L2 strength of the protected-attribute model.

    References
    ----------
    Menon, A. K., Williamson, R. C. (2018). The Cost of Fairness in Binary Classification.
    FAT* (PMLR 81).
    """

    def __init__(
        self, *, lam: Annotated[float | None, Param('Fairness multiplier; empty = tuned for demographic parity on the fitting data', range=(-100.0, 100.0), tunable=True)] = None, threshold: Annotated[float, Param('Base cost threshold c', range=(0.0, 1.0))] = 0.5, lam_max: Annotated[float, Param('Half-width of the lam grid', range=(0.0, 100.0))] = 2.0, C: Annotated[float, Param('Inverse L2 strength of the P(A | X) model', range=(0.0001, 10000.0))] = 1.0
    ) -> None:
        self.lam = lam
        self.threshold = threshold
        self.lam_max = lam_max
        self.C = C

    def _eta_a(self, X: Any) -> np.ndarray:
        if not isinstance(X, pd.DataFrame):
            raise DataError("menon_williamson_instance_thresholding needs the features X as a DataFrame")
        missing = [c for c in self.columns_ if c not in X.columns]
        if missing:
            raise DataError(f"column(s) {', '.join(map(str, missing))} seen in fit are missing from X")
        Z = self.encoder_.transform(_objectify(X[self.columns_], self._cats))
        return self.model_a_.predict_proba(Z)[:, 1]

    def fit(
        self, y_score: Any, y_true: Any, *, sensitive_features: Any, X: Any = None
    ) -> MenonWilliamsonThresholding:
        from sklearn.linear_model import LogisticRegression

        if not 0.0 < float(self.threshold) < 1.0:
            raise InvalidParameterError(f"threshold must be in (0, 1), got {self.threshold}")
        s = check_scores(y_score)
        y = check_labels(y_true, len(s))
        groups = check_groups(
            sensitive_features, len(s), binary=True, technique="menon_williamson_instance_thresholding"
        )
        if not isinstance(X, pd.DataFrame) or len(X) != len(s):
            raise DataError(
                "menon_williamson_instance_thresholding needs X (a DataFrame, one row per score) to fit"
            )
        self.groups_ = sorted(set(groups.tolist()))
        a = (groups == self.groups_[1]).astype(int)
        self.columns_ = list(X.columns)
        self.encoder_, self._cats = _encoder(X)
        Z = self.encoder_.fit_transform(_objectify(X, self._cats))
        self.model_a_ = LogisticRegression(C=float(self.C), max_iter=2000).fit(Z, a)
        self.base_rate_a_ = float(a.mean())
        eta_a = self.model_a_.predict_proba(Z)[:, 1]
        if self.lam is not None:
            self.lam_ = float(self.lam)
        else:
            best = None
            for lam in np.linspace(-float(self.lam_max), float(self.lam_max), 81):
                pred = s >= float(self.threshold) + lam * (eta_a - self.base_rate_a_)
                gap = abs(pred[a == 1].mean() - pred[a == 0].mean())
                key = (round(gap, 4), -float(np.mean(pred == y)))
                if best is None or key < best[0]:
                    best = (key, float(lam))
            assert best is not None
            self.lam_ = best[1]
        return self

    def predict(self, y_score: Any, *, sensitive_features: Any = None, X: Any = None) -> np.ndarray:
        """Labels from scores and features; ``sensitive_features`` is ignored."""
        s = check_scores(y_score)
        eta_a = self._eta_a(X)
        if len(eta_a) != len(s):
            raise DataError(f"X has {len(eta_a)} rows but the scores have {len(s)}")
        return (s >= float(self.threshold) + self.lam_ * (eta_a - self.base_rate_a_)).astype(int)

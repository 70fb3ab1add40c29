"""Base models for the runner. Model files are read and written by :mod:`fairmend.modelio`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from fairmend.errors import InvalidParameterError

BASE_MODELS = ("logreg", "gbm", "rf")


def categorical_columns(X: pd.DataFrame) -> list[str]:
    return [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c])]


def make_base_model(kind: str, X: pd.DataFrame, *, seed: int = 0) -> Pipeline:
    """A fresh, unfitted pipeline (one-hot categoricals, scaled numerics) for the columns of ``X``."""
    cats = categorical_columns(X)
    nums = [c for c in X.columns if c not in cats]
    prep = ColumnTransformer(
        [
            ("num", Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]), nums),
            ("cat", OneHotEncoder(handle_unknown="ignore", min_frequency=5), cats),
        ]
    )
    if kind == "logreg":
        clf: BaseEstimator = LogisticRegression(max_iter=2000)
    elif kind == "gbm":
        clf = HistGradientBoostingClassifier(random_state=seed)
    elif kind == "ridge":  # the regression baseline of fairmend.runner.tasks
        clf = Ridge(alpha=1.0)
    elif kind == "rf":
        clf = RandomForestClassifier(n_estimators=200, min_samples_leaf=5, random_state=seed, n_jobs=1)
    else:
        raise InvalidParameterError(f"unknown base model {kind!r} (choose {', '.join(BASE_MODELS)} or a .skops file)")
    return Pipeline([("prep", prep), ("clf", clf)])


def fit_model(model: Any, X: pd.DataFrame, y: np.ndarray, sample_weight: np.ndarray | None = None) -> Any:
    """Fit ``model``; sample weights reach the final step of a :class:`~sklearn.pipeline.Pipeline`."""
    if sample_weight is None:
        return model.fit(X, y)
    w = np.asarray(sample_weight, dtype=float)
    if isinstance(model, Pipeline):
        return model.fit(X, y, **{f"{model.steps[-1][0]}__sample_weight": w})
    try:
        return model.fit(X, y, sample_weight=w)
    except TypeError as exc:
        if "sample_weight" not in str(exc):
            raise
        raise InvalidParameterError(f"the model {type(model).__name__} does not accept sample_weight, which this "
                                    "pre-processor's reweighting needs") from None


def positive_scores(model: Any, X: pd.DataFrame) -> np.ndarray:
    """P(y = 1 | x) from ``predict_proba``, or a decision function squashed to (0, 1)."""
    if hasattr(model, "predict_proba"):
        proba = np.asarray(model.predict_proba(X))
        return proba[:, 1] if proba.ndim == 2 else proba
    return 1.0 / (1.0 + np.exp(-np.asarray(model.decision_function(X), dtype=float)))

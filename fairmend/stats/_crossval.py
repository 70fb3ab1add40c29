"""Stratified k-fold cross-validation of an intervention."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from fairmend.errors import InvalidParameterError
from fairmend.metrics._api import summarize
from fairmend.metrics._encode import as_binary, encode_groups


def _fit_predict(model: Any, X_tr: Any, y_tr: np.ndarray, A_tr: Any, X_te: Any, A_te: Any) -> tuple[np.ndarray, np.ndarray | None]:
    if callable(model) and not hasattr(model, "fit"):
        out = model(X_tr, y_tr, A_tr, X_te, A_te)
        return (np.asarray(out[0]), None if out[1] is None else np.asarray(out[1])) if isinstance(out, tuple) else (np.asarray(out), None)
    from sklearn.base import clone

    est = clone(model)
    fit_kw = {"sensitive_features": A_tr} if "sensitive_features" in inspect.signature(est.fit).parameters else {}
    est.fit(X_tr, y_tr, **fit_kw)
    pred_kw = {"sensitive_features": A_te} if "sensitive_features" in inspect.signature(est.predict).parameters else {}
    pred = np.asarray(est.predict(X_te, **pred_kw))
    score = None
    if hasattr(est, "predict_proba") and not pred_kw:
        score = np.asarray(est.predict_proba(X_te))[:, 1]
    return pred, score


def cross_validate_intervention(baseline: Any, intervention: Any | Callable[..., Any], X: Any, y: Any, *,
                                sensitive_features: Any, n_splits: int = 5, seed: int | None = 0,
                                metrics: Any = None) -> dict[str, Any]:
    """Stratified k-fold estimate of how an intervention changes each metric.

    Folds are stratified by (intersection group x label). In each fold both ``baseline`` and
    ``intervention`` are fitted on the training part and evaluated on the held-out part.

    Parameters
    ----------
    baseline, intervention : estimator or callable
        A scikit-learn estimator (cloned per fold; ``sensitive_features`` is passed to ``fit`` /
        ``predict`` when they accept it) or a callable ``f(X_train, y_train, A_train, X_test, A_test)``
        returning predictions or ``(predictions, scores)``.
    X : DataFrame or array
    y : array-like of 0/1
    sensitive_features : Series, DataFrame or array
    n_splits : int
    seed : int or None
    metrics : list of str, optional
        Default: the metrics available in every fold.

    Returns
    -------
    dict
        ``{"folds": [{metric: {"before", "after", "delta"}}], "summary": {metric: {"mean_before",
        "mean_after", "mean_delta", "std_delta", "min_delta", "max_delta"}}}``.
    """
    from sklearn.model_selection import StratifiedKFold

    if int(n_splits) < 2:
        raise InvalidParameterError(f"n_splits must be at least 2, got {n_splits!r}")
    yy = as_binary(y, "y")
    groups = encode_groups(sensitive_features, len(yy))
    A = sensitive_features if isinstance(sensitive_features, (pd.Series, pd.DataFrame)) else np.asarray(sensitive_features)
    strata = groups.codes * 2 + yy
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    take = (lambda obj, idx: obj.iloc[idx]) if isinstance(X, (pd.DataFrame, pd.Series)) else (lambda obj, idx: obj[idx])
    take_a = (lambda idx: A.iloc[idx]) if isinstance(A, (pd.Series, pd.DataFrame)) else (lambda idx: A[idx])
    per_fold: list[dict[str, dict[str, float]]] = []
    for tr, te in folds.split(np.zeros(len(yy)), strata):
        args = (take(X, tr), yy[tr], take_a(tr), take(X, te), take_a(te))
        pb, sb = _fit_predict(baseline, *args)
        pa, sa = _fit_predict(intervention, *args)
        both = sb is not None and sa is not None
        before = summarize(yy[te], pb, take_a(te), y_score=sb if both else None)
        after = summarize(yy[te], pa, take_a(te), y_score=sa if both else None)
        names = list(before) if metrics is None else list(metrics)
        per_fold.append({m: {"before": before[m], "after": after[m], "delta": after[m] - before[m]} for m in names if m in before})
    common = [m for m in per_fold[0] if all(m in f for f in per_fold)]
    summary = {}
    for m in common:
        d = np.array([f[m]["delta"] for f in per_fold])
        summary[m] = {
            "mean_before": float(np.nanmean([f[m]["before"] for f in per_fold])),
            "mean_after": float(np.nanmean([f[m]["after"] for f in per_fold])),
            "mean_delta": float(np.nanmean(d)),
            "std_delta": float(np.nanstd(d, ddof=1)),
            "min_delta": float(np.nanmin(d)),
            "max_delta": float(np.nanmax(d)),
        }
    return {"folds": per_fold, "summary": summary, "n_splits": int(n_splits)}

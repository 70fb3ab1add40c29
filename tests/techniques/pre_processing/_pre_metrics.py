"""Group-gap metrics for the pre-processing tests (fairlearn's definitions, computed directly)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fairmend.engine.models import fit_model, make_base_model


def dp_diff(pred: np.ndarray, A: pd.DataFrame) -> float:
    """Demographic parity difference: max - min selection rate over groups."""
    rates = pd.Series(np.asarray(pred)).groupby(A.iloc[:, 0].to_numpy()).mean()
    return float(rates.max() - rates.min())


def rate_diff(pred: np.ndarray, y: np.ndarray, A: pd.DataFrame, label: int) -> float:
    """Gap in P(pred = 1 | y = label, group): label 1 = TPR gap, label 0 = FPR gap."""
    rows = np.asarray(y) == label
    rates = pd.Series(np.asarray(pred)[rows]).groupby(A.iloc[:, 0].to_numpy()[rows]).mean()
    return float(rates.max() - rates.min())


def label_rate_diff(y: np.ndarray, groups: np.ndarray, weight: np.ndarray | None = None) -> float:
    """Gap in the (weighted) positive-label rate between groups of a training set."""
    w = np.ones(len(y)) if weight is None else np.asarray(weight, dtype=float)
    frame = pd.DataFrame({"y": np.asarray(y) * w, "w": w, "g": np.asarray(groups)})
    sums = frame.groupby("g")[["y", "w"]].sum()
    rates = sums["y"] / sums["w"]
    return float(rates.max() - rates.min())


def downstream_predictions(pre, split, X_train=None, X_test=None) -> tuple[np.ndarray, object]:
    """Fit ``pre`` on the training rows, train the baseline model on its output, predict the test rows."""
    X_train = split.X_train if X_train is None else X_train
    X_test = split.X_test if X_test is None else X_test
    res = pre.fit_resample(X_train, split.y_train, sensitive_features=split.A_train)
    model = make_base_model("logreg", res.X)
    fit_model(model, res.X, np.asarray(res.y), res.sample_weight)
    return np.asarray(model.predict(pre.transform(X_test, sensitive_features=split.A_test))), res

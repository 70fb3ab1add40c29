"""Baseline predictions on full Adult from a logistic regression on the numeric columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]


@pytest.fixture(scope="session")
def adult_preds(adult):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    frame = adult.frame
    X = frame[NUMERIC].to_numpy(dtype=float)
    y = frame[adult.label].to_numpy().astype(int)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    score = model.predict_proba(X)[:, 1]
    pred = (score >= 0.5).astype(int)
    A = frame[["sex", "race"]].reset_index(drop=True)
    return {"y": y, "pred": pred, "score": score, "A": A}


@pytest.fixture(scope="session")
def adult_fair_preds(adult_preds):
    """A real fairness intervention: per-sex thresholds chosen to equalize selection rates."""
    d = adult_preds
    score, sex = d["score"], d["A"]["sex"].to_numpy()
    target = d["pred"].mean()
    pred = np.zeros(len(score), dtype=int)
    for value in np.unique(sex):
        mask = sex == value
        threshold = np.quantile(score[mask], 1 - target)
        pred[mask] = (score[mask] > threshold).astype(int)
    return pred


def sex_only(d) -> pd.Series:
    return d["A"]["sex"]

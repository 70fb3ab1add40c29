"""Fixtures for the evaluation-stage analyses: Adult sample frame and a baseline-predictions frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fairmend.engine.models import make_base_model


@pytest.fixture(scope="module")
def adult_frame(adult_sample) -> pd.DataFrame:
    return adult_sample.frame.copy()


@pytest.fixture(scope="module")
def adult_scored(adult_sample) -> pd.DataFrame:
    """Adult sample with out-of-sample baseline predictions (2-fold cross-fit, sex/race excluded from X)."""
    from sklearn.model_selection import cross_val_predict

    frame = adult_sample.frame.copy()
    X = frame.drop(columns=["income", "sex", "race"])
    proba = cross_val_predict(make_base_model("logreg", X), X, frame["income"], cv=2, method="predict_proba")[
        :, 1
    ]
    frame["score"] = proba
    frame["pred"] = (proba >= 0.5).astype(int)
    return frame


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)

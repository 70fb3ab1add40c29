"""Fixtures for the pre-processing tests: a train/test split of the Adult sample and the baseline.

The baseline is the unmitigated model every technique is compared with: the runner's logistic
regression (one-hot categoricals, scaled numerics) with the protected attributes excluded from X.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from fairmend.engine.models import fit_model, make_base_model


@dataclass
class Split:
    X_train: pd.DataFrame
    y_train: np.ndarray
    A_train: pd.DataFrame
    X_test: pd.DataFrame
    y_test: np.ndarray
    A_test: pd.DataFrame
    baseline_pred: np.ndarray


def _split(frame: pd.DataFrame, keep_sex: bool) -> Split:
    strata = frame["sex"].astype(str) + frame["income"].astype(str)
    train, test = train_test_split(frame, test_size=0.5, stratify=strata, random_state=0)
    drop = ["income", "race"] + ([] if keep_sex else ["sex"])
    X_train = train.drop(columns=drop).reset_index(drop=True)
    X_test = test.drop(columns=drop).reset_index(drop=True)
    model = make_base_model("logreg", X_train)
    fit_model(model, X_train, train["income"].to_numpy())
    return Split(
        X_train=X_train,
        y_train=train["income"].to_numpy(),
        A_train=train[["sex"]].reset_index(drop=True),
        X_test=X_test,
        y_test=test["income"].to_numpy(),
        A_test=test[["sex"]].reset_index(drop=True),
        baseline_pred=np.asarray(model.predict(X_test)),
    )


@pytest.fixture(scope="session")
def adult_split(adult_sample) -> Split:
    """Adult sample (8,000 rows) split 50/50 stratified by sex x income; protected = sex, not in X."""
    return _split(adult_sample.frame, keep_sex=False)


@pytest.fixture(scope="session")
def adult_split_aware(adult_sample) -> Split:
    """Same split with ``sex`` kept as a feature (baseline = the 'aware' model)."""
    return _split(adult_sample.frame, keep_sex=True)

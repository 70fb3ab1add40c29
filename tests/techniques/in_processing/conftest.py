"""Fixtures for the in-processing tests: a train/test split of the Adult sample and a baseline.

The baseline is the unmitigated model every technique is compared with: logistic regression on
one-hot/standardised features with the protected attributes excluded from X.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from fairmend.catalog.techniques.in_processing._common import FeatureEncoder


@dataclass
class Split:
    X_train: pd.DataFrame
    y_train: np.ndarray
    A_train: pd.DataFrame
    X_test: pd.DataFrame
    y_test: np.ndarray
    A_test: pd.DataFrame
    baseline_pred: np.ndarray  # unmitigated logistic regression on X_test
    baseline_proba: np.ndarray


@pytest.fixture(scope="session")
def adult_split(adult_sample) -> Split:
    """Adult sample (8,000 rows) split 50/50 stratified by sex x income; protected = sex."""
    frame = adult_sample.frame
    strata = frame["sex"].astype(str) + frame["income"].astype(str)
    train, test = train_test_split(frame, test_size=0.5, stratify=strata, random_state=0)
    drop = ["income", "sex", "race"]
    X_train, X_test = train.drop(columns=drop), test.drop(columns=drop)
    enc = FeatureEncoder().fit(X_train)
    lr = LogisticRegression(max_iter=1000).fit(enc.transform(X_train), train["income"].to_numpy())
    return Split(
        X_train=X_train.reset_index(drop=True),
        y_train=train["income"].to_numpy(),
        A_train=train[["sex"]].reset_index(drop=True),
        X_test=X_test.reset_index(drop=True),
        y_test=test["income"].to_numpy(),
        A_test=test[["sex"]].reset_index(drop=True),
        baseline_pred=lr.predict(enc.transform(X_test)),
        baseline_proba=lr.predict_proba(enc.transform(X_test))[:, 1],
    )

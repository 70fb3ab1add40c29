"""Fixtures for the post-processing tests: Adult scores from an unmitigated logistic regression.

The model is trained on 40% of the full Adult data (45,222 rows; the 8,000-row sample leaves
~90 positive women per part, too few to see a TPR gap move) with the protected attributes excluded
from X; post-processors are fitted on the scores of a 30% validation part and evaluated on the
remaining 30% test part. Protected attribute: sex.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


@dataclass
class Scores:
    X_val: pd.DataFrame
    s_val: np.ndarray
    y_val: np.ndarray
    A_val: pd.DataFrame
    X_test: pd.DataFrame
    s_test: np.ndarray
    y_test: np.ndarray
    A_test: pd.DataFrame
    model: object  # the fitted pipeline (for direct library calls)


@pytest.fixture(scope="session")
def adult_scores(adult) -> Scores:
    frame = adult.frame
    strata = frame["sex"].astype(str) + frame["income"].astype(str)
    train, rest = train_test_split(frame, train_size=0.4, stratify=strata, random_state=0)
    rest_strata = rest["sex"].astype(str) + rest["income"].astype(str)
    val, test = train_test_split(rest, test_size=0.5, stratify=rest_strata, random_state=0)
    drop = ["income", "sex", "race"]
    X_train = train.drop(columns=drop)
    cats = [c for c in X_train.columns if not pd.api.types.is_numeric_dtype(X_train[c])]
    nums = [c for c in X_train.columns if c not in cats]
    model = make_pipeline(
        ColumnTransformer(
            [("num", StandardScaler(), nums), ("cat", OneHotEncoder(handle_unknown="ignore"), cats)]
        ),
        LogisticRegression(max_iter=2000),
    ).fit(X_train, train["income"].to_numpy())

    def part(df: pd.DataFrame) -> tuple:
        X = df.drop(columns=drop).reset_index(drop=True)
        return X, model.predict_proba(X)[:, 1], df["income"].to_numpy(), df[["sex"]].reset_index(drop=True)

    Xv, sv, yv, Av = part(val)
    Xt, st, yt, At = part(test)
    return Scores(Xv, sv, yv, Av, Xt, st, yt, At, model)

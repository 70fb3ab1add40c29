"""Regression (g-formula) building blocks shared by the causal-effect decompositions.

``OutcomeRegression`` fits ``μ(a, z, w) = E[Y | A=a, Z=z, W=w]`` (logistic for a 0/1 outcome,
linear otherwise) on a numeric design; :func:`nested_mean` averages ``μ(a_set, Z, W)`` over the
conditional distribution of ``W`` given ``(A=a_med, Z)`` by regressing the plug-in predictions on
``Z`` among the rows with ``A = a_med`` (the "iterated conditional expectation" form of the
g-formula). Defaults used for the Adult census data are in :data:`DEMOGRAPHIC_CONFOUNDERS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from fairmend.catalog.techniques.causal._common import as_columns, check_columns, design

from fairmend.errors import DataError

#: Attributes fixed at birth, treated as pre-treatment confounders ``Z`` when the user names none
#: (for Adult with ``sex`` protected: ``age``, ``native_country``, ``race``); every other feature is
#: treated as a mediator ``W``. This is the standard fairness model used for the census data by
#: Zhang & Bareinboim (2018) and Plečko & Bareinboim (2022).
DEMOGRAPHIC_CONFOUNDERS = ("age", "native_country", "race", "sex", "age_group")


def split_roles(
    data: pd.DataFrame,
    features: Sequence[str],
    confounders: str | Sequence[str] | None,
    mediators: str | Sequence[str] | None,
) -> tuple[list[str], list[str]]:
    """Confounder and mediator columns: user lists, else demographic defaults / the rest."""
    confs = as_columns(confounders)
    if confs is None:
        confs = [c for c in DEMOGRAPHIC_CONFOUNDERS if c in features]
    meds = as_columns(mediators)
    if meds is None:
        meds = [c for c in features if c not in confs]
    check_columns(data, confs + meds, "causal-model")
    overlap = set(confs) & set(meds)
    if overlap:
        raise DataError(f"columns {sorted(overlap)} are listed both as confounders and mediators")
    return confs, meds


def is_binary(y: np.ndarray) -> bool:
    return set(np.unique(y).tolist()) <= {0, 1}


class OutcomeRegression:
    """``E[Y | A, blocks...]`` on standardised / one-hot designs; ``model`` in {"logistic", "linear"}."""

    def __init__(self, model: str = "logistic", C: float = 1e4) -> None:
        if model not in ("logistic", "linear"):
            raise DataError(f"unknown outcome model {model!r}; use 'logistic' or 'linear'")
        self.model = model
        self.C = C

    def fit(self, a: np.ndarray, X: np.ndarray, y: np.ndarray) -> OutcomeRegression:
        from sklearn.linear_model import LinearRegression, LogisticRegression

        Z = np.column_stack([a, X])
        if self.model == "logistic":
            if not is_binary(y):
                raise DataError("the logistic outcome model needs a 0/1 outcome; use outcome_model='linear'")
            self.m_ = LogisticRegression(C=self.C, max_iter=3000).fit(Z, y)
        else:
            self.m_ = LinearRegression().fit(Z, y.astype(float))
        return self

    def predict(self, a_value: int, X: np.ndarray) -> np.ndarray:
        Z = np.column_stack([np.full(len(X), a_value), X])
        return self.m_.predict_proba(Z)[:, 1] if self.model == "logistic" else self.m_.predict(Z)


def regress(target: np.ndarray, X: np.ndarray, rows: np.ndarray) -> Any:
    """Least-squares projection of ``target`` on ``X`` fitted on ``rows`` (a boolean mask)."""
    from sklearn.linear_model import LinearRegression

    if X.shape[1] == 0:
        return float(np.mean(target[rows]))
    return LinearRegression().fit(X[rows], target[rows])


def apply(fit: Any, X: np.ndarray) -> np.ndarray:
    return np.full(len(X), fit) if isinstance(fit, float) else fit.predict(X)


def encode(data: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    return design(data, list(columns)).to_numpy(dtype=float)


__all__ = ["DEMOGRAPHIC_CONFOUNDERS", "OutcomeRegression", "apply", "encode", "regress", "split_roles"]

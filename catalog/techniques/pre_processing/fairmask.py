"""FairMask (Peng, Chakraborty & Menzies 2023): replace the protected attribute at inference by a prediction."""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.contracts import PreProcessorMixin, Resampled
from fairmend.catalog.params import Param

from fairmend.errors import DataError

from ._common import NumericEncoder, as_frame, check_groups


def _protected_frame(sensitive_features: Any, n_rows: int) -> pd.DataFrame:
    if isinstance(sensitive_features, pd.DataFrame):
        frame = sensitive_features.reset_index(drop=True)
    elif isinstance(sensitive_features, pd.Series):
        frame = sensitive_features.reset_index(drop=True).to_frame(
            name=sensitive_features.name or "protected"
        )
    else:
        frame = pd.DataFrame({"protected": np.asarray(sensitive_features)})
    if len(frame) != n_rows:
        raise DataError(f"sensitive_features has {len(frame)} rows but X has {n_rows}")
    return frame.astype(str).astype(object)


class FairMask(PreProcessorMixin):
    """Train the model with the true protected attribute, predict with an extrapolated one.

    ``fit`` learns one *extrapolation model* per protected attribute that predicts it from the
    other features (a decision tree, as in the paper). ``fit_resample`` returns the training rows
    with the true protected attribute(s) as extra column(s), so the downstream model may use them;
    ``transform`` fills those columns on new rows with the *predicted* values instead of the true
    ones. The deployed model therefore never sees a row's real group: its decisions depend on the
    group only through what the other features reveal, and two people with the same features get
    the same prediction whatever their group (no direct discrimination). Disparities that flow
    through proxies remain; compared with a model that is given the real attribute at inference,
    FairMask removes the direct effect. If X already has a column of the attribute's name, it is
    replaced rather than added.

    Parameters
    ----------
    max_depth : int
        Depth of the extrapolation trees.
    random_state : int
        Seed of the trees.

    References
    ----------
    Peng, K., Chakraborty, J. & Menzies, T. (2023). FairMask: Better Fairness via Model-Based
    Rebalancing of Protected Attributes. IEEE Transactions on Software Engineering 49(4).
    """

    def __init__(self, *, max_depth: Annotated[int, Param('Depth of the trees that predict the protected attribute', range=(1.0, 64.0))] = 8, random_state: Annotated[int, Param('Seed of the trees', range=(0.0, 2147483647.0))] = 0) -> None:
        self.max_depth = max_depth
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None, *, sensitive_features: Any) -> FairMask:
        from sklearn.tree import DecisionTreeClassifier

        X = as_frame(X)
        check_groups(sensitive_features, len(X), technique="FairMask")
        A = _protected_frame(sensitive_features, len(X))
        self.attributes_ = [str(c) for c in A.columns]
        self.feature_columns_ = [c for c in X.columns if str(c) not in self.attributes_]
        if not self.feature_columns_:
            raise DataError("FairMask needs features besides the protected attribute to extrapolate it from")
        self.encoder_ = NumericEncoder().fit(X[self.feature_columns_])
        Z = self.encoder_.transform(X[self.feature_columns_])
        self.extrapolators_ = {
            a: DecisionTreeClassifier(max_depth=int(self.max_depth), random_state=int(self.random_state)).fit(
                Z, A[a].to_numpy()
            )
            for a in A.columns
        }
        return self

    def _with(self, X: pd.DataFrame, A: pd.DataFrame) -> pd.DataFrame:
        out = X[self.feature_columns_].copy()
        for a in A.columns:
            out[str(a)] = A[a].to_numpy(dtype=object)
        return out

    def transform(self, X: Any, *, sensitive_features: Any = None) -> pd.DataFrame:
        X = as_frame(X)
        Z = self.encoder_.transform(X[self.feature_columns_])
        A = pd.DataFrame({a: model.predict(Z) for a, model in self.extrapolators_.items()}, dtype=object)
        out = self._with(X, A)
        out.index = X.index
        return out

    def fit_resample(self, X: Any, y: Any, *, sensitive_features: Any) -> Resampled:
        self.fit(X, y, sensitive_features=sensitive_features)
        X = as_frame(X).reset_index(drop=True)
        return Resampled(
            X=self._with(X, _protected_frame(sensitive_features, len(X))),
            y=np.asarray(y),
            sensitive_features=sensitive_features,
        )

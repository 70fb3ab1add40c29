"""GerryFair rich-subgroup fairness (Kearns et al. 2018) through aif360's ``GerryFairClassifier``.

aif360's fictitious-play learner (linear-regression cost-sensitive learner, linear auditor over the
protected attributes) runs as published. aif360 hands the protected columns to the learner as
features too, so the fitted model needs ``sensitive_features`` at prediction: ``predict`` takes
them (this implementation therefore needs the protected attribute at inference).
"""

from __future__ import annotations

import logging
import warnings
from typing import Annotated, Any

import numpy as np
import pandas as pd
from fairmend.catalog.params import Param
from fairmend.catalog.techniques.in_processing._common import (
    FeatureEncoder,
    check_binary_labels,
    check_groups,
    proba_columns,
)
from sklearn.base import BaseEstimator, ClassifierMixin

from fairmend.errors import DataError, InvalidParameterError, MissingDependencyError


def _import_gerryfair() -> tuple[Any, Any]:
    logging.getLogger().setLevel(logging.ERROR)  # aif360 logs missing optional backends on import
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from aif360.algorithms.inprocessing import GerryFairClassifier
            from aif360.datasets import BinaryLabelDataset
    except ImportError as exc:  # pragma: no cover
        raise MissingDependencyError("gerryfair_subgroup_fairness needs aif360 (install fairmend[aif360])") from exc
    return GerryFairClassifier, BinaryLabelDataset


class GerryFairSubgroupClassifier(ClassifierMixin, BaseEstimator):
    """Fictitious play between a learner and a subgroup auditor (aif360 wrapper).

    Parameters
    ----------
    fairness_def : str
        ``FP`` (false-positive-rate subgroup parity) or ``FN``.
    gamma : float
        Largest allowed weighted subgroup disparity.
    C : float
        Bound on the Lagrange multipliers.
    max_iters : int
        Rounds of fictitious play.

    References
    ----------
    Kearns, M., Neel, S., Roth, A., Wu, Z. S. (2018). Preventing Fairness Gerrymandering: Auditing
    and Learning for Subgroup Fairness. ICML 2018.
    """

    def __init__(self, *, fairness_def: Annotated[str, Param('Subgroup parity of false-positive or false-negative rates', choices=('FP', 'FN'))] = "FP", gamma: Annotated[float, Param('Allowed weighted subgroup disparity', range=(0.0, 1.0), tunable=True)] = 0.01, C: Annotated[float, Param('Bound on the Lagrange multipliers', range=(0.0, 10000.0))] = 10.0, max_iters: Annotated[int, Param('Rounds of fictitious play', range=(1.0, 10000.0))] = 50) -> None:
        self.fairness_def = fairness_def
        self.gamma = gamma
        self.C = C
        self.max_iters = max_iters

    def _protected_matrix(self, sensitive_features: Any, n_rows: int) -> pd.DataFrame:
        frame = sensitive_features if isinstance(sensitive_features, pd.DataFrame) else pd.DataFrame(
            {"protected": np.asarray(sensitive_features)}
        )
        if len(frame) != n_rows:
            raise DataError(f"sensitive_features has {len(frame)} rows but X has {n_rows}")
        frame = frame.astype(str).astype(object).reset_index(drop=True)
        if not hasattr(self, "protected_encoder_"):
            self.protected_encoder_ = FeatureEncoder(min_frequency=1).fit(frame)
        return self.protected_encoder_.transform(frame)

    def _dataset(self, X: Any, sensitive_features: Any, y: np.ndarray) -> Any:
        _, BinaryLabelDataset = _import_gerryfair()
        Xe = self.encoder_.transform(X)
        P = self._protected_matrix(sensitive_features, len(Xe))
        names = [f"f{i}" for i in range(Xe.shape[1])]
        prot = [f"a{i}" for i in range(P.shape[1])]
        df = pd.DataFrame(np.column_stack([Xe, P, y]), columns=names + prot + ["label"])
        return BinaryLabelDataset(df=df, label_names=["label"], protected_attribute_names=prot)

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> GerryFairSubgroupClassifier:
        GerryFairClassifier, _ = _import_gerryfair()
        if self.fairness_def not in ("FP", "FN"):
            raise InvalidParameterError(f"fairness_def {self.fairness_def!r} is not one of FP, FN")
        if sample_weight is not None:
            raise InvalidParameterError("GerryFair does not support sample_weight")
        y_arr = check_binary_labels(y)
        check_groups(sensitive_features, len(y_arr), technique="GerryFairSubgroupClassifier")
        self.encoder_ = FeatureEncoder().fit(X)
        ds = self._dataset(X, sensitive_features, y_arr.astype(float))
        self.model_ = GerryFairClassifier(
            C=self.C, printflag=False, gamma=self.gamma, fairness_def=self.fairness_def, max_iters=self.max_iters
        )
        self.model_.fit(ds, early_termination=True)
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X: Any, *, sensitive_features: Any) -> np.ndarray:
        ds = self._dataset(X, sensitive_features, np.zeros(len(X)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = self.model_.predict(ds, threshold=None)
        return proba_columns(np.asarray(out.labels, dtype=float).ravel())

    def predict(self, X: Any, *, sensitive_features: Any) -> np.ndarray:
        return (self.predict_proba(X, sensitive_features=sensitive_features)[:, 1] >= 0.5).astype(int)

"""The one calling convention per stage. A technique's metadata names its contract
(:class:`fairmend.catalog.types.Contract`); the runner dispatches on that, never by probing
for methods or catching ``NotImplementedError``.

All implementations follow the scikit-learn estimator contract: they subclass
:class:`sklearn.base.BaseEstimator` (classifiers also ``ClassifierMixin``, clusterers ``ClusterMixin``),
so ``get_params``/``set_params``/``clone`` work; ``__init__`` only stores its keyword arguments (the
technique's ``parameters``), ``fit`` returns ``self`` and learned attributes end in ``_``. ``sensitive_features`` is always keyword-only; it is a 1-D array-like
of group labels, or a DataFrame with one column per protected attribute (implementations that
need a single column combine them with :func:`group_labels`).

``preprocessor`` (pre-processing)
    ``fit(X, y, *, sensitive_features) -> self``
    ``fit_resample(X, y, *, sensitive_features) -> Resampled`` — the repaired *training* data:
    new X, possibly new y (massaging, sampling), and/or ``sample_weight`` (reweighing).
    ``transform(X, *, sensitive_features=None) -> X`` — what to apply to data at prediction
    time (feature repairs); identity for techniques that only reweight or resample.

``estimator`` (in-processing)
    ``fit(X, y, *, sensitive_features, sample_weight=None) -> self``; ``predict(X)``;
    ``predict_proba(X)`` (every classification estimator is probabilistic; a test holds them to it). Techniques whose metadata says
    ``needs_protected_attribute_at_inference`` take ``predict(X, *, sensitive_features)``.

``postprocessor`` (post-processing)
    Works on a trained model's scores for the positive class, so it applies to deployed
    models that cannot be retrained: ``fit(y_score, y_true, *, sensitive_features, X=None)
    -> self``; ``predict(y_score, *, sensitive_features, X=None) -> labels``;
    ``predict_proba(y_score, *, sensitive_features, X=None) -> adjusted P(y=1)`` for
    calibrators and score repairs: a post-processor declares that it outputs scores by defining
    it (:func:`outputs_scores`); one that does not leaves the model's scores as they were. ``X`` is passed for techniques that need features (e.g.
    instance thresholding with an estimate of P(A | X)).

``ranker`` (ranking post-processing)
    ``rerank(scores, groups, *, k) -> indices`` of the re-ranked top ``k``.

``clusterer`` (fair clustering)
    ``fit(X, y=None, *, sensitive_features) -> self`` sets ``labels_`` (the fair assignment of the
    training rows) and ``cluster_centers_``; ``predict(X)`` assigns new rows to the nearest centre.

``analysis`` (causal, evaluation, monitoring, documentation)
    ``run(data, *, protected, outcome, predictions=None, scores=None) -> AnalysisResult``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator


@dataclass
class Resampled:
    """Training data produced by a pre-processor."""

    X: pd.DataFrame
    y: np.ndarray
    sensitive_features: Any
    sample_weight: np.ndarray | None = None


@dataclass
class AnalysisResult:
    """Output of an analysis technique: JSON-ready numbers, optional tables and written files."""

    technique: str
    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    artifacts: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "technique": self.technique,
            "summary": self.summary,
            "tables": {k: v.to_dict(orient="records") for k, v in self.tables.items()},
            "artifacts": dict(self.artifacts),
        }


def outputs_scores(postprocessor_class: type) -> bool:
    """Whether a post-processor's declared contract includes adjusted scores (its class defines ``predict_proba``)."""
    return callable(getattr(postprocessor_class, "predict_proba", None))


def group_labels(sensitive_features: Any) -> np.ndarray:
    """One label per row: the value itself for one attribute, ``"a|b"`` for several."""
    if isinstance(sensitive_features, pd.DataFrame):
        if sensitive_features.shape[1] == 1:
            return sensitive_features.iloc[:, 0].astype(str).to_numpy(dtype=object)
        joint = sensitive_features.iloc[:, 0].astype(str).to_numpy(dtype=object)
        for i in range(1, sensitive_features.shape[1]):  # vectorised: a row-wise agg("|".join) is ~100x slower
            joint = joint + "|" + sensitive_features.iloc[:, i].astype(str).to_numpy(dtype=object)
        return joint
    arr = np.asarray(sensitive_features)
    if arr.ndim == 2:
        return group_labels(pd.DataFrame(arr))
    return arr.astype(str).astype(object)


class PreProcessorMixin(BaseEstimator):
    """Defaults for pre-processors that only reweight or resample: test data pass through.

    A :class:`~sklearn.base.BaseEstimator` (``get_params``/``set_params``/``clone`` read ``__init__``), but
    deliberately not a ``TransformerMixin``: a pre-processor's product is ``fit_resample`` (new rows, labels
    or weights), which ``fit_transform`` cannot return; :class:`fairmend.estimators.PreprocessedClassifier`
    is the scikit-learn-pipeline form.
    """

    def transform(self, X: pd.DataFrame, *, sensitive_features: Any = None) -> pd.DataFrame:
        return X

    def fit_resample(self, X: pd.DataFrame, y: Any, *, sensitive_features: Any) -> Resampled:
        self.fit(X, y, sensitive_features=sensitive_features)  # type: ignore[attr-defined]
        return Resampled(
            X=self.transform(X, sensitive_features=sensitive_features),
            y=np.asarray(y),
            sensitive_features=sensitive_features,
        )

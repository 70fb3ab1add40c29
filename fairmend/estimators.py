"""Every pre-, in- and post-processing technique as a scikit-learn classifier: ``fairmend.estimator``.

>>> import fairmend
>>> from sklearn.ensemble import GradientBoostingClassifier
>>> clf = fairmend.estimator("reweighing_kamiran_calders", estimator=GradientBoostingClassifier())
>>> clf.fit(X, y, sensitive_features=A).predict(X)  # doctest: +SKIP

The three shapes follow fairlearn's meta-estimators:

* **pre-processing** (:class:`PreprocessedClassifier`): repair the training rows (reweigh, resample,
  transform), then fit ``estimator`` on them; the weights and resampled rows really reach it.
* **in-processing** (:class:`InProcessingClassifier`): the technique is the model; model-agnostic
  methods (the reductions) take ``estimator=`` as their base learner.
* **post-processing** (:class:`PostProcessedClassifier`): ``(estimator, prefit=False)`` like
  ``ThresholdOptimizer``; with ``prefit=True`` the user's fitted model is used as it is, never refitted.
  The scores-in, decisions-out form for deployed models is the technique class itself
  (``technique.load()``), whose code this wrapper calls.

All are :class:`sklearn.base.BaseEstimator` s: ``get_params``/``set_params``/``clone`` work, the
technique's parameters are top-level parameters (``GridSearchCV(param_grid={"eps": [...]})``), and
``sensitive_features`` is requested for ``fit`` through scikit-learn's metadata routing, so
``cross_validate(clf, X, y, params={"sensitive_features": A})`` works under
``sklearn.set_config(enable_metadata_routing=True)``.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils.validation import check_is_fitted

from fairmend.catalog.types import Contract, Technique
from fairmend.errors import InvalidParameterError, NotExecutableError

_OWN = ("technique", "estimator")


def estimator(key: str, *, estimator: Any = None, prefit: bool = False, catalog: Any = None,
              **params: Any) -> BaseEstimator:
    """An unfitted scikit-learn classifier applying technique ``key`` (see the module docstring).

    Parameters
    ----------
    key : str
        A pre-, in- or post-processing technique (``fairmend techniques list``).
    estimator : scikit-learn classifier, optional
        The model to repair (pre), the base learner of a model-agnostic in-processor, or the model to
        post-process. Default: fairmend's logistic-regression pipeline (one-hot categoricals, scaled
        numerics).
    prefit : bool, default False
        Post-processing only: ``estimator`` is already fitted and is never refitted.
    **params
        The technique's parameters (``fairmend techniques show KEY``); checked against its declared ranges.
    """
    from fairmend.plugins import get_catalog

    technique = (catalog or get_catalog()).get(key)
    cls = {Contract.PREPROCESSOR: PreprocessedClassifier, Contract.ESTIMATOR: InProcessingClassifier,
           Contract.POSTPROCESSOR: PostProcessedClassifier}.get(technique.contract)
    if cls is None or not technique.executable:
        raise NotExecutableError(f"technique {key!r} ({technique.stage.value}) is not a pre-, in- or post-processing "
                                 "technique fairmend can apply as an estimator")
    if prefit and cls is not PostProcessedClassifier:
        raise InvalidParameterError(f"prefit=True applies to post-processing; {key!r} is {technique.stage.value}")
    extra = {"prefit": prefit} if cls is PostProcessedClassifier else {}
    est = cls(technique=key, estimator=estimator, **extra, **params)
    est._checked_params(technique)  # unknown names and out-of-range values fail here, not at fit time
    return est


class _TechniqueEstimator(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Shared parameter handling: the technique's own parameters are first-class estimator parameters."""

    __metadata_request__fit = {"sensitive_features": True}  # noqa: RUF012 - scikit-learn's declaration form

    def __init__(self, technique: str, estimator: Any = None, **params: Any) -> None:
        self.technique = technique
        self.estimator = estimator
        for name, value in params.items():
            setattr(self, name, value)

    # -- parameters ----------------------------------------------------------------------------
    def _technique(self) -> Technique:
        from fairmend.plugins import get_catalog

        return get_catalog().get(self.technique)

    def _extra_names(self) -> tuple[str, ...]:
        return ()

    def _technique_param_names(self) -> list[str]:
        return [p.name for p in self._technique().parameters if p.name not in _OWN]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"technique": self.technique, "estimator": self.estimator}
        out.update({name: getattr(self, name) for name in self._extra_names()})
        for p in self._technique().parameters:
            if p.name not in _OWN:
                out[p.name] = getattr(self, p.name, p.default)
        if deep and self.estimator is not None and hasattr(self.estimator, "get_params"):
            out.update({f"estimator__{k}": v for k, v in self.estimator.get_params(deep=True).items()})
        return out

    def _checked_params(self, technique: Technique | None = None) -> dict[str, Any]:
        technique = technique or self._technique()
        known = {p.name for p in technique.parameters}
        unknown = sorted(set(vars(self)) - known - set(_OWN) - set(self._extra_names())
                         - {k for k in vars(self) if k.endswith("_") or k.startswith("_")})
        if unknown:
            raise InvalidParameterError(
                f"{self.technique!r} has no parameter(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        values = {p.name: getattr(self, p.name, p.default) for p in technique.parameters if p.name not in _OWN}
        return {name: value if value is None else technique.parameter(name).coerce(value)
                for name, value in values.items()}

    def _make_technique(self) -> Any:
        technique = self._technique()
        impl = technique.load()
        kwargs = self._checked_params(technique)
        accepts = inspect.signature(impl).parameters
        if self.estimator is not None and "estimator" in accepts and technique.contract is Contract.ESTIMATOR:
            kwargs["estimator"] = clone(self.estimator)
        return impl(**kwargs)

    def _default_model(self, X: pd.DataFrame) -> Any:
        from fairmend.runner.models import make_base_model

        return make_base_model("logreg", _frame(X))

    def _sensitive(self, sensitive_features: Any, n: int, *, when: str) -> Any:
        if sensitive_features is None:
            raise InvalidParameterError(
                f"{self.technique!r} needs sensitive_features at {when} (pass sensitive_features=...)")
        A = sensitive_features
        if not isinstance(A, (pd.Series, pd.DataFrame)):
            arr = np.asarray(A)
            A = pd.DataFrame(arr) if arr.ndim == 2 else pd.Series(arr, name="sensitive_features")
        if len(A) != n:
            raise InvalidParameterError(f"sensitive_features has {len(A)} rows but X has {n}")
        return A.reset_index(drop=True)

    def _needs_sensitive_at_predict(self) -> bool:
        return bool(self._technique().needs_protected_attribute_at_inference)

    def _labels(self, y: Any) -> np.ndarray:
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) != 2:
            raise InvalidParameterError(f"{self.technique!r} needs a binary outcome; got {len(self.classes_)} classes")
        return (y == self.classes_[1]).astype(int)

    def _decode(self, pred: Any) -> np.ndarray:
        return self.classes_[np.asarray(pred).astype(int)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


def _frame(X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X.reset_index(drop=True)
    arr = np.asarray(X)
    return pd.DataFrame(arr.reshape(len(arr), -1), columns=[f"x{i}" for i in range(arr.reshape(len(arr), -1).shape[1])])


def fit_with_weights(model: Any, X: Any, y: Any, sample_weight: Any) -> Any:
    """Fit ``model`` with instance weights; a Pipeline gets them at its final step."""
    from sklearn.pipeline import Pipeline
    from sklearn.utils.validation import has_fit_parameter

    if sample_weight is None:
        return model.fit(X, y)
    w = np.asarray(sample_weight, dtype=float)
    if isinstance(model, Pipeline):
        name, last = model.steps[-1]
        if not has_fit_parameter(last, "sample_weight"):
            raise InvalidParameterError(f"the estimator's final step {type(last).__name__} takes no sample_weight, "
                                        "which this technique needs to reach the model")
        return model.fit(X, y, **{f"{name}__sample_weight": w})
    if not has_fit_parameter(model, "sample_weight"):
        raise InvalidParameterError(f"{type(model).__name__} takes no sample_weight, which this technique needs "
                                    "to reach the model")
    return model.fit(X, y, sample_weight=w)


class PreprocessedClassifier(_TechniqueEstimator):
    """Repair the training data with a pre-processing technique, then fit ``estimator`` on it."""

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> PreprocessedClassifier:
        X = _frame(X)
        y01 = self._labels(y)
        A = self._sensitive(sensitive_features, len(X), when="fit")
        self.preprocessor_ = self._make_technique()
        res = self.preprocessor_.fit_resample(X, y01, sensitive_features=A)
        weights = res.sample_weight
        if sample_weight is not None:
            if len(res.y) != len(y01):
                raise InvalidParameterError(f"{self.technique!r} resamples the rows, so sample_weight cannot be combined")
            user = np.asarray(sample_weight, dtype=float)
            weights = user if weights is None else weights * user
        model = clone(self.estimator) if self.estimator is not None else self._default_model(res.X)
        self.estimator_ = fit_with_weights(model, res.X, np.asarray(res.y), weights)
        self.sample_weight_ = weights
        return self

    def _transformed(self, X: Any, sensitive_features: Any) -> Any:
        check_is_fitted(self, "estimator_")
        X = _frame(X)
        A = self._sensitive(sensitive_features, len(X), when="predict") if (
            sensitive_features is not None or self._needs_sensitive_at_predict()) else None
        return self.preprocessor_.transform(X, sensitive_features=A)

    def predict(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        return self._decode(self.estimator_.predict(self._transformed(X, sensitive_features)))

    def predict_proba(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        return np.asarray(self.estimator_.predict_proba(self._transformed(X, sensitive_features)))


class InProcessingClassifier(_TechniqueEstimator):
    """An in-processing technique as a classifier; ``estimator`` is the base learner where it takes one."""

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> InProcessingClassifier:
        X = _frame(X)
        y01 = self._labels(y)
        A = self._sensitive(sensitive_features, len(X), when="fit")
        impl = self._technique().load()
        if self.estimator is not None and "estimator" not in inspect.signature(impl).parameters:
            raise InvalidParameterError(f"{self.technique!r} trains its own model and takes no estimator")
        self.model_ = self._make_technique()
        kwargs = {} if sample_weight is None else {"sample_weight": np.asarray(sample_weight, dtype=float)}
        if kwargs and "sample_weight" not in inspect.signature(self.model_.fit).parameters:
            raise InvalidParameterError(f"{self.technique!r} does not take sample_weight")
        self.model_.fit(X, y01, sensitive_features=A, **kwargs)
        return self

    def _kw(self, X: pd.DataFrame, sensitive_features: Any) -> dict[str, Any]:
        if self._needs_sensitive_at_predict():
            return {"sensitive_features": self._sensitive(sensitive_features, len(X), when="predict")}
        return {}

    def predict(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = _frame(X)
        return self._decode(self.model_.predict(X, **self._kw(X, sensitive_features)))

    def predict_proba(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = _frame(X)
        if not hasattr(self.model_, "predict_proba"):
            raise NotExecutableError(f"{self.technique!r} gives decisions, not probabilities")
        return np.asarray(self.model_.predict_proba(X, **self._kw(X, sensitive_features)))


class PostProcessedClassifier(_TechniqueEstimator):
    """Post-process ``estimator``'s scores; with ``prefit=True`` the fitted estimator is used as it is."""

    __metadata_request__predict = {"sensitive_features": True}  # noqa: RUF012 - post-processors are group-aware

    def __init__(self, technique: str, estimator: Any = None, prefit: bool = False, **params: Any) -> None:
        super().__init__(technique, estimator, **params)
        self.prefit = prefit

    def _extra_names(self) -> tuple[str, ...]:
        return ("prefit",)

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> PostProcessedClassifier:
        from fairmend.runner.models import positive_scores

        X = _frame(X)
        y01 = self._labels(y)
        A = self._sensitive(sensitive_features, len(X), when="fit")
        if self.prefit:
            if self.estimator is None:
                raise InvalidParameterError("prefit=True needs the fitted estimator")
            check_is_fitted(self.estimator)
            self.estimator_ = self.estimator  # the user's model, as deployed: never refitted
        else:
            model = clone(self.estimator) if self.estimator is not None else self._default_model(X)
            self.estimator_ = fit_with_weights(model, X, y01, sample_weight)
        self.postprocessor_ = self._make_technique()
        self.postprocessor_.fit(positive_scores(self.estimator_, X), y01, sensitive_features=A, X=X)
        return self

    def _scores(self, X: Any, sensitive_features: Any) -> tuple[np.ndarray, Any, pd.DataFrame]:
        from fairmend.runner.models import positive_scores

        check_is_fitted(self, "postprocessor_")
        X = _frame(X)
        A = self._sensitive(sensitive_features, len(X), when="predict")
        return positive_scores(self.estimator_, X), A, X

    def predict(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        scores, A, X = self._scores(X, sensitive_features)
        return self._decode(self.postprocessor_.predict(scores, sensitive_features=A, X=X))

    def predict_proba(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        scores, A, X = self._scores(X, sensitive_features)
        if not hasattr(self.postprocessor_, "predict_proba"):
            raise NotExecutableError(f"{self.technique!r} gives decisions, not probabilities")
        out = np.asarray(self.postprocessor_.predict_proba(scores, sensitive_features=A, X=X), dtype=float)
        return out if out.ndim == 2 else np.column_stack([1 - out, out])

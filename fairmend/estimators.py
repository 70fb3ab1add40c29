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

Each technique gets its own class (``estimator_class(key)``, e.g. ``ReweighingKamiranCaldersClassifier``)
whose ``__init__`` signature is ``(estimator=None, *, [prefit=False,] <the technique's parameters>)``,
so scikit-learn's own ``get_params``/``set_params``/``clone`` work unchanged, ``GridSearchCV`` tunes the
technique's parameters directly (``param_grid={"eps": [...]}``), and the classes pickle by name. Values
are checked against the declared ranges by :func:`estimator` and again at ``fit``, never in ``__init__``.

``sensitive_features`` is requested for ``fit`` (and, for post-processing, ``predict``) through
scikit-learn's metadata routing, so ``cross_validate(clf, X, y, params={"sensitive_features": A})``
works under ``sklearn.set_config(enable_metadata_routing=True)``. Inputs are validated the
scikit-learn way (``ValueError`` for malformed arrays, NaN, sparse matrices or mismatched feature
counts); numeric arrays or DataFrames are accepted, and categorical columns need a DataFrame.
"""

from __future__ import annotations

import inspect
import re
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from fairmend.catalog.types import Contract, Technique
from fairmend.errors import InvalidParameterError, LabelError, NotExecutableError

__all__ = ["InProcessingClassifier", "PostProcessedClassifier", "PreprocessedClassifier", "estimator",
           "estimator_class"]


class OutcomeNotBinaryError(LabelError, ValueError):
    """The outcome does not have exactly two classes: a fairmend :class:`~fairmend.errors.LabelError`
    that scikit-learn code (``check_estimator``, ``GridSearchCV(error_score=...)``) sees as ``ValueError``."""


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
    cls = estimator_class(key, catalog=catalog)
    technique = cls._technique_spec
    if prefit and not issubclass(cls, PostProcessedClassifier):
        raise InvalidParameterError(f"prefit=True applies to post-processing; {key!r} is {technique.stage.value}")
    unknown = sorted(set(params) - set(cls._technique_params()))
    if unknown:
        known = ", ".join(cls._technique_params()) or "none"
        raise InvalidParameterError(f"{key!r} has no parameter(s) {', '.join(unknown)} (known: {known})")
    if issubclass(cls, PostProcessedClassifier):
        params["prefit"] = prefit
    est = cls(estimator=estimator, **params)
    est._checked_params()  # out-of-range values fail here, not at fit time
    return est


_CLASSES: dict[tuple[str, int], type] = {}


def estimator_class(key: str, *, catalog: Any = None) -> type[_TechniqueEstimator]:
    """The scikit-learn classifier class of technique ``key`` (one class per technique, cached)."""
    from fairmend.plugins import get_catalog

    technique = (catalog or get_catalog()).get(key)
    base = _BASES.get(technique.contract) if technique.executable else None
    if base is None:
        raise NotExecutableError(f"technique {key!r} ({technique.stage.value}) is not a pre-, in- or post-processing "
                                 "technique fairmend can apply as an estimator")
    # One class per key for the shared catalog, kept across plugins.reset(), so a pickled estimator always
    # finds its own class by name; a caller's own catalog gets classes of its own.
    cache_key = (key, 0 if catalog is None else id(technique))
    if cache_key not in _CLASSES:
        _CLASSES[cache_key] = _make_class(base, technique)
    return _CLASSES[cache_key]


def _class_name(key: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", key) if part) + "Classifier"


def _make_class(base: type[_TechniqueEstimator], technique: Technique) -> type[_TechniqueEstimator]:
    name = _class_name(technique.key)
    specs = [p for p in technique.parameters if p.name not in base._own]
    P = inspect.Parameter
    signature = inspect.Signature(
        [P("self", P.POSITIONAL_OR_KEYWORD), P("estimator", P.POSITIONAL_OR_KEYWORD, default=None)]
        + [P(own, P.KEYWORD_ONLY, default=default) for own, default in base._own_defaults.items()]
        + [P(p.name, P.KEYWORD_ONLY, default=p.default) for p in specs]
    )
    defaults = {**base._own_defaults, **{p.name: p.default for p in specs}}

    def __init__(self: Any, estimator: Any = None, **params: Any) -> None:
        self.estimator = estimator
        for param, default in defaults.items():
            setattr(self, param, params.pop(param, default))
        if params:
            raise TypeError(f"{name}.__init__() got an unexpected keyword argument {next(iter(params))!r}")

    __init__.__signature__ = signature  # type: ignore[attr-defined]
    __init__.__qualname__ = f"{name}.__init__"
    doc = (f"{technique.name} ({technique.stage.value}) as a scikit-learn classifier.\n\n"
           f"{technique.summary}\n\nParameters: estimator, "
           + ", ".join([*base._own_defaults, *(p.name for p in specs)]) + " (``fairmend techniques show "
           f"{technique.key}``).")
    return type(name, (base,), {"__init__": __init__, "__module__": __name__, "__qualname__": name,
                                "__doc__": doc, "_technique_spec": technique})


def __getattr__(name: str) -> Any:
    """Technique classes by name (``fairmend.estimators.ReweighingKamiranCaldersClassifier``), so they pickle."""
    if name.endswith("Classifier") and not name.startswith("_"):
        from fairmend.plugins import get_catalog

        for technique in get_catalog():
            if _class_name(technique.key) == name and technique.executable and technique.contract in _BASES:
                return estimator_class(technique.key)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _TechniqueEstimator(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """Shared plumbing: parameters, input validation, sensitive features, labels."""

    __metadata_request__fit = {"sensitive_features": True}  # noqa: RUF012 - scikit-learn's declaration form
    __metadata_request__score = {"sensitive_features": True}  # noqa: RUF012 - passed on to predict
    _technique_spec: ClassVar[Technique | None] = None
    _own: ClassVar[tuple[str, ...]] = ("estimator",)
    _own_defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, estimator: Any = None) -> None:
        self.estimator = estimator

    # -- parameters ----------------------------------------------------------------------------
    @classmethod
    def _technique(cls) -> Technique:
        if cls._technique_spec is None:
            raise NotExecutableError(f"{cls.__name__} is a base class; use fairmend.estimator(key) or "
                                     "fairmend.estimators.estimator_class(key)")
        return cls._technique_spec

    @classmethod
    def _technique_params(cls) -> list[str]:
        return [p.name for p in cls._technique().parameters if p.name not in cls._own]

    def _checked_params(self) -> dict[str, Any]:
        technique = self._technique()
        return {name: value if value is None else technique.parameter(name).coerce(value)
                for name, value in ((n, getattr(self, n)) for n in self._technique_params())}

    def _make_technique(self) -> Any:
        technique = self._technique()
        impl = technique.load()
        kwargs = self._checked_params()
        if self.estimator is not None and "estimator" in inspect.signature(impl).parameters and \
                technique.contract is Contract.ESTIMATOR:
            kwargs["estimator"] = clone(self.estimator)
        return impl(**kwargs)

    def _default_model(self, X: pd.DataFrame) -> Any:
        from fairmend.engine.models import make_base_model

        return make_base_model("logreg", X)

    # -- inputs --------------------------------------------------------------------------------
    def _validate_fit(self, X: Any, y: Any, sensitive_features: Any,
                      sample_weight: Any) -> tuple[pd.DataFrame, np.ndarray, Any, np.ndarray | None]:
        """scikit-learn's checks of X, y and sample_weight, then the binary outcome and the groups."""
        is_frame = isinstance(X, pd.DataFrame)
        Xv, yv = validate_data(self, X, y, reset=True, dtype=None if is_frame else "numeric")
        check_classification_targets(yv)
        self.classes_ = np.unique(yv)
        if len(self.classes_) != 2:
            raise OutcomeNotBinaryError(
                f"Only binary classification is supported. {self._technique().key!r} needs a binary outcome; "
                f"got {len(self.classes_)} class(es).")
        y01 = (yv == self.classes_[1]).astype(int)
        frame = self._frame(X, Xv)
        A = self._sensitive(sensitive_features, len(frame), when="fit")
        weights = None if sample_weight is None else _check_sample_weight(sample_weight, Xv, ensure_non_negative=True)
        if weights is not None and len(np.unique(y01[weights > 0])) < 2:
            raise OutcomeNotBinaryError(
                f"Only binary classification is supported. {self._technique().key!r}: sample_weight leaves a "
                "single class with positive weight.")
        return frame, y01, A, weights

    def _validate_predict(self, X: Any) -> pd.DataFrame:
        is_frame = isinstance(X, pd.DataFrame)
        Xv = validate_data(self, X, reset=False, dtype=None if is_frame else "numeric")
        return self._frame(X, Xv)

    def _frame(self, X: Any, Xv: Any) -> pd.DataFrame:
        """The DataFrame the techniques take: the user's DataFrame as it is where its column names are strings
        (categorical columns keep their dtype), otherwise the validated array with the fitted feature names,
        or ``x0, x1, ...`` when there are none (a DataFrame with other column names reads like an array)."""
        if isinstance(X, pd.DataFrame) and all(isinstance(c, str) for c in X.columns):
            return X.reset_index(drop=True)
        names = getattr(self, "feature_names_in_", None)
        columns = list(names) if names is not None else [f"x{i}" for i in range(Xv.shape[1])]
        if isinstance(X, pd.DataFrame):
            return X.reset_index(drop=True).set_axis(columns, axis=1)
        return pd.DataFrame(Xv, columns=columns)

    def _sensitive(self, sensitive_features: Any, n: int, *, when: str) -> Any:
        if sensitive_features is None:
            raise InvalidParameterError(
                f"{self._technique().key!r} needs sensitive_features at {when} (pass sensitive_features=...)")
        A = sensitive_features
        if not isinstance(A, (pd.Series, pd.DataFrame)):
            arr = np.asarray(A)
            A = pd.DataFrame(arr) if arr.ndim == 2 else pd.Series(arr, name="sensitive_features")
        if len(A) != n:
            raise InvalidParameterError(f"sensitive_features has {len(A)} rows but X has {n}")
        return A.reset_index(drop=True)

    def _needs_sensitive_at_predict(self) -> bool:
        return bool(self._technique().needs_protected_attribute_at_inference)

    def _decode(self, pred: Any) -> np.ndarray:
        """Class labels from 0/1 decisions; a continuous prediction of the 0/1 outcome (a regression
        technique) is thresholded at 0.5 rather than truncated."""
        pred = np.asarray(pred)
        if pred.dtype.kind == "f" and not np.isin(pred, (0.0, 1.0)).all():
            pred = pred >= 0.5
        return self.classes_[pred.astype(int)]

    def score(self, X: Any, y: Any, sample_weight: Any = None, *, sensitive_features: Any = None) -> float:
        """Accuracy, with ``sensitive_features`` passed on where prediction needs them."""
        from sklearn.metrics import accuracy_score

        return float(accuracy_score(y, self.predict(X, sensitive_features=sensitive_features),
                                    sample_weight=sample_weight))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.classifier_tags.multi_class = False  # every technique here works on a binary outcome
        return tags


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
        X, y01, A, user_weights = self._validate_fit(X, y, sensitive_features, sample_weight)
        self.preprocessor_ = self._make_technique()
        res = self.preprocessor_.fit_resample(X, y01, sensitive_features=A)
        weights = res.sample_weight
        if user_weights is not None:
            if len(res.y) != len(y01):
                raise InvalidParameterError(
                    f"{self._technique().key!r} resamples the rows, so sample_weight cannot be combined")
            weights = user_weights if weights is None else weights * user_weights
        model = clone(self.estimator) if self.estimator is not None else self._default_model(res.X)
        self.estimator_ = fit_with_weights(model, res.X, np.asarray(res.y), weights)
        self.sample_weight_ = weights
        return self

    def _transformed(self, X: Any, sensitive_features: Any) -> Any:
        check_is_fitted(self, "estimator_")
        X = self._validate_predict(X)
        A = self._sensitive(sensitive_features, len(X), when="predict") if (
            sensitive_features is not None or self._needs_sensitive_at_predict()) else None
        return self.preprocessor_.transform(X, sensitive_features=A)

    def predict(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        return self._decode(self.estimator_.predict(self._transformed(X, sensitive_features)))

    def _model_has_proba(self) -> bool:
        model = self.estimator_ if hasattr(self, "estimator_") else self.estimator
        return model is None or hasattr(model, "predict_proba")  # the default model is a logistic regression

    @available_if(_model_has_proba)
    def predict_proba(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        return np.asarray(self.estimator_.predict_proba(self._transformed(X, sensitive_features)))


def _technique_has_proba(self: _TechniqueEstimator) -> bool:
    """Declared by the technique's class: it has ``predict_proba`` or it does not."""
    return hasattr(self._technique().load(), "predict_proba")


class InProcessingClassifier(_TechniqueEstimator):
    """An in-processing technique as a classifier; ``estimator`` is the base learner where it takes one."""

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> InProcessingClassifier:
        X, y01, A, weights = self._validate_fit(X, y, sensitive_features, sample_weight)
        impl = self._technique().load()
        if self.estimator is not None and "estimator" not in inspect.signature(impl).parameters:
            raise InvalidParameterError(f"{self._technique().key!r} trains its own model and takes no estimator")
        self.model_ = self._make_technique()
        kwargs = {} if weights is None else {"sample_weight": weights}
        if kwargs and "sample_weight" not in inspect.signature(self.model_.fit).parameters:
            raise InvalidParameterError(f"{self._technique().key!r} does not take sample_weight")
        self.model_.fit(X, y01, sensitive_features=A, **kwargs)
        return self

    def _kw(self, X: pd.DataFrame, sensitive_features: Any) -> dict[str, Any]:
        if self._needs_sensitive_at_predict():
            return {"sensitive_features": self._sensitive(sensitive_features, len(X), when="predict")}
        return {}

    def predict(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = self._validate_predict(X)
        return self._decode(self.model_.predict(X, **self._kw(X, sensitive_features)))

    @available_if(_technique_has_proba)
    def predict_proba(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = self._validate_predict(X)
        return np.asarray(self.model_.predict_proba(X, **self._kw(X, sensitive_features)))


class PostProcessedClassifier(_TechniqueEstimator):
    """Post-process ``estimator``'s scores; with ``prefit=True`` the fitted estimator is used as it is."""

    __metadata_request__predict = {"sensitive_features": True}  # noqa: RUF012 - post-processors are group-aware
    __metadata_request__predict_proba = {"sensitive_features": True}  # noqa: RUF012
    _own: ClassVar[tuple[str, ...]] = ("estimator", "prefit")
    _own_defaults: ClassVar[dict[str, Any]] = {"prefit": False}

    def __init__(self, estimator: Any = None, *, prefit: bool = False) -> None:
        self.estimator = estimator
        self.prefit = prefit

    def fit(self, X: Any, y: Any, *, sensitive_features: Any, sample_weight: Any = None) -> PostProcessedClassifier:
        from fairmend.engine.models import positive_scores

        X, y01, A, weights = self._validate_fit(X, y, sensitive_features, sample_weight)
        if self.prefit:
            if self.estimator is None:
                raise InvalidParameterError("prefit=True needs the fitted estimator")
            check_is_fitted(self.estimator)
            self.estimator_ = self.estimator  # the user's model, as deployed: never refitted
        else:
            model = clone(self.estimator) if self.estimator is not None else self._default_model(X)
            self.estimator_ = fit_with_weights(model, X, y01, weights)
        self.postprocessor_ = self._make_technique()
        self.postprocessor_.fit(positive_scores(self.estimator_, X), y01, sensitive_features=A, X=X)
        return self

    def _scores(self, X: Any, sensitive_features: Any) -> tuple[np.ndarray, Any, pd.DataFrame]:
        from fairmend.engine.models import positive_scores

        check_is_fitted(self, "postprocessor_")
        X = self._validate_predict(X)
        A = self._sensitive(sensitive_features, len(X), when="predict")
        return positive_scores(self.estimator_, X), A, X

    def predict(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        scores, A, X = self._scores(X, sensitive_features)
        return self._decode(self.postprocessor_.predict(scores, sensitive_features=A, X=X))

    @available_if(_technique_has_proba)
    def predict_proba(self, X: Any, *, sensitive_features: Any = None) -> np.ndarray:
        scores, A, X = self._scores(X, sensitive_features)
        out = np.asarray(self.postprocessor_.predict_proba(scores, sensitive_features=A, X=X), dtype=float)
        return out if out.ndim == 2 else np.column_stack([1 - out, out])


_BASES: dict[Contract, type[_TechniqueEstimator]] = {
    Contract.PREPROCESSOR: PreprocessedClassifier,
    Contract.ESTIMATOR: InProcessingClassifier,
    Contract.POSTPROCESSOR: PostProcessedClassifier,
}

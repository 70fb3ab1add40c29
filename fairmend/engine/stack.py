"""The one engine: fit an intervention stack (pre-processor → model → post-processor) on a fixed split.

``fairmend run`` (a one-step stack), ``fairmend pipeline`` (stacks chosen stage by stage) and
``recommend --evaluate`` (through the runner) apply techniques here and nowhere else.

Rows. The pre-processor and the model are fitted on the ``fit_on`` rows: the training rows, or the
training and selection rows (``"train+selection"``) when nothing is chosen on the selection rows and
no post-processor is fitted to them (a single run's pre- or in-processing step). A post-processor is
fitted on the selection rows' scores. Test rows are only ever predicted.

Model. The stack's in-processing step if it has one. Otherwise the *baseline*, described by
:class:`Baseline`: the user's own model, as columns of their table (``outputs``) or as a fitted
estimator (``prefit``), used as deployed while nothing before it changes the data; else a fresh base
model (a named kind, or a clone of the user's estimator) fitted on the (repaired) rows.

Dispatch is by each technique's declared contract (:mod:`fairmend.catalog.contracts`): a
classification estimator is probabilistic (``predict_proba``), and a post-processor outputs adjusted
scores exactly when its class defines ``predict_proba`` (:func:`~fairmend.catalog.contracts.outputs_scores`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from fairmend.catalog.contracts import outputs_scores
from fairmend.catalog.types import Contract, Technique
from fairmend.engine.models import fit_model, make_base_model, positive_scores
from fairmend.engine.split import Split
from fairmend.engine.user_model import UserOutputs
from fairmend.errors import InvalidParameterError, NotExecutableError

FIT_ON = ("train", "train+selection")


@dataclass
class Data:
    """Features, labels and protected attributes with a fixed split."""

    X: pd.DataFrame
    y: np.ndarray
    A: pd.DataFrame
    split: Split

    def indices(self, which: str) -> np.ndarray:
        """Row positions of ``"train"``, ``"validation"``/``"selection"``, ``"test"`` or ``"train+selection"``."""
        if which == "train+selection":
            return np.concatenate([self.split.train, self.split.validation])
        return np.asarray(getattr(self.split, "validation" if which == "selection" else which))

    def rows(self, which: str) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
        idx = self.indices(which)
        return self.X.iloc[idx], self.y[idx], self.A.iloc[idx]


@dataclass
class Baseline:
    """The model a stack without an in-processing step uses.

    ``model``: a named base model (``logreg``, ``gbm``, ``rf``) or the user's scikit-learn estimator;
    ``prefit``: that estimator is the user's fitted model, used as deployed (never refitted) unless a
    pre-processor changes the data it sees; ``outputs``: the user's model as score/decision columns.
    """

    model: Any = "logreg"
    prefit: bool = False
    outputs: UserOutputs | None = None

    def fresh(self, X: pd.DataFrame, seed: int) -> Any:
        if isinstance(self.model, str):
            return make_base_model(self.model, X, seed=seed)
        return clone(self.model)

    @property
    def name(self) -> str:
        return self.model if isinstance(self.model, str) else type(self.model).__name__


@dataclass
class Step:
    """One applied technique with its parameters."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


def params_text(params: dict[str, Any] | None) -> str:
    """Parameters as ``k=v, k=v`` (``defaults`` when there are none): log text, never a repr."""
    return ", ".join(f"{k}={v}" for k, v in (params or {}).items()) or "defaults"


@dataclass
class Stack:
    pre: Step | None = None
    model: Step | None = None  # None: the baseline model
    post: Step | None = None

    def with_step(self, stage: str, step: Step | None) -> Stack:
        return replace(self, **{stage: step})

    def describe(self) -> dict[str, Any]:
        return {k: (None if s is None else {"key": s.key, "params": s.params}) for k, s in
                (("pre", self.pre), ("model", self.model), ("post", self.post))}

    @classmethod
    def of(cls, technique: Technique, params: dict[str, Any] | None = None) -> Stack:
        """The one-step stack that applies ``technique`` (by its declared contract)."""
        slot = {Contract.PREPROCESSOR: "pre", Contract.ESTIMATOR: "model", Contract.POSTPROCESSOR: "post"}
        if technique.contract not in slot:
            raise NotExecutableError(f"technique {technique.key!r} has contract {technique.contract}; a stack holds "
                                     "pre-processing, in-processing and post-processing techniques")
        return cls(**{slot[technique.contract]: Step(technique.key, dict(params or {}))})


@dataclass
class Fitted:
    """A fitted stack's outputs: ``pred``/``score`` on the test rows, ``selection_*`` on the selection rows
    (``None`` there when the selection rows were fitted on)."""

    pred: np.ndarray
    score: np.ndarray | None
    X_train: pd.DataFrame  # the (possibly transformed) rows the model was fitted on, for the integrity check
    converged: bool = True
    # "preprocessor", "model", "postprocessor" (fitted objects) and "transformed_train" (the repaired rows)
    objects: dict[str, Any] = field(default_factory=dict)
    selection_pred: np.ndarray | None = None
    selection_score: np.ndarray | None = None

    def on(self, rows: str) -> tuple[np.ndarray, np.ndarray | None]:
        """(decisions, scores) on ``"selection"`` or ``"test"`` rows."""
        if rows == "selection":
            if self.selection_pred is None:
                raise InvalidParameterError("this stack was fitted on the selection rows; it has no selection-row "
                                            "predictions to judge")
            return self.selection_pred, self.selection_score
        return self.pred, self.score


@dataclass
class _View:
    """One split as the model sees it: (possibly transformed) features, protected attributes, row positions."""

    X: pd.DataFrame
    A: pd.DataFrame
    rows: np.ndarray


@dataclass
class _Trunk:
    """The fitted pre-processor and model of a stack, with the rows each split's predictions come from."""

    views: dict[str, _View]
    X_fit: pd.DataFrame
    predict: Any  # (view) -> (decisions, scores or None)
    converged: bool
    objects: dict[str, Any]


def _estimator_outputs(model: Any, technique: Technique) -> Any:
    """Decisions and P(favourable) of a fitted in-processing estimator (classification estimators are probabilistic)."""
    def predict(view: _View) -> tuple[np.ndarray, np.ndarray | None]:
        kw = {"sensitive_features": view.A} if technique.needs_protected_attribute_at_inference else {}
        pred = np.asarray(model.predict(view.X, **kw)).astype(int)
        proba = np.asarray(model.predict_proba(view.X, **kw), dtype=float)
        return pred, proba[:, 1] if proba.ndim == 2 else proba
    return predict


def _model_outputs(model: Any) -> Any:
    def predict(view: _View) -> tuple[np.ndarray, np.ndarray | None]:
        return np.asarray(model.predict(view.X)).astype(int), positive_scores(model, view.X)
    return predict


def _user_outputs(outputs: UserOutputs) -> Any:
    def predict(view: _View) -> tuple[np.ndarray, np.ndarray | None]:
        return outputs.decisions(view.rows), None if outputs.scores is None else outputs.scores[view.rows]
    return predict


def _fit_trunk(stack: Stack, data: Data, catalog: Any, baseline: Baseline, seed: int, fit_on: str) -> _Trunk:
    fit_rows = data.indices(fit_on)
    X_fit, y_fit, A_fit = data.X.iloc[fit_rows], data.y[fit_rows], data.A.iloc[fit_rows]
    views = {name: _View(data.X.iloc[idx], data.A.iloc[idx], idx)
             for name, idx in (("selection", data.indices("selection")), ("test", data.indices("test")))}
    objects: dict[str, Any] = {}
    weights = None
    if stack.pre is not None:
        pre = make(catalog.get(stack.pre.key), stack.pre, Contract.PREPROCESSOR)
        res = pre.fit_resample(X_fit, y_fit, sensitive_features=A_fit)
        X_fit, y_fit, weights = res.X, np.asarray(res.y), res.sample_weight
        A_fit = res.sensitive_features if res.sensitive_features is not None else A_fit
        views = {name: replace(v, X=pre.transform(v.X, sensitive_features=v.A)) for name, v in views.items()}
        objects.update(preprocessor=pre, transformed_train=res)
    converged = True
    if stack.model is not None:
        technique = catalog.get(stack.model.key)
        model = make(technique, stack.model, Contract.ESTIMATOR)
        fit_kw: dict[str, Any] = {"sensitive_features": A_fit}
        if weights is not None:
            fit_kw["sample_weight"] = np.asarray(weights, dtype=float)
        model.fit(X_fit, y_fit, **fit_kw)
        converged = bool(getattr(model, "converged_", True))
        predict = _estimator_outputs(model, technique)
    elif baseline.outputs is not None and stack.pre is None:
        model, predict = None, _user_outputs(baseline.outputs)
    elif baseline.prefit and stack.pre is None:
        model = baseline.model
        predict = _model_outputs(model)
    else:
        model = fit_model(baseline.fresh(X_fit, seed), X_fit, y_fit, weights)
        predict = _model_outputs(model)
    if model is not None:
        objects["model"] = model
    return _Trunk(views, X_fit, predict, converged, objects)


def fit_stack(stack: Stack, data: Data, catalog: Any, *, baseline: Baseline | str = "logreg", seed: int = 0,
              fit_on: str = "train", cache: dict[str, _Trunk] | None = None) -> Fitted:
    """Fit every step of ``stack`` and predict the selection and test rows (see the module docstring).

    With ``cache`` (one dict per pipeline run: same data, baseline and seed), the fitted pre-processor and
    model are reused by later stacks that share them, so trying post-processing candidates does not refit
    the in-processing model.
    """
    if fit_on not in FIT_ON:
        raise InvalidParameterError(f"fit_on must be one of {', '.join(FIT_ON)}, got {fit_on!r}")
    if stack.post is not None and fit_on != "train":
        raise InvalidParameterError("a post-processor is fitted on the selection rows, so the rest of its stack "
                                    "must be fitted on the training rows alone (fit_on='train')")
    base = Baseline(baseline) if isinstance(baseline, str) else baseline
    key = json.dumps({**stack.describe(), "post": None, "fit_on": fit_on}, sort_keys=True, default=str)
    trunk = cache.get(key) if cache is not None else None
    if trunk is None:
        trunk = _fit_trunk(stack, data, catalog, base, seed, fit_on)
        if cache is not None:
            cache[key] = trunk
    objects = dict(trunk.objects)
    pred, score = trunk.predict(trunk.views["test"])
    sel_pred, sel_score = trunk.predict(trunk.views["selection"]) if fit_on == "train" else (None, None)
    if stack.post is not None:
        technique = catalog.get(stack.post.key)
        post = make(technique, stack.post, Contract.POSTPROCESSOR)
        if sel_score is None or score is None:
            raise InvalidParameterError(
                f"{stack.post.key!r} post-processes scores: give --scores COL (your model's probability of the "
                "favourable outcome); --predictions alone holds decisions only")
        sel, te = trunk.views["selection"], trunk.views["test"]
        post.fit(sel_score, data.y[sel.rows], sensitive_features=sel.A, X=sel.X)
        (pred, score), (sel_pred, sel_score) = (_post_outputs(post, score, te), _post_outputs(post, sel_score, sel))
        objects["postprocessor"] = post
    return Fitted(pred=pred, score=score, X_train=trunk.X_fit, converged=trunk.converged, objects=objects,
                  selection_pred=sel_pred, selection_score=sel_score)


def _post_outputs(post: Any, score: np.ndarray, view: _View) -> tuple[np.ndarray, np.ndarray | None]:
    """Decisions and scores after ``post``; a post-processor without scores of its own keeps the model's."""
    pred = np.asarray(post.predict(score, sensitive_features=view.A, X=view.X)).astype(int)
    if not outputs_scores(type(post)):
        return pred, score
    out = np.asarray(post.predict_proba(score, sensitive_features=view.A, X=view.X), dtype=float)
    return pred, out[:, 1] if out.ndim == 2 else out


def coerce_params(technique: Technique, raw: dict[str, Any]) -> dict[str, Any]:
    """Check parameter names against the technique's declared parameters and convert their types."""
    return {name: technique.parameter(name).coerce(value) for name, value in raw.items()}


def make(technique: Technique, step: Step, expected: Contract) -> Any:
    """An unfitted instance of ``step``'s technique, which must have the ``expected`` contract."""
    if technique.contract is not expected:
        raise NotExecutableError(f"{technique.key!r} is a {technique.contract} technique, not a {expected}")
    return technique.load()(**coerce_params(technique, step.params))

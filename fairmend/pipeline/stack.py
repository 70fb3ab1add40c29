"""A composable intervention stack: pre-processor → model (baseline or in-processing) → post-processor.

The pipeline fits the stack on the training rows and post-processors on the selection (validation)
rows; candidates, gates and rollback are judged on the selection rows, and the test rows are left
for the final report alone, so nothing reported was chosen on the rows it is reported on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from fairmend.catalog.types import Contract, Technique
from fairmend.runner.models import fit_model, make_base_model, positive_scores
from fairmend.runner.split import Split


@dataclass
class Data:
    """Features, labels and protected attributes with a fixed split."""

    X: pd.DataFrame
    y: np.ndarray
    A: pd.DataFrame
    split: Split

    def rows(self, which: str) -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
        idx = getattr(self.split, which)
        return self.X.iloc[idx], self.y[idx], self.A.iloc[idx]


@dataclass
class Step:
    """One applied technique with its parameters (``None`` technique = baseline model)."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


def params_text(params: dict[str, Any] | None) -> str:
    """Parameters as ``k=v, k=v`` (``defaults`` when there are none): log text, never a repr."""
    return ", ".join(f"{k}={v}" for k, v in (params or {}).items()) or "defaults"


@dataclass
class Stack:
    pre: Step | None = None
    model: Step | None = None  # None: the base model
    post: Step | None = None

    def with_step(self, stage: str, step: Step | None) -> Stack:
        return replace(self, **{stage: step})

    def describe(self) -> dict[str, Any]:
        return {k: (None if s is None else {"key": s.key, "params": s.params}) for k, s in
                (("pre", self.pre), ("model", self.model), ("post", self.post))}


@dataclass
class Fitted:
    """Outputs of a fitted stack: ``pred``/``score`` on the test rows, ``selection_*`` on the selection rows."""

    pred: np.ndarray
    score: np.ndarray | None
    X_train: pd.DataFrame  # the (possibly transformed) training features, for the integrity check
    converged: bool = True
    objects: dict[str, Any] = field(default_factory=dict)
    selection_pred: np.ndarray | None = None
    selection_score: np.ndarray | None = None

    def on(self, rows: str) -> tuple[np.ndarray, np.ndarray | None]:
        """(decisions, scores) on ``"selection"`` or ``"test"`` rows."""
        if rows == "selection":
            assert self.selection_pred is not None
            return self.selection_pred, self.selection_score
        return self.pred, self.score


@dataclass
class _Trunk:
    """The fitted pre-processor and model of a stack, with the features they produce for each split."""

    X_va: pd.DataFrame
    A_va: pd.DataFrame
    X_te: pd.DataFrame
    X_train: pd.DataFrame
    model: Any
    kw: dict[str, Any]
    converged: bool
    objects: dict[str, Any]


def _fit_trunk(stack: Stack, data: Data, catalog: Any, base_model: str, seed: int) -> _Trunk:
    X_tr, y_tr, A_tr = data.rows("train")
    X_va, _, A_va = data.rows("validation")
    X_te, _, A_te = data.rows("test")
    objects: dict[str, Any] = {}
    weights = None
    if stack.pre is not None:
        pre = _make(catalog.get(stack.pre.key), stack.pre, Contract.PREPROCESSOR)
        res = pre.fit_resample(X_tr, y_tr, sensitive_features=A_tr)
        X_tr, y_tr, weights = res.X, np.asarray(res.y), res.sample_weight
        A_tr = res.sensitive_features if res.sensitive_features is not None else A_tr
        X_va = pre.transform(X_va, sensitive_features=A_va)
        X_te = pre.transform(X_te, sensitive_features=A_te)
        objects["pre"] = pre
    converged = True
    if stack.model is None:
        model = fit_model(make_base_model(base_model, X_tr, seed=seed), X_tr, y_tr, weights)
        kw: dict[str, Any] = {}
    else:
        technique = catalog.get(stack.model.key)
        model = _make(technique, stack.model, Contract.ESTIMATOR)
        model.fit(X_tr, y_tr, sensitive_features=A_tr, sample_weight=weights)
        converged = bool(getattr(model, "converged_", True))
        kw = {"sensitive_features": A_te} if technique.needs_protected_attribute_at_inference else {}
    objects["model"] = model
    return _Trunk(X_va, A_va, X_te, X_tr, model, kw, converged, objects)


def fit_stack(stack: Stack, data: Data, catalog: Any, *, base_model: str = "logreg", seed: int = 0,
              cache: dict[str, _Trunk] | None = None) -> Fitted:
    """Fit every step of ``stack`` and predict the test rows.

    With ``cache`` (one dict per pipeline run: same data, base model and seed), the fitted
    pre-processor and model are reused by later stacks that share them, so trying post-processing
    candidates does not refit the in-processing model.
    """
    key = json.dumps({**stack.describe(), "post": None}, sort_keys=True, default=str)
    trunk = cache.get(key) if cache is not None else None
    if trunk is None:
        trunk = _fit_trunk(stack, data, catalog, base_model, seed)
        if cache is not None:
            cache[key] = trunk
    _, y_va, _ = data.rows("validation")
    _, _, A_te = data.rows("test")
    model, kw, X_te, X_va, A_va = trunk.model, trunk.kw, trunk.X_te, trunk.X_va, trunk.A_va
    objects = dict(trunk.objects)
    kw_va = {"sensitive_features": A_va} if kw else {}
    score_te, score_va = _scores(model, X_te, kw), _scores(model, X_va, kw_va)
    pred = np.asarray(model.predict(X_te, **kw)).astype(int)
    pred_va = np.asarray(model.predict(X_va, **kw_va)).astype(int)
    if stack.post is not None:
        post = _make(catalog.get(stack.post.key), stack.post, Contract.POSTPROCESSOR)
        if score_va is None or score_te is None:
            from fairmend.errors import NotExecutableError

            raise NotExecutableError(f"post-processing {stack.post.key!r} needs scores from the model")
        post.fit(score_va, y_va, sensitive_features=A_va, X=X_va)
        (pred, score_te), (pred_va, score_va) = (
            _post_outputs(post, score_te, A_te, X_te), _post_outputs(post, score_va, A_va, X_va))
        objects["post"] = post
    return Fitted(pred=pred, score=score_te, X_train=trunk.X_train, converged=trunk.converged, objects=objects,
                  selection_pred=pred_va, selection_score=score_va)


def _post_outputs(post: Any, score: np.ndarray, A: pd.DataFrame, X: pd.DataFrame
                  ) -> tuple[np.ndarray, np.ndarray | None]:
    """Decisions and scores after ``post``; a post-processor without scores of its own keeps the model's."""
    pred = np.asarray(post.predict(score, sensitive_features=A, X=X)).astype(int)
    out: np.ndarray | None = score
    if hasattr(post, "predict_proba"):
        out = np.asarray(post.predict_proba(score, sensitive_features=A, X=X), dtype=float)
        out = out[:, 1] if out.ndim == 2 else out
    return pred, out


def _make(technique: Technique, step: Step, expected: Contract) -> Any:
    from fairmend.errors import NotExecutableError
    from fairmend.runner.core import coerce_params

    if technique.contract is not expected:
        raise NotExecutableError(f"{technique.key!r} is a {technique.contract} technique, not a {expected}")
    return technique.load()(**coerce_params(technique, step.params))


def _scores(model: Any, X: pd.DataFrame, kw: dict[str, Any]) -> np.ndarray | None:
    if not hasattr(model, "predict_proba"):
        return None
    try:
        proba = np.asarray(model.predict_proba(X, **kw))
    except (AttributeError, NotImplementedError):
        return None
    return proba[:, 1] if proba.ndim == 2 else proba


def positive_scores_of(model: Any, X: pd.DataFrame) -> np.ndarray:
    return positive_scores(model, X)

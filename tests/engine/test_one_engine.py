"""One engine (issue 12, item 3): ``fairmend run``, ``fairmend pipeline`` and ``recommend --evaluate`` apply
techniques through :func:`fairmend.engine.stack.fit_stack`, so the same stack on the same split gives the
same decisions whichever command asked, and what one path passes to a model (sample weights) the other
passes too."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from fairmend.catalog.contracts import group_labels
from fairmend.plugins import get_catalog

from fairmend.cli import cli
from fairmend.engine.models import make_base_model
from fairmend.engine.split import stratified_split
from fairmend.engine.stack import Baseline, Data, Stack, Step, fit_stack
from fairmend.errors import InvalidParameterError
from fairmend.runner import run_technique

ROOT = Path(__file__).resolve().parents[2]


def _data(german, seed=0):
    frame = german.frame.reset_index(drop=True)
    y = frame["credit"].to_numpy().astype(int)
    A = frame[["sex"]].astype(str)
    X = frame.drop(columns=["credit", "sex"])
    return Data(X, y, A, stratified_split(y, group_labels(A), test_size=0.3, seed=seed))


@pytest.mark.parametrize("key", ["threshold_optimizer_equalized_odds_hardt", "reweighing_kamiran_calders",
                                 "exponentiated_gradient_reduction"])
def test_run_is_a_one_step_stack_of_the_engine(german, key):
    """The runner's after-decisions are exactly the engine's for the one-step stack on the run's split."""
    result = run_technique(key, german.frame, protected="sex", outcome="credit", n_boot=0)
    technique = get_catalog().get(key)
    fit_on = "train" if technique.stage.value == "post_processing" else "train+selection"
    fitted = fit_stack(Stack.of(technique), _data(german), get_catalog(), fit_on=fit_on)
    np.testing.assert_array_equal(result.fitted["pred_after"], fitted.pred)
    base = fit_stack(Stack(), _data(german), get_catalog(), fit_on=fit_on)
    np.testing.assert_array_equal(result.fitted["pred_before"], base.pred)


def test_preprocessor_weights_reach_an_in_processing_model(german, monkeypatch):
    """Reweighing before an in-processing estimator: the estimator's fit receives the weights."""
    cat = get_catalog()
    seen = {}
    cls = cat.get("exponentiated_gradient_reduction").load()
    original = cls.fit

    def spy(self, X, y, *, sensitive_features, sample_weight=None):
        seen["weights"] = sample_weight
        return original(self, X, y, sensitive_features=sensitive_features, sample_weight=sample_weight)

    monkeypatch.setattr(cls, "fit", spy)
    stack = Stack(pre=Step("reweighing_kamiran_calders"), model=Step("exponentiated_gradient_reduction"))
    fitted = fit_stack(stack, _data(german), cat)
    w = seen["weights"]
    assert w is not None and len(w) == len(_data(german).split.train)
    assert np.unique(np.round(w, 6)).size > 1  # real reweighing weights, not ones
    np.testing.assert_array_equal(fitted.objects["transformed_train"].sample_weight, w)


def test_user_scores_are_the_baseline_and_feed_the_postprocessor(german):
    data = _data(german)
    X = data.X
    model = make_base_model("logreg", X).fit(X.iloc[:500], data.y[:500])
    from fairmend.engine.user_model import UserOutputs

    scores = model.predict_proba(X)[:, 1]
    own = UserOutputs(scores, None, ["vendor_score"])
    base = fit_stack(Stack(), data, get_catalog(), baseline=Baseline(outputs=own))
    np.testing.assert_allclose(base.score, scores[data.split.test])
    assert "model" not in base.objects  # nothing was trained
    post = fit_stack(Stack(post=Step("threshold_optimizer_equalized_odds_hardt")), data, get_catalog(),
                     baseline=Baseline(outputs=own))
    assert post.pred.shape == base.pred.shape and "postprocessor" in post.objects
    # a prefit estimator is used as deployed: never refitted
    coef = model[-1].coef_.copy()
    prefit = fit_stack(Stack(post=Step("threshold_optimizer_equalized_odds_hardt")), data, get_catalog(),
                       baseline=Baseline(model, prefit=True))
    np.testing.assert_array_equal(model[-1].coef_, coef)
    assert prefit.objects["model"] is model


def test_decisions_alone_cannot_feed_a_postprocessor(german):
    data = _data(german)
    from fairmend.engine.user_model import UserOutputs

    own = UserOutputs(None, (data.y > 0).astype(int), ["decision"])
    with pytest.raises(InvalidParameterError, match="--scores"):
        fit_stack(Stack(post=Step("threshold_optimizer_equalized_odds_hardt")), data, get_catalog(),
                  baseline=Baseline(outputs=own))


def test_postprocessor_never_fits_on_selection_rows_it_is_fitted_with(german):
    with pytest.raises(InvalidParameterError, match="fit_on"):
        fit_stack(Stack(post=Step("threshold_optimizer_equalized_odds_hardt")), _data(german), get_catalog(),
                  fit_on="train+selection")


def test_no_probing_dispatch_in_the_engine_and_its_callers():
    """Dispatch is by declared contract: no ``hasattr(..., "predict_proba")`` and no catching
    ``NotImplementedError`` where techniques are applied."""
    paths = [*(ROOT / "fairmend" / "engine").glob("*.py"), *(ROOT / "fairmend" / "runner").glob("*.py"),
             *(ROOT / "fairmend" / "pipeline").glob("*.py"), ROOT / "fairmend" / "evaluate.py"]
    offenders = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            probe = isinstance(node, ast.Call) and getattr(node.func, "id", None) == "hasattr" \
                and len(node.args) == 2 and isinstance(node.args[1], ast.Constant) \
                and node.args[1].value in ("predict_proba", "fit_resample", "transform")
            # positive_scores / model_predictions serve arbitrary user or base models, not techniques
            if probe and path.name not in ("models.py", "user_model.py"):
                offenders.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.ExceptHandler) and "NotImplementedError" in ast.dump(node.type or ast.Pass()):
                offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, offenders


def test_every_classification_estimator_is_probabilistic():
    """The contract the engine relies on instead of probing."""
    from fairmend.catalog.types import Contract, TaskType

    missing = [t.key for t in get_catalog() if t.executable and t.contract is Contract.ESTIMATOR
               and TaskType.BINARY_CLASSIFICATION in t.task_types and not callable(getattr(t.load(), "predict_proba", None))]
    assert not missing


def test_pipeline_takes_the_users_scores(german, tmp_path):
    """``fairmend pipeline --scores COL``: the baseline is the user's scores, row for row, on the test rows."""
    frame = german.frame.copy()
    X = frame.drop(columns=["credit", "sex"])
    model = make_base_model("logreg", X).fit(X.iloc[:600], frame["credit"].iloc[:600])
    frame["vendor_score"] = model.predict_proba(X)[:, 1]
    path = tmp_path / "scored.csv"
    frame.to_csv(path, index=False)
    policy = tmp_path / "policy.yaml"
    policy.write_text("n_boot: 200\ncandidates_per_stage: 1\nmax_iterations: 1\n")
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["pipeline", "--data", str(path), "--protected", "sex", "--outcome", "credit",
                                   "--scores", "vendor_score", "--policy", str(policy), "--output", str(out),
                                   "--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["dataset"]["user_model"]["scores"] == "vendor_score"
    pred = pd.read_parquet(out / "predictions.parquet")
    np.testing.assert_allclose(pred["score_before"], frame["vendor_score"].to_numpy()[pred["row"]])
    assert "vendor_score" not in report["stack"]  # the score column is never a feature

"""``fairmend run``: baseline, intervention, before/after metrics, statistics, gate and artifacts."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fairmend.catalog.contracts import group_labels
from fairmend.catalog.types import Contract, TaskType, Technique
from fairmend.engine.split import Split, stratified_split
from fairmend.engine.stack import Baseline, Data, Stack, coerce_params, fit_stack
from fairmend.engine.user_model import read_user_outputs
from fairmend.errors import InvalidParameterError, LabelError, NotExecutableError
from fairmend.io import read_table, write_json_atomic
from fairmend.metrics import group_table, higher_is_better, summarize
from fairmend.modelio import load_model
from fairmend.outputs import OutputFolder
from fairmend.plugins import get_catalog
from fairmend.report.run_page import write_run_report
from fairmend.runner import tasks
from fairmend.runner.artifacts import run_analysis, write_artifacts
from fairmend.runner.gates import GatePolicy, evaluate_gate
from fairmend.runner.result import REQUIRED_METRICS, RunConfig, RunResult, config_dict
from fairmend.runner.targets import target_for
from fairmend.stats import compare
from fairmend.validation import validate

# The task a run evaluates, in order of preference among those the technique supports.
RUN_TASKS = (TaskType.BINARY_CLASSIFICATION, TaskType.RANKING, TaskType.CLUSTERING, TaskType.REGRESSION)


def run_task(technique: Technique) -> TaskType | None:
    """The task ``fairmend run`` evaluates for ``technique`` (``None`` for analysis techniques)."""
    if technique.contract is Contract.ANALYSIS:
        return None
    task = next((t for t in RUN_TASKS if t in technique.task_types), None)
    if task is None:
        tasks_ = ", ".join(t.value for t in technique.task_types)
        raise NotExecutableError(
            f"technique {technique.key!r} is for {tasks_}; `fairmend run` evaluates binary classification, "
            "ranking, clustering and regression"
        )
    return task


def _numeric_outcome(values: Any, outcome: str) -> np.ndarray:
    y = pd.to_numeric(pd.Series(values), errors="coerce")
    if y.isna().any() or y.nunique() < 3:
        raise LabelError(
            f"outcome {outcome!r} must be numeric with more than two values for a regression technique"
        )
    return y.to_numpy(dtype=float)


def _features(frame: pd.DataFrame, protected: list[str], outcome: str, use_protected: bool,
              user_columns: list[str] | None = None) -> pd.DataFrame:
    drop = [outcome, *(user_columns or []), *([] if use_protected else protected)]
    return frame.drop(columns=drop)


def _is_fitted(model: Any) -> bool:
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(model)
    except NotFittedError:
        return False
    return True


def run_technique(
    key: str,
    data: Any,
    *,
    protected: list[str] | str,
    outcome: str,
    base_model: str = "logreg",
    params: dict[str, Any] | None = None,
    test_size: float = 0.3,
    seed: int = 0,
    output: str | Path | None = None,
    overwrite: bool = False,
    use_protected_feature: bool = False,
    target_metric: str | None = None,
    policy: GatePolicy | None = None,
    n_boot: int = 1000,
    n_permutations: int | None = None,
    trust: tuple[str, ...] | list[str] = (),
    favourable_label: Any = None,
    scores: str | None = None,
    predictions: str | None = None,
    threshold: float = 0.5,
    progress: Any = None,
    catalog: Any = None,
    top_k: int = 100,
    pool_size: int = 1000,
) -> RunResult:
    """Apply technique ``key`` to ``data`` (path or DataFrame) and measure what it changed.

    The steps are those of ``fairmend run``: validate, split by group × label into train, selection
    and test rows, fit a baseline (or take the user's model from the ``scores`` / ``predictions``
    columns), apply the intervention by its stage contract, compare before/after on the test rows
    with paired statistics, judge the gate, write artifacts (``splits.json``, ``predictions.parquet``).

    ``favourable_label`` is the outcome value that counts as favourable (1 in every metric);
    ``scores`` names a column of the user's model's probabilities of the favourable outcome,
    ``predictions`` a column of its decisions (``threshold`` turns scores into decisions).
    """

    protected = [protected] if isinstance(protected, str) else list(protected)
    catalog = catalog or get_catalog()
    technique = catalog.get(key)
    if not technique.executable:
        raise NotExecutableError(f"technique {technique.key!r} is catalogued but has no implementation in fairmend")
    task = run_task(technique)
    if not 0.05 <= test_size <= 0.8:
        raise InvalidParameterError(f"--test-size must be between 0.05 and 0.8, got {test_size}")
    config = RunConfig(
        base_model=str(base_model),
        params=coerce_params(technique, params or {}),
        test_size=test_size,
        seed=seed,
        use_protected_feature=use_protected_feature,
        target_metric=target_metric,
        n_boot=n_boot,
        n_permutations=0 if n_permutations is None else n_permutations,
        policy=policy or GatePolicy(),
        top_k=top_k,
        pool_size=pool_size,
    )
    user = {"favourable_label": favourable_label, "scores": scores, "predictions": predictions,
            "threshold": threshold, "progress": progress or (lambda _label: None), "catalog": catalog}
    if output is None:
        return _execute(technique, task, data, protected, outcome, config, base_model, trust, user, None)

    model_file = base_model if str(base_model).endswith(".skops") else None
    folder = OutputFolder(output, overwrite=overwrite, inputs=[data if not isinstance(data, pd.DataFrame) else None,
                                                               model_file])
    with folder as staging:
        result = _execute(technique, task, data, protected, outcome, config, base_model, trust, user, staging)
        result.artifacts = folder.final_path(result.artifacts)
        result.analysis = folder.final_path(result.analysis)
        if "report" in result.artifacts:  # the one place report.json is written, with the final paths
            result.artifacts["report_html"] = str(folder.final / "report.html")
            write_json_atomic(staging / "report.json", result.to_dict())
            write_run_report(staging)  # the same page `fairmend serve` shows for the run
    return result


def _execute(technique: Technique, task: TaskType | None, data: Any, protected: list[str], outcome: str,
             config: RunConfig, base_model: Any, trust: Any, user: dict[str, Any],
             out_dir: Path | None) -> RunResult:
    """The body of :func:`run_technique`, writing artifacts into ``out_dir`` when given."""

    step = user["progress"]
    step("read and check the data")
    frame = read_table(data)
    regression = task is TaskType.REGRESSION
    checked = validate(frame, protected=protected, outcome=outcome, binary_outcome=not regression,
                       favourable_label=None if regression else user["favourable_label"])
    frame, y = checked.frame, (_numeric_outcome(checked.y, outcome) if regression else np.asarray(checked.y, dtype=int))
    own = read_user_outputs(frame, scores=user["scores"], predictions=user["predictions"],
                            favourable=checked.favourable_label, outcome=outcome, threshold=user["threshold"])
    dataset = {
        "source": str(data) if not isinstance(data, pd.DataFrame) else "DataFrame",
        "n_rows": len(frame),
        "protected": protected,
        "outcome": outcome,
        "favourable_label": None if regression else checked.favourable_label,
        "task": task.value if task else None,
        ("outcome_mean" if regression else "base_rate"): float(y.mean()),
        "user_model": None if own is None else own.describe(),
    }
    if own is not None and task is not TaskType.BINARY_CLASSIFICATION:
        raise InvalidParameterError("--scores and --predictions apply to binary classification techniques; "
                                    f"{technique.key!r} is evaluated as {task.value if task else 'an analysis'}")
    if technique.contract is Contract.ANALYSIS:

        return run_analysis(technique, frame, protected, outcome, config, dataset, out_dir)

    impl = technique.load()
    A = frame[protected].astype(str).reset_index(drop=True)
    X = _features(frame, protected, outcome, config.use_protected_feature, [] if own is None else own.columns)
    X = X.reset_index(drop=True)
    groups = group_labels(A)
    split = stratified_split(np.zeros(len(y), dtype=int) if regression else y, groups, test_size=config.test_size,
                             seed=config.seed)
    model_spec: Any = load_model(base_model, trust=trust) if str(base_model).endswith(".skops") else base_model
    dataset.update(n_train=len(split.train), n_validation=len(split.validation), n_test=len(split.test))

    if task is TaskType.REGRESSION:
        return tasks.run_regression_task(technique, impl, config, dataset, X, y, A, split, out_dir)
    if task is TaskType.CLUSTERING:
        return tasks.run_clustering_task(technique, impl, config, dataset, X, A, split, out_dir)
    # Nothing is chosen on a single run's selection rows: they fit a post-processor, or else join the training rows.
    fit_on = "train" if technique.contract is Contract.POSTPROCESSOR else "train+selection"
    prefit = not isinstance(model_spec, str) and _is_fitted(model_spec)
    base = Baseline(model_spec, prefit=prefit, outputs=own)
    stacked = Data(X, y, A, split)
    trunks: dict[str, Any] = {}  # the baseline's fitted model is shared with a post-processing stack
    te = split.test
    notes: list[str] = []
    step("baseline model")
    before = fit_stack(Stack(), stacked, user["catalog"], baseline=base, seed=config.seed, fit_on=fit_on, cache=trunks)
    if task is TaskType.RANKING:
        return tasks.run_ranking_task(technique, impl, config, dataset, before.objects["model"], X, y, A, split, out_dir)
    if own is not None and technique.contract is not Contract.POSTPROCESSOR:
        notes.append(f"your model ({', '.join(own.columns)}) is the baseline; this {technique.stage.value} technique "
                     f"trains a new {base.name} model, and the comparison is that model against yours")
    elif prefit and technique.contract is not Contract.POSTPROCESSOR:
        notes.append(f"your fitted {base.name} is the baseline as deployed; this {technique.stage.value} technique "
                     f"trains a new model{'' if technique.contract is Contract.ESTIMATOR else ' of the same kind'} "
                     "on the training and selection rows, and the comparison is that model against yours")
    step(f"apply {technique.key}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=FutureWarning)
        after = fit_stack(Stack.of(technique, config.params), stacked, user["catalog"], baseline=base,
                          seed=config.seed, fit_on=fit_on, cache=trunks)
    pred_before, score_before, pred_after, score_after = before.pred, before.score, after.pred, after.score
    fitted = dict(after.objects)
    step("statistics on the test rows")
    return _measure(
        technique, config, dataset, y[te], A.iloc[te], pred_before, pred_after, score_before, score_after,
        fitted, out_dir, X, split, notes,
    )


def _measure(
    technique: Technique,
    config: RunConfig,
    dataset: dict[str, Any],
    y_te: np.ndarray,
    A_te: pd.DataFrame,
    pred_before: np.ndarray,
    pred_after: np.ndarray,
    score_before: np.ndarray,
    score_after: np.ndarray | None,
    fitted: dict[str, Any],
    out_dir: Path | None,
    X: pd.DataFrame,
    split: Split,
    notes: list[str] | None = None,
) -> RunResult:

    criterion, metric = target_for(technique, config.target_metric, config.params)
    notes = list(notes or [])
    abstained = pred_after < 0
    if abstained.any():
        notes.append(f"{int(abstained.sum())} test rows abstained; metrics after cover the {int((~abstained).sum())} accepted rows")
    keep = ~abstained
    before = summarize(y_te, pred_before, A_te, y_score=score_before)
    after = summarize(y_te[keep], pred_after[keep], A_te[keep], y_score=None if score_after is None else score_after[keep])
    if metric not in before or metric not in after:
        notes.append(f"target metric {metric!r} needs scores after the intervention; judged on demographic parity")
        metric = "demographic_parity_difference"
    metrics = list(dict.fromkeys([metric, *REQUIRED_METRICS]))
    if keep.all() and config.n_boot > 0:
        change = compare(
            y_te, pred_before, pred_after, A_te,
            scores_before=score_before if score_after is not None else None,
            scores_after=score_after, metrics=metrics,
            n_boot=config.n_boot, seed=config.seed,
        )
    else:  # statistics switched off, or abstention (no row-level pairing for abstained rows)
        change = {m: {"before": before[m], "after": after[m], "delta": after[m] - before[m], "ci95": None,
                      "p_value": None, "improved": None} for m in metrics}
    gate = evaluate_gate(metric, change, higher_is_better=higher_is_better(metric), policy=config.policy)
    result = RunResult(
        technique=technique.key,
        stage=technique.stage.value,
        dataset=dataset,
        target_criterion=criterion,
        target_metric=metric,
        before=before,
        after=after,
        change=change,
        gate=gate,
        config=config_dict(config),
        notes=notes,
        groups_before=group_table(y_te, pred_before, A_te, y_score=score_before).to_dict(orient="records"),
        groups_after=group_table(
            y_te[keep], pred_after[keep], A_te[keep], y_score=None if score_after is None else score_after[keep]
        ).to_dict(orient="records"),
        fitted={**fitted, "y_test": y_te, "A_test": A_te, "pred_before": pred_before, "pred_after": pred_after,
                "score_before": score_before, "score_after": score_after, "split": split},
    )
    if out_dir is not None:

        write_artifacts(result, out_dir, X, split)
    return result

"""Run artifacts: ``report.json``, transformed training data, the fitted model (skops)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fairmend.catalog.contracts import PreProcessorMixin, group_labels
from fairmend.catalog.types import Technique
from fairmend.io import write_csv_atomic, write_json_atomic, write_parquet_atomic
from fairmend.modelio import save_model
from fairmend.runner.result import RunResult


def write_artifacts(result: Any, out_dir: Path, X: pd.DataFrame, split: Any) -> None:
    """Write every artifact atomically and record their paths in ``result.artifacts``."""

    fitted = result.fitted
    res = fitted.get("transformed_train")
    if res is not None:
        frame = res.X.copy()
        frame["__label__"] = res.y
        if res.sample_weight is not None:
            frame["__sample_weight__"] = res.sample_weight
        path = out_dir / "transformed_train.csv"
        write_csv_atomic(path, frame)
        result.artifacts["transformed_train"] = str(path)
    unpersisted: list[str] = []
    for name in ("preprocessor", "model", "postprocessor"):
        obj = fitted.get(name)
        if obj is None or (name == "preprocessor" and _identity_transform(obj)):
            continue
        path = out_dir / f"{name}.skops"
        try:
            save_model(obj, path)
            result.artifacts[name] = str(path)
        except Exception as exc:  # noqa: BLE001 - e.g. torch modules skops cannot persist
            note = f"{name} not persisted with skops: {type(exc).__name__}: {exc}"
            unpersisted.append(note)
            if name != "preprocessor":  # the pre-processor is saved for fairmend apply alone
                result.notes.append(note)
    path = out_dir / "apply.json"
    write_json_atomic(path, apply_recipe(result, X, unpersisted))
    result.artifacts["apply"] = str(path)
    path = out_dir / "splits.json"
    write_json_atomic(path, splits_payload(split))
    result.artifacts["splits"] = str(path)
    if "pred_before" in fitted:
        path = out_dir / "predictions.parquet"
        write_parquet_atomic(path, predictions_frame(fitted))
        result.artifacts["predictions"] = str(path)
    result.artifacts["report"] = str(out_dir / "report.json")  # written once, by run_technique


def _identity_transform(pre: Any) -> bool:
    """Whether a fitted pre-processor leaves features unchanged at prediction time (it only reweighs or
    resamples the training rows), so nothing of it is needed to apply the run."""

    return isinstance(pre, PreProcessorMixin) and type(pre).transform is PreProcessorMixin.transform


def apply_recipe(result: Any, X: pd.DataFrame, unpersisted: list[str]) -> dict[str, Any]:
    """``apply.json``: what ``fairmend apply`` needs to re-apply the fitted stack to new rows: the feature
    columns in order, the protected and outcome columns, the user's model columns (when the baseline was
    the user's own outputs) and the persisted fitted objects (``preprocessor``/``model``/``postprocessor``)."""
    dataset = result.dataset
    return {
        "technique": result.technique,
        "stage": result.stage,
        "features": [str(c) for c in X.columns],
        "protected": list(dataset.get("protected") or []),
        "outcome": dataset.get("outcome"),
        "favourable_label": dataset.get("favourable_label"),
        "user_model": dataset.get("user_model"),
        "objects": {name: Path(result.artifacts[name]).name
                    for name in ("preprocessor", "model", "postprocessor") if name in result.artifacts},
        "not_persisted": unpersisted,
    }


def splits_payload(split: Any) -> dict[str, Any]:
    """``splits.json``: 0-based row positions of the input table in each of the three disjoint splits.

    ``train`` fits models; ``selection`` fits post-processors (and, in a pipeline, chooses, gates and
    rolls back); ``test`` is touched by nothing but the reported estimates, CIs and p-values.
    """
    return {
        "train": [int(i) for i in split.train],
        "selection": [int(i) for i in split.validation],
        "test": [int(i) for i in split.test],
        "roles": {
            "train": "fits the baseline and the intervention's model (pre- and in-processing also fit on selection)",
            "selection": "fits post-processors; chooses candidates in a pipeline",
            "test": "every reported estimate, CI and p-value",
        },
    }


def predictions_frame(fitted: dict[str, Any]) -> pd.DataFrame:
    """``predictions.parquet``: one row per test row, enough to recompute every headline number."""

    frame = pd.DataFrame({
        "row": np.asarray(fitted["split"].test, dtype=np.int64),
        "group": group_labels(fitted["A_test"]).astype(str),
        "y_true": np.asarray(fitted["y_test"], dtype=np.int64),
        "before": np.asarray(fitted["pred_before"], dtype=np.int64),
        "after": np.asarray(fitted["pred_after"], dtype=np.int64),  # -1 marks an abstention
    })
    for name in ("score_before", "score_after"):
        if fitted.get(name) is not None:
            frame[name] = np.asarray(fitted[name], dtype=float)
    return frame


def run_analysis(
    technique: Technique,
    frame: pd.DataFrame,
    protected: list[str],
    outcome: str,
    config: Any,
    dataset: dict[str, Any],
    out_dir: Path | None,
) -> Any:
    """Analysis techniques (causal, evaluation, monitoring, documentation) produce their artifact."""
    params = dict(config.params)
    if out_dir is not None and any(p.name == "output_dir" for p in technique.parameters):
        params.setdefault("output_dir", str(out_dir))
    analysis = technique.load()(**params).run(frame, protected=protected, outcome=outcome)
    result = RunResult(
        technique=technique.key,
        stage=technique.stage.value,
        dataset=dataset,
        target_criterion=None,
        target_metric=None,
        before={},
        after={},
        change={},
        gate=None,
        config={"params": params, "seed": config.seed},
        artifacts=dict(analysis.artifacts),
        analysis=analysis.to_dict(),
    )
    if out_dir is not None:
        result.artifacts["report"] = str(out_dir / "report.json")  # written once, by run_technique
    return result

"""Run artifacts: ``report.json``, transformed training data, the fitted model (skops)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from fairmend.catalog.types import Technique

def write_artifacts(result: Any, out_dir: Path, X: pd.DataFrame, split: Any) -> None:
    """Write every artifact atomically and record their paths in ``result.artifacts``."""
    from fairmend.io import write_csv_atomic, write_json_atomic
    from fairmend.modelio import save_model

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
    for name in ("model", "postprocessor"):
        obj = fitted.get(name)
        if obj is None:
            continue
        path = out_dir / f"{name}.skops"
        try:
            save_model(obj, path)
            result.artifacts[name] = str(path)
        except Exception as exc:  # noqa: BLE001 - e.g. torch modules skops cannot persist
            result.notes.append(f"{name} not persisted with skops: {type(exc).__name__}: {exc}")
    report = out_dir / "report.json"
    result.artifacts["report"] = str(report)
    write_json_atomic(report, result.to_dict())


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
    from fairmend.runner.core import RunResult

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
        from fairmend.io import write_json_atomic

        path = out_dir / "report.json"
        result.artifacts["report"] = str(path)
        write_json_atomic(path, result.to_dict())
    return result

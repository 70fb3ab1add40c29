"""MLflow experiment tracking for ``fairmend run --mlflow``, ``fairmend pipeline --mlflow``,
``fairmend tune --mlflow`` and ``fairmend benchmark --mlflow`` (the ``mlops`` extra).

:func:`log_run` records one :class:`~fairmend.runner.core.RunResult` as one MLflow run:

* **params**: technique, stage, data, columns, favourable label, the run's configuration and the gate
  policy (flattened: ``policy.max_accuracy_loss``), technique parameters as ``param.NAME``;
* **metrics**: ``before/M`` and ``after/M`` for every metric measured on the test rows, and for every
  compared metric ``delta/M`` with ``delta_ci_low/M``, ``delta_ci_high/M`` (the 95 % paired-bootstrap
  interval of the change), ``p_value/M`` and ``p_value_bh/M``; ``gate_passed`` (1/0),
  ``fairness_improvement`` and ``accuracy_loss``;
* **tags**: ``fairmend.criterion``, ``fairmend.target_metric``, ``fairmend.gate_passed``,
  ``fairmend.favourable_label``, ``fairmend.technique``, ``fairmend.stage``;
* **artifacts**: every file of the run's output folder (``report.json``, ``model.skops``,
  ``predictions.parquet``, ``report.html`` when written); without a folder, ``report.json`` and the
  fitted model as ``model.skops``.

:func:`log_pipeline` records a pipeline run from its ``report.json``: the chosen stack (``stack.pre``,
``stack.model``, ``stack.post`` and their ``.params``), the policy (``policy.*``), ``before/M`` and ``after/M``
on the test rows (``before/ATTR/M`` per protected attribute), every significance claim of the report as
``delta``/``delta_ci_low``/``delta_ci_high``/``p_value``/``p_value_bh`` (``/ATTR/M``, or ``/M`` over all rows),
``gate_passed`` (the final gate on the test rows), ``selection_gate_passed`` and ``gate/CHECK`` (1/0), tags as
for a run plus ``fairmend.kind=pipeline``, ``fairmend.decision`` and ``fairmend.stack``, and the output folder's
files (not the resume checkpoints) with the fitted stack as ``model.skops`` where skops can persist it.

:func:`log_tune` records a study as a parent run with one nested run per Pareto point. :func:`log_benchmark`
records a whole sweep as one run (not one per cell: a full sweep has thousands): see its docstring.

The tracking URI is ``uri``, else ``MLFLOW_TRACKING_URI``, else ``./mlruns``: a local folder, nothing to
start. MLflow's usage telemetry is switched off before it is imported.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fairmend.errors import InvalidParameterError, MissingDependencyError

DEFAULT_URI = "./mlruns"
EXPERIMENT = "fairmend"
_REMOTE = ("http", "https", "databricks", "databricks-uc", "uc")


def resolve_uri(uri: str | None = None) -> str:
    """``uri``, ``MLFLOW_TRACKING_URI`` or ``./mlruns``; a plain folder becomes an absolute ``file:`` URI."""
    raw = (uri or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_URI).strip()
    scheme = raw.partition(":")[0].lower() if re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:", raw) else ""
    if not scheme:
        return Path(raw).expanduser().resolve().as_uri()
    if scheme not in ("file", "sqlite", *_REMOTE):
        raise InvalidParameterError(f"--mlflow-uri {raw!r}: use a folder, a file: URI, a sqlite: URI or an "
                                    "MLflow server's http(s) URL")
    return raw


def require(uri: str | None = None) -> str:
    """The resolved tracking URI, after checking MLflow is installed: call before a long run."""
    import importlib.util

    resolved = resolve_uri(uri)
    if importlib.util.find_spec("mlflow") is None:
        raise MissingDependencyError("--mlflow needs MLflow: pip install 'fairmend[mlops]'")
    return resolved


def _mlflow(uri: str) -> Any:
    """Import MLflow pointed at ``uri`` with telemetry off (and its file store allowed for ``file:`` URIs)."""
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")
    if uri.startswith("file:"):
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")  # the embedded store of issue 17
    try:
        import mlflow
    except ImportError as exc:
        raise MissingDependencyError(f"--mlflow needs MLflow (pip install 'fairmend[mlops]'): {exc}") from exc
    import logging

    logging.getLogger("mlflow").setLevel(logging.WARNING)  # not "Creating a new experiment" on every first run
    mlflow.set_tracking_uri(uri)
    return mlflow


_KEY = re.compile(r"[^A-Za-z0-9_\-./ ]")


def _key(name: str) -> str:
    """An MLflow key: letters, digits, ``_ - . / space`` only."""
    return _KEY.sub("_", str(name))[:250]


def _flat(prefix: str, value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _flat(f"{prefix}.{k}" if prefix else str(k), v)
    else:
        yield prefix, value


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)) and math.isfinite(float(value)):
        return float(value)
    return None


def run_params(result: Any) -> dict[str, str]:
    """The run's parameters as MLflow params (strings, at most 6,000 characters each)."""
    ds = result.dataset
    config = {k: v for k, v in result.config.items() if k != "params"}
    params: dict[str, Any] = {"technique": result.technique, "stage": result.stage, "data": ds.get("source"),
                              "protected": ",".join(ds.get("protected") or []), "outcome": ds.get("outcome"),
                              "favourable_label": ds.get("favourable_label"), "n_rows": ds.get("n_rows"),
                              "n_test": ds.get("n_test")}
    params.update(dict(_flat("", config)))
    params.update({f"param.{k}": v for k, v in (result.config.get("params") or {}).items()})
    return {_key(k): str(v)[:6000] for k, v in params.items() if v is not None}


def run_metrics(result: Any) -> dict[str, float]:
    """Before/after values, the change with its 95 % interval and p-values, and the gate verdict."""
    out: dict[str, float | None] = {}
    for side in ("before", "after"):
        out.update({f"{side}/{m}": _number(v) for m, v in getattr(result, side).items()})
    for m, c in result.change.items():
        ci = c.get("ci95") or (None, None)
        out.update({f"before/{m}": _number(c.get("before")), f"after/{m}": _number(c.get("after")),
                    f"delta/{m}": _number(c.get("delta")), f"delta_ci_low/{m}": _number(ci[0]),
                    f"delta_ci_high/{m}": _number(ci[1]), f"p_value/{m}": _number(c.get("p_value")),
                    f"p_value_bh/{m}": _number(c.get("p_value_bh"))})
    if result.gate is not None:
        out.update(gate_passed=float(result.gate.passed), fairness_improvement=_number(result.gate.fairness_improvement),
                   accuracy_loss=_number(result.gate.accuracy_loss))
    return {_key(k): v for k, v in out.items() if v is not None}


def run_tags(result: Any) -> dict[str, str]:
    gate = result.gate
    tags = {"fairmend.technique": result.technique, "fairmend.stage": result.stage,
            "fairmend.criterion": result.target_criterion, "fairmend.target_metric": result.target_metric,
            "fairmend.gate_passed": None if gate is None else str(bool(gate.passed)).lower(),
            "fairmend.favourable_label": result.dataset.get("favourable_label"),
            "fairmend.gate_reasons": None if gate is None else "\n".join(gate.reasons)[:5000]}
    return {k: str(v) for k, v in tags.items() if v is not None}


@contextmanager
def _artifact_folder(result: Any, output: str | Path | None) -> Iterator[tuple[Path, str | None]]:
    """The run's output folder, or a temporary one holding ``report.json`` and the fitted model (with the
    reason when skops cannot persist it)."""
    if output is not None:
        yield Path(output), None
        return
    from fairmend.io import write_json_atomic
    from fairmend.modelio import save_model

    with tempfile.TemporaryDirectory(prefix="fairmend-mlflow-") as tmp:
        folder = Path(tmp)
        write_json_atomic(folder / "report.json", result.to_dict())
        model, note = result.fitted.get("model"), None
        if model is not None:
            try:
                save_model(model, folder / "model.skops")
            except Exception as exc:  # noqa: BLE001 - e.g. torch modules skops cannot persist, as in run's artifacts
                note = f"model not persisted with skops: {type(exc).__name__}: {exc}"
        yield folder, note


def log_run(result: Any, *, uri: str | None = None, output: str | Path | None = None,
            experiment: str | None = None, run_name: str | None = None) -> dict[str, str]:
    """Log ``result`` as one MLflow run; returns its ``run_id``, ``experiment_id``, ``tracking_uri`` and
    ``artifact_uri``."""
    resolved = resolve_uri(uri)
    mlflow = _mlflow(resolved)
    exp = mlflow.set_experiment(experiment or os.environ.get("MLFLOW_EXPERIMENT_NAME") or EXPERIMENT)
    with mlflow.start_run(experiment_id=exp.experiment_id, run_name=run_name or result.technique) as active:
        mlflow.log_params(run_params(result))
        mlflow.log_metrics(run_metrics(result))
        mlflow.set_tags(run_tags(result))
        with _artifact_folder(result, output) as (folder, note):
            mlflow.log_artifacts(str(folder))
            if note:
                mlflow.set_tag("fairmend.model_not_logged", note[:5000])
        info = active.info
    return {"run_id": info.run_id, "experiment_id": info.experiment_id, "tracking_uri": resolved,
            "artifact_uri": info.artifact_uri}


POLICY_METRICS = {"demographic_parity": "demographic_parity_difference",
                  "equalized_odds": "equalized_odds_difference"}


def pipeline_params(doc: dict[str, Any], policy: Any) -> dict[str, str]:
    """The pipeline's data, columns, chosen stack and policy as MLflow params."""
    from dataclasses import asdict

    ds = doc.get("dataset") or {}
    params: dict[str, Any] = {"kind": "pipeline", "data": ds.get("source"),
                              "protected": ",".join(ds.get("protected") or []), "outcome": ds.get("outcome"),
                              "favourable_label": ds.get("favourable_label"), "n_rows": ds.get("n_rows"),
                              "n_test": ds.get("n_test"), "decision": doc.get("decision")}
    from fairmend.report.text import empty_slot

    for slot, step in (doc.get("stack") or {}).items():
        params[f"stack.{slot}"] = empty_slot(slot) if step is None else step.get("key")
        for name, value in ((step or {}).get("params") or {}).items():
            params[f"stack.{slot}.params.{name}"] = value
    if policy is not None:
        params.update({f"policy.{k}": v for k, v in _flat("", asdict(policy))})
    return {_key(k): str(v)[:6000] for k, v in params.items() if v is not None}


def pipeline_metrics(doc: dict[str, Any]) -> dict[str, float]:
    """Before/after on the test rows, every claim's change with its interval and p-values, and the gates."""
    out: dict[str, float | None] = {}
    for side, snap in (("before", doc.get("baseline") or {}), ("after", doc.get("final") or {})):
        out.update({f"{side}/{m}": _number(v) for m, v in (snap.get("overall") or {}).items()})
        for attr, values in (snap.get("per_attribute") or {}).items():
            out.update({f"{side}/{attr}/{m}": _number(v) for m, v in values.items()})
    for grouping, claims in (doc.get("significance") or {}).items():
        prefix = "" if grouping == "all rows" else f"{grouping}/"
        for m, c in claims.items():
            ci = c.get("ci95") or (None, None)
            out.update({f"delta/{prefix}{m}": _number(c.get("delta")), f"delta_ci_low/{prefix}{m}": _number(ci[0]),
                        f"delta_ci_high/{prefix}{m}": _number(ci[1]), f"p_value/{prefix}{m}": _number(c.get("p_value")),
                        f"p_value_bh/{prefix}{m}": _number(c.get("p_value_bh"))})
    test, selection = doc.get("test_gate"), doc.get("final_gate")
    gate = test or selection
    if gate is not None:
        out["gate_passed"] = float(bool(gate["passed"]))
        out.update({f"gate/{c['name']}": float(bool(c["passed"])) for c in gate.get("checks", [])})
    if selection is not None:
        out["selection_gate_passed"] = float(bool(selection["passed"]))
    return {_key(k): v for k, v in out.items() if v is not None}


def pipeline_tags(doc: dict[str, Any], policy: Any, stack: str | None = None) -> dict[str, str]:
    gate = doc.get("test_gate") or doc.get("final_gate")
    criterion = getattr(policy, "target_criterion", None)
    failed = [f"{c['name']}: {c['detail']}" for c in (gate or {}).get("checks", []) if not c["passed"]]
    tags = {"fairmend.kind": "pipeline", "fairmend.decision": doc.get("decision"),
            "fairmend.criterion": criterion, "fairmend.target_metric": POLICY_METRICS.get(str(criterion),
                                                                                     ",".join(POLICY_METRICS.values())),
            "fairmend.gate_passed": None if gate is None else str(bool(gate["passed"])).lower(),
            "fairmend.favourable_label": (doc.get("dataset") or {}).get("favourable_label"),
            "fairmend.gate_reasons": "\n".join(failed)[:5000] or None, "fairmend.stack": stack}
    return {k: str(v) for k, v in tags.items() if v is not None}


def log_pipeline(result: Any, report_json: str | Path, *, output: str | Path, policy: Any = None,
                 uri: str | None = None, experiment: str | None = None) -> dict[str, str]:
    """Log a ``fairmend pipeline`` run (its ``report.json`` and output folder) as one MLflow run."""
    import json

    from fairmend.report.text import stack_text

    doc = json.loads(Path(report_json).read_text(encoding="utf-8"))
    stack = stack_text(result.stack) if getattr(result, "stack", None) is not None else None
    resolved = resolve_uri(uri)
    mlflow = _mlflow(resolved)
    exp = mlflow.set_experiment(experiment or os.environ.get("MLFLOW_EXPERIMENT_NAME") or EXPERIMENT)
    with mlflow.start_run(experiment_id=exp.experiment_id, run_name="pipeline") as active:
        mlflow.log_params(pipeline_params(doc, policy))
        mlflow.log_metrics(pipeline_metrics(doc))
        mlflow.set_tags(pipeline_tags(doc, policy, stack))
        for path in sorted(Path(output).iterdir()):
            if path.is_file() and not path.name.startswith("."):
                mlflow.log_artifact(str(path))
        objects = getattr((getattr(result, "fitted", None) or {}).get("final"), "objects", None)
        if objects:
            from fairmend.modelio import save_model

            with tempfile.TemporaryDirectory(prefix="fairmend-mlflow-") as tmp:
                try:
                    save_model(dict(objects), Path(tmp) / "model.skops")
                    mlflow.log_artifact(str(Path(tmp) / "model.skops"))
                except Exception as exc:  # noqa: BLE001 - e.g. torch modules skops cannot persist
                    mlflow.set_tag("fairmend.model_not_logged", f"{type(exc).__name__}: {exc}"[:5000])
        info = active.info
    return {"run_id": info.run_id, "experiment_id": info.experiment_id, "tracking_uri": resolved,
            "artifact_uri": info.artifact_uri}


def log_tune(doc: dict[str, Any], chart: str, *, uri: str | None = None,
             experiment: str | None = None) -> dict[str, Any]:
    """Log a ``fairmend tune`` result: a parent run (study, ``tune.json``, ``pareto.svg``) and one nested run per
    Pareto point (its params; accuracy and fairness metric on the selection and test rows, with the test rows'
    95 % interval bounds; the change from the baseline; the gate)."""
    from fairmend._json import dumps

    resolved = resolve_uri(uri)
    mlflow = _mlflow(resolved)
    exp = mlflow.set_experiment(experiment or os.environ.get("MLFLOW_EXPERIMENT_NAME") or EXPERIMENT)
    m, study = doc["target_metric"], doc["study"]
    children = []
    with mlflow.start_run(experiment_id=exp.experiment_id, run_name=f"tune {doc['technique']}") as parent:
        params = {"technique": doc["technique"], "target_metric": m, "study": study["name"],
                  "storage": study["storage"], "tuned": ",".join(k["name"] for k in doc["tuned"]),
                  **{f"fixed.{k}": v for k, v in doc["fixed"].items()}, **{f"rows.{k}": v for k, v in doc["rows"].items()}}
        mlflow.log_params({_key(k): str(v)[:6000] for k, v in params.items() if v is not None})
        mlflow.set_tags({"fairmend.kind": "tune", "fairmend.technique": doc["technique"], "fairmend.target_metric": m})
        mlflow.log_metrics({"n_trials": study["n_trials"], "n_complete": study["n_complete"],
                            "pareto_size": len(doc["pareto"])})
        mlflow.log_text(dumps(doc), "tune.json")
        mlflow.log_text(chart, "pareto.svg")
        for p in doc["pareto"]:
            with mlflow.start_run(experiment_id=exp.experiment_id, run_name=f"trial {p['trial']}", nested=True) as child:
                mlflow.log_params({_key(k): str(v)[:6000] for k, v in p["params"].items()})
                values: dict[str, Any] = {}
                for name in ("accuracy", m):
                    test, change = p["test"][name], p["change"][name]
                    ci, dci = test.get("ci95") or (None, None), change.get("ci95") or (None, None)
                    values.update({f"selection/{name}": p["selection"][name], f"test/{name}": test["value"],
                                   f"test_ci_low/{name}": ci[0], f"test_ci_high/{name}": ci[1],
                                   f"delta/{name}": change.get("delta"), f"delta_ci_low/{name}": dci[0],
                                   f"delta_ci_high/{name}": dci[1], f"p_value/{name}": change.get("p_value")})
                values["gate_passed"] = p["gate_passed"]
                mlflow.log_metrics({_key(k): v for k, v in ((k, _number(v)) for k, v in values.items()) if v is not None})
                mlflow.set_tags({"fairmend.kind": "tune-pareto", "fairmend.target_metric": m,
                                 "fairmend.gate_passed": str(bool(p["gate_passed"])).lower(),
                                 "fairmend.dominated_on_test": str(p["dominated_on_test"]).lower()})
                children.append(child.info.run_id)
    return {"run_id": parent.info.run_id, "pareto_run_ids": children, "tracking_uri": resolved}


BENCHMARK_CHANGES = ("accuracy", "spd", "aod", "eod")


def benchmark_metrics(results: Any, summary: dict[str, Any]) -> dict[str, float]:
    """The sweep's counts and, per technique, dataset and attribute, the share of finished cells and the
    median change (after - before, over seeds) of accuracy, SPD, AOD and EOD on the test rows."""
    out: dict[str, float | None] = {k: _number(summary.get(k)) for k in ("cells", "ran", "skipped", "ok", "error",
                                                                          "seconds")}
    out["cells_ok"] = float((results["status"] == "ok").sum())
    out["cells_error"] = float((results["status"] == "error").sum())
    for (technique, dataset, protected), cells in results.groupby(["technique", "dataset", "protected"], sort=True):
        ok = cells[cells["status"] == "ok"]
        prefix = f"{technique}/{dataset}/{protected}"
        out[f"{prefix}/ok_share"] = len(ok) / len(cells)
        for short in BENCHMARK_CHANGES:
            delta = (ok[f"{short}_after"] - ok[f"{short}_before"]).dropna()
            out[f"{prefix}/median_delta_{short}"] = _number(float(delta.median())) if len(delta) else None
    return {_key(k): v for k, v in out.items() if v is not None}


def log_benchmark(summary: dict[str, Any], *, uri: str | None = None, experiment: str | None = None) -> dict[str, Any]:
    """Log a finished ``fairmend benchmark`` (its ``summary`` and output folder) as one MLflow run.

    * **params**: the techniques, datasets, protected attributes and seeds of the results table (a resumed
      sweep's whole table, not only this call's cells) and the protocol (``protocol.base_model`` ...);
    * **metrics**: ``cells``, ``ran``, ``skipped``, ``ok``, ``error``, ``seconds`` of this call,
      ``cells_ok`` / ``cells_error`` of the table, and per technique, dataset and attribute
      ``TECHNIQUE/DATASET/ATTR/ok_share`` and ``.../median_delta_M`` for accuracy, spd, aod and eod (the
      medians the report tabulates);
    * **tags**: ``fairmend.kind=benchmark``;
    * **artifacts**: ``results.parquet`` (the results table, one row per cell), the same table as
      ``results.csv``, ``report.md`` and ``benchmark.json``.

    One run per sweep rather than a run per cell: a full sweep (``--techniques all``, two datasets,
    50 seeds) has thousands of cells, and the table artifact keeps every one of them.
    """
    import pandas as pd

    folder = Path(summary["output"])
    results = pd.read_parquet(summary["results"])
    resolved = resolve_uri(uri)
    mlflow = _mlflow(resolved)
    exp = mlflow.set_experiment(experiment or os.environ.get("MLFLOW_EXPERIMENT_NAME") or EXPERIMENT)

    def listed(column: str) -> str:
        return ",".join(str(v) for v in sorted(set(results[column].tolist())))

    params: dict[str, Any] = {"kind": "benchmark", "techniques": listed("technique"), "datasets": listed("dataset"),
                              "protected": listed("protected"), "seeds": listed("seed"), "output": str(folder),
                              **{f"protocol.{k}": v for k, v in (summary.get("protocol") or {}).items()}}
    metrics = list(benchmark_metrics(results, summary).items())
    with mlflow.start_run(experiment_id=exp.experiment_id, run_name="benchmark") as active:
        mlflow.log_params({_key(k): str(v)[:6000] for k, v in params.items() if v is not None})
        for start in range(0, len(metrics), 1000):  # MLflow takes at most 1,000 metrics per batch
            mlflow.log_metrics(dict(metrics[start:start + 1000]))
        mlflow.set_tags({"fairmend.kind": "benchmark"})
        for name in ("results.parquet", "report.md", "benchmark.json"):
            if (folder / name).is_file():
                mlflow.log_artifact(str(folder / name))
        mlflow.log_text(results.to_csv(index=False), "results.csv")
        info = active.info
    return {"run_id": info.run_id, "experiment_id": info.experiment_id, "tracking_uri": resolved,
            "artifact_uri": info.artifact_uri}


def promote(name: str, alias: str, *, version: str | None = None, uri: str | None = None) -> dict[str, Any]:
    """Point ``alias`` of registered model ``name`` at ``version`` (default: the latest) if its fairness gate
    passed.

    The gate is the version's own ``fairmend.gate_passed`` tag when a later evaluation set one, else the tag of
    the run that produced it (``fairmend run --mlflow``). A failed gate, or none recorded, refuses the
    promotion: the result says why (``promoted`` false, ``reasons``) and the alias is left as it was.
    """
    resolved = resolve_uri(uri)
    mlflow = _mlflow(resolved)
    from mlflow.exceptions import MlflowException

    client = mlflow.tracking.MlflowClient(tracking_uri=resolved, registry_uri=resolved)
    try:
        versions = client.search_model_versions(f"name='{name}'")
    except MlflowException as exc:
        raise InvalidParameterError(f"registered model {name!r}: {_first_line(exc)}") from exc
    if not versions:
        raise InvalidParameterError(f"no registered model {name!r} (or it has no versions) in {resolved}")
    by_number = {str(v.version): v for v in versions}
    chosen = by_number.get(str(version)) if version else max(versions, key=lambda v: int(v.version))
    if chosen is None:
        raise InvalidParameterError(f"registered model {name!r} has no version {version} "
                                    f"(versions: {', '.join(sorted(by_number, key=int))})")
    tags = dict(chosen.tags or {})
    source = "model version"
    if "fairmend.gate_passed" not in tags and chosen.run_id:
        tags = dict(client.get_run(chosen.run_id).data.tags)
        source = f"run {chosen.run_id}"
    gate = tags.get("fairmend.gate_passed")
    out = {"name": name, "version": str(chosen.version), "alias": alias, "run_id": chosen.run_id,
           "gate_passed": None if gate is None else gate == "true", "gate_source": source,
           "target_metric": tags.get("fairmend.target_metric"), "tracking_uri": resolved}
    if gate != "true":
        why = ([f"no fairness gate recorded for version {chosen.version} (log it with fairmend run --mlflow)"]
               if gate is None else (tags.get("fairmend.gate_reasons") or "fairness gate failed").splitlines())
        return {**out, "promoted": False, "reasons": why}
    client.set_registered_model_alias(name, alias, chosen.version)
    return {**out, "promoted": True, "reasons": []}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__

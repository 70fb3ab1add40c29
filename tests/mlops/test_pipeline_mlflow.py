"""``fairmend pipeline ... --mlflow``: one MLflow run with the chosen stack, before/after metrics with their
intervals and p-values, the gate verdict, and the report among the artifacts."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from fairmend.cli import cli


def test_pipeline_logs_stack_metrics_gate_and_report(tmp_path, monkeypatch):
    pytest.importorskip("mlflow")
    from mlflow.tracking import MlflowClient

    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    uri = (tmp_path / "mlruns").as_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    out = tmp_path / "pipe"
    res = CliRunner().invoke(cli, ["pipeline", "--data", "german", "--protected", "sex", "--outcome", "credit",
                                   "--output", str(out), "--mlflow", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)

    client = MlflowClient(tracking_uri=uri)
    runs = client.search_runs([e.experiment_id for e in client.search_experiments()])
    assert len(runs) == 1 and runs[0].info.run_id == doc["mlflow"]["run_id"]
    run = runs[0]
    params, metrics, tags = run.data.params, run.data.metrics, run.data.tags
    empty = {"pre": "none", "model": "baseline model", "post": "none"}
    for slot, step in doc["stack"].items():  # the chosen stack
        assert params[f"stack.{slot}"] == (empty[slot] if step is None else step["key"])
    assert params["policy.target_criterion"] == "demographic_parity" and params["protected"] == "sex"
    claim = doc["significance"]["sex"]["demographic_parity_difference"]  # before/after with CI and p-value
    dp = "sex/demographic_parity_difference"
    assert metrics[f"before/{dp}"] == pytest.approx(doc["baseline"]["per_attribute"]["sex"]["demographic_parity_difference"])
    assert metrics[f"after/{dp}"] == pytest.approx(doc["final"]["per_attribute"]["sex"]["demographic_parity_difference"])
    assert (metrics[f"delta_ci_low/{dp}"], metrics[f"delta_ci_high/{dp}"]) == pytest.approx(tuple(claim["ci95"]))
    assert metrics[f"p_value/{dp}"] == pytest.approx(claim["p_value"])
    assert metrics["delta/accuracy"] == pytest.approx(doc["significance"]["all rows"]["accuracy"]["delta"])
    gate = doc["test_gate"]  # the gate verdict
    assert metrics["gate_passed"] == float(gate["passed"]) and tags["fairmend.gate_passed"] == str(gate["passed"]).lower()
    assert {f"gate/{c['name']}" for c in gate["checks"]} <= set(metrics)
    assert tags["fairmend.kind"] == "pipeline" and tags["fairmend.decision"] == doc["decision"]
    assert tags["fairmend.stack"].startswith("pre: ")
    artifacts = {f.path for f in client.list_artifacts(run.info.run_id)}
    assert {"report.html", "report.json", "predictions.parquet", "model_card.md", "audit_log.jsonl"} <= artifacts
    # skops cannot persist fairlearn's ThresholdOptimizer (pandas frames inside): then a tag says why
    assert ("model.skops" in artifacts) != ("fairmend.model_not_logged" in tags)
    assert not any(a.startswith("checkpoints") for a in artifacts)

"""``fairmend run ... --mlflow``: one MLflow run in a local file store with the metrics, CIs, tags and artifacts."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from fairmend.cli import cli

RUN = ["run", "reweighing_kamiran_calders", "--data", "german", "--protected", "sex", "--outcome", "credit",
       "--n-boot", "200"]


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    uri = (tmp_path / "mlruns").as_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    return uri


def _runs(uri):
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=uri)
    experiments = client.search_experiments()
    return client, client.search_runs([e.experiment_id for e in experiments])


def test_run_logs_one_mlflow_run_with_target_metric_cis_and_report(store, tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, [*RUN, "--output", str(out), "--mlflow", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    client, runs = _runs(store)
    assert len(runs) == 1 and runs[0].info.run_id == doc["mlflow"]["run_id"]
    run = runs[0]
    m, target = run.data.metrics, doc["target_metric"]
    change = doc["change"][target]
    assert m[f"before/{target}"] == pytest.approx(change["before"])
    assert m[f"after/{target}"] == pytest.approx(change["after"])
    assert (m[f"delta_ci_low/{target}"], m[f"delta_ci_high/{target}"]) == pytest.approx(tuple(change["ci95"]))
    assert m[f"p_value/{target}"] == pytest.approx(change["p_value"])
    assert m["gate_passed"] == float(doc["gate"]["passed"])
    assert {f"after/{k}" for k in doc["after"]} <= set(m)  # every after metric, not only the compared ones
    tags = run.data.tags
    assert tags["fairmend.target_metric"] == target and tags["fairmend.criterion"] == doc["target_criterion"]
    assert tags["fairmend.gate_passed"] == str(doc["gate"]["passed"]).lower()
    assert tags["fairmend.favourable_label"] == "1"
    assert run.data.params["technique"] == "reweighing_kamiran_calders" and run.data.params["protected"] == "sex"
    artifacts = {f.path for f in client.list_artifacts(run.info.run_id)}
    assert {"report.json", "model.skops", "predictions.parquet"} <= artifacts
    (tmp_path / "download").mkdir()
    path = client.download_artifacts(run.info.run_id, "report.json", str(tmp_path / "download"))
    with open(path, encoding="utf-8") as fh:
        logged = json.load(fh)
    assert logged["change"][target]["delta"] == pytest.approx(change["delta"])


def test_without_output_folder_report_and_model_are_still_logged(store):
    res = CliRunner().invoke(cli, [*RUN, "--mlflow-uri", store])
    assert res.exit_code == 0, res.output
    assert "mlflow: run " in res.output
    client, runs = _runs(store)
    assert len(runs) == 1
    assert {"report.json", "model.skops"} <= {f.path for f in client.list_artifacts(runs[0].info.run_id)}


def test_bad_tracking_uri_is_refused_before_the_run(tmp_path):
    res = CliRunner().invoke(cli, [*RUN, "--mlflow-uri", "ftp://example.invalid/x", "--output", str(tmp_path / "o")])
    assert res.exit_code == 2 and "--mlflow-uri" in res.output
    assert not (tmp_path / "o").exists()


def test_plain_folder_uri_resolves_to_an_absolute_file_uri(tmp_path, monkeypatch):
    from fairmend.tracking import resolve_uri

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert resolve_uri() == (tmp_path / "mlruns").as_uri()
    assert resolve_uri("sqlite:///x.db") == "sqlite:///x.db"


def test_promote_refuses_a_version_whose_gate_failed(store, tmp_path):
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=store, registry_uri=store)
    client.create_registered_model("credit")
    for extra in ([], ["--min-improvement", "0.99"]):  # version 1 passes the gate, version 2 fails it
        res = CliRunner().invoke(cli, [*RUN, "--mlflow", "--json", *extra])
        assert res.exit_code == 0, res.output
        doc = json.loads(res.stdout)
        assert doc["gate"]["passed"] is (not extra)
        run_id = doc["mlflow"]["run_id"]
        client.create_model_version("credit", source=f"{doc['mlflow']['artifact_uri']}/model.skops", run_id=run_id)

    refused = CliRunner().invoke(cli, ["mlflow", "promote", "credit", "--alias", "champion", "--json"])
    assert refused.exit_code == 1, refused.output
    decision = json.loads(refused.stdout)
    assert (decision["version"], decision["promoted"], decision["gate_passed"]) == ("2", False, False)
    assert any("FAIL" in r for r in decision["reasons"])
    assert not client.get_registered_model("credit").aliases

    ok = CliRunner().invoke(cli, ["mlflow", "promote", "credit", "--alias", "champion", "--version", "1"])
    assert ok.exit_code == 0, ok.output
    assert client.get_model_version_by_alias("credit", "champion").version in ("1", 1)

    bare = client.create_run(client.get_experiment_by_name("fairmend").experiment_id)  # logged without fairmend
    client.create_model_version("credit", source=f"{bare.info.artifact_uri}/model.skops", run_id=bare.info.run_id)
    untested = CliRunner().invoke(cli, ["mlflow", "promote", "credit", "--alias", "champion", "--version", "3"])
    assert untested.exit_code == 1 and "no fairness gate recorded" in untested.output

    unknown = CliRunner().invoke(cli, ["mlflow", "promote", "nobody", "--alias", "champion"])
    assert unknown.exit_code == 2 and "nobody" in unknown.output
